// The load generator's signing key: one ES256 key pair, kept in a JSON file
// (mode 0600) so every run and every shard signs with the same key, and its
// public half handed to the backend as a JWKS — inline, as a data: URI, which
// both the embedded backend and a real Convex deployment accept in
// convex/auth.config.ts (`jwks: process.env.CSN_AUTH_JWKS`).
//
// Key file (version 1):
//   { "format": "csn-rt-signing-key", "version": 1, "algorithm": "ES256",
//     "kid": "<RFC 7638 thumbprint>", "createdAt": "<ISO 8601>",
//     "privateJwk": { kty, crv, x, y, d, kid, alg, use },
//     "publicJwk":  { kty, crv, x, y, kid, alg, use } }
import { randomBytes } from "node:crypto";
import { chmod, link, mkdir, readFile, rename, unlink, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from "jose";

export const SIGNING_ALGORITHM = "ES256";
const KEY_FILE_FORMAT = "csn-rt-signing-key";
const KEY_FILE_VERSION = 1;

export type SigningKey = {
  readonly algorithm: typeof SIGNING_ALGORITHM;
  /** Key ID: the RFC 7638 thumbprint of the public key, also in every token header. */
  readonly kid: string;
  readonly createdAt: string;
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
};

/** Why a key file could not be used; `reason` lets callers react without parsing the message. */
export class KeyFileError extends Error {
  constructor(
    message: string,
    readonly reason: "missing" | "exists" | "unreadable" | "invalid",
  ) {
    super(message);
    this.name = "KeyFileError";
  }
}

export type JsonWebKeySet = { readonly keys: readonly JWK[] };

/** What convex/auth.config.ts lists for this key (a Convex `customJwt` provider). */
export type CustomJwtProvider = {
  readonly type: "customJwt";
  readonly issuer: string;
  readonly jwks: string;
  readonly algorithm: typeof SIGNING_ALGORITHM;
  readonly applicationID?: string;
};

export async function generateSigningKey(now: Date = new Date()): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALGORITHM, { extractable: true });
  const publicParts = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(publicParts, "sha256");
  const tags = { kid, alg: SIGNING_ALGORITHM, use: "sig" };
  return {
    algorithm: SIGNING_ALGORITHM,
    kid,
    createdAt: now.toISOString(),
    privateJwk: { ...(await exportJWK(privateKey)), ...tags },
    publicJwk: { ...publicParts, ...tags },
  };
}

/** The public JWKS: what a JWKS URL would serve. */
export function publicJwks(key: SigningKey): JsonWebKeySet {
  return { keys: [key.publicJwk] };
}

/** The public JWKS as a `data:application/json;base64,…` URI, for CSN_AUTH_JWKS / auth.config.ts. */
export function jwksDataUri(key: SigningKey): string {
  return `data:application/json;base64,${Buffer.from(JSON.stringify(publicJwks(key))).toString("base64")}`;
}

/** The auth.config.ts provider entry that accepts tokens minted with `key`. */
export function customJwtProvider(
  key: SigningKey,
  options: { readonly issuer: string; readonly applicationID?: string },
): CustomJwtProvider {
  return {
    type: "customJwt",
    issuer: options.issuer,
    jwks: jwksDataUri(key),
    algorithm: SIGNING_ALGORITHM,
    ...(options.applicationID === undefined ? {} : { applicationID: options.applicationID }),
  };
}

/** The environment convex/auth.config.ts reads to accept tokens minted with `key`. */
export function authEnvironment(key: SigningKey, issuer: string): { CSN_AUTH_ISSUER: string; CSN_AUTH_JWKS: string } {
  return { CSN_AUTH_ISSUER: issuer, CSN_AUTH_JWKS: jwksDataUri(key) };
}

/**
 * Writes `key` to `path` as JSON readable only by its owner (0600), creating
 * the directory if needed. The file appears whole or not at all. Refuses to
 * replace an existing file unless `overwrite` is set.
 */
