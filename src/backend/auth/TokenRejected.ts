/**
 * Why a token was refused, as one short sentence a developer can act on
 * ("token expired at …"). Thrown inside auth/ and turned into
 * `{ ok: false, error }` at the Authenticator boundary; never carries a stack
 * trace to the client.
 */
export class TokenRejected extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TokenRejected";
  }
}
