// Tokens are trusted from one custom-JWT issuer, configured by environment so
// that a deployment can trust the load generator's test tokens:
//   CSN_AUTH_ISSUER   the `iss` every token must carry
//   CSN_AUTH_JWKS     the issuer's public keys: an https URL or a data: URI
//   CSN_AUTH_AUDIENCE optional `aud` to require
// `csn-rt serve` sets these for the embedded backend; for a Convex deployment
// set them with `npx convex env set` (see the README).
export default {
  providers: [
    {
      type: "customJwt",
      issuer: process.env.CSN_AUTH_ISSUER ?? "https://csn-rt.invalid",
      jwks: process.env.CSN_AUTH_JWKS ?? "data:application/json,%7B%22keys%22%3A%5B%5D%7D",
      algorithm: "ES256",
      applicationID: process.env.CSN_AUTH_AUDIENCE,
    },
  ],
};