export async function saveSigningKey(
  path: string,
  key: SigningKey,
  options: { readonly overwrite?: boolean } = {},
): Promise<void> {
  const file = {
    format: KEY_FILE_FORMAT,
    version: KEY_FILE_VERSION,
    algorithm: key.algorithm,
    kid: key.kid,
    createdAt: key.createdAt,
    privateJwk: key.privateJwk,
    publicJwk: key.publicJwk,
  };
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600, flag: "wx" });
  try {
    await chmod(temporary, 0o600); // in case a umask took bits the mode asked for
    if (options.overwrite) {
      await rename(temporary, path);
      return;
    }
    // link() fails when `path` exists, so two writers cannot both win.
    await link(temporary, path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "EEXIST") {
        throw new KeyFileError(`the key file ${path} already exists; remove it or pass overwrite to replace it`, "exists");
      }
      throw error;
    });
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}

/** Reads a key file written by saveSigningKey. Throws a sentence naming the file when it is unusable. */
export async function loadSigningKey(path: string): Promise<SigningKey> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") throw new KeyFileError(`the key file ${path} does not exist`, "missing");
    throw new KeyFileError(`the key file ${path} cannot be read (${code})`, "unreadable");
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyFileError(`the key file ${path} is not valid JSON`, "invalid");
  }
  return parseSigningKey(json, `the key file ${path}`);
}

/** Loads the key at `path`, or generates and saves one when there is none. */
export async function loadOrCreateSigningKey(path: string): Promise<{ key: SigningKey; created: boolean }> {
  try {
    return { key: await loadSigningKey(path), created: false };
  } catch (error) {
    if (!(error instanceof KeyFileError) || error.reason !== "missing") throw error;
  }
  const key = await generateSigningKey();
  try {
    await saveSigningKey(path, key);
    return { key, created: true };
  } catch (error) {
    // Another process created it first: use theirs, so both sign with one key.
    if (error instanceof KeyFileError && error.reason === "exists") {
      return { key: await loadSigningKey(path), created: false };
    }
    throw error;
  }
}

/** Checks that `json` is a version-1 key file and returns the key. */
export function parseSigningKey(json: unknown, source: string): SigningKey {
  const bad = (what: string) => new KeyFileError(`${source} is not a csn-rt signing key: ${what}`, "invalid");
  if (typeof json !== "object" || json === null) throw bad("expected a JSON object");
  const file = json as Record<string, unknown>;
  if (file.format !== KEY_FILE_FORMAT) throw bad(`"format" must be "${KEY_FILE_FORMAT}"`);
  if (file.version !== KEY_FILE_VERSION) throw bad(`version ${String(file.version)} is not supported (expected ${KEY_FILE_VERSION})`);
  if (file.algorithm !== SIGNING_ALGORITHM) throw bad(`"algorithm" must be "${SIGNING_ALGORITHM}"`);
  if (typeof file.kid !== "string" || file.kid === "") throw bad(`"kid" must be a non-empty string`);
  const privateJwk = file.privateJwk as Record<string, unknown> | undefined;
  const publicJwk = file.publicJwk as Record<string, unknown> | undefined;
  if (!isP256Jwk(privateJwk) || typeof privateJwk.d !== "string") throw bad(`"privateJwk" must be a P-256 private key`);
  if (!isP256Jwk(publicJwk) || "d" in publicJwk) throw bad(`"publicJwk" must be a P-256 public key`);
  if (privateJwk.x !== publicJwk.x || privateJwk.y !== publicJwk.y) throw bad("the private and public keys do not match");
  if (privateJwk.kid !== file.kid || publicJwk.kid !== file.kid) throw bad(`both keys must carry kid "${file.kid}"`);
  return {
    algorithm: SIGNING_ALGORITHM,
    kid: file.kid,
    createdAt: typeof file.createdAt === "string" ? file.createdAt : "",
    privateJwk: privateJwk as JWK,
    publicJwk: publicJwk as JWK,
  };
}

function isP256Jwk(jwk: Record<string, unknown> | undefined): jwk is Record<string, unknown> {
  return (
    typeof jwk === "object" &&
    jwk !== null &&
    jwk.kty === "EC" &&
    jwk.crv === "P-256" &&
    typeof jwk.x === "string" &&
    typeof jwk.y === "string"
  );
}
