// Identity tokens for virtual users. A run of 10,000 viewers asks for a token
// per viewer on connect and again whenever the client refreshes; signing each
// time would spend generator CPU on crypto instead of load. So a token is
// signed once per subject and handed out again while it has more than its
// refresh margin left, and concurrent requests for one subject share one
// signature.
//
// Tokens are custom JWTs the Convex backend (embedded or real) accepts with a
// `customJwt` provider: header { alg: ES256, kid, typ: JWT }, claims
// { iss, sub, aud?, iat, exp, name?, permissions? }.
import { importJWK, SignJWT } from "jose";
import { SIGNING_ALGORITHM, type SigningKey } from "./keys.ts";

export {
  authEnvironment,
  customJwtProvider,
  generateSigningKey,
  jwksDataUri,
  KeyFileError,
  loadOrCreateSigningKey,
  loadSigningKey,
  parseSigningKey,
  publicJwks,
  saveSigningKey,
  type CustomJwtProvider,
  type JsonWebKeySet,
  type SigningKey,
} from "./keys.ts";

/** An hour, like most identity providers (and Convex's own signJwt limit). */
export const DEFAULT_TOKEN_TTL_SECONDS = 3600;
/**
 * Re-sign when a cached token has less than this left. Larger than the
 * `convex` client's refresh leeway (10 s), so a client refreshing before
 * expiry always gets a token with real life left.
 */
export const DEFAULT_REFRESH_MARGIN_SECONDS = 60;
/** A week. A longer TTL is almost always milliseconds passed as seconds. */
const MAX_TOKEN_TTL_SECONDS = 7 * 24 * 3600;

export type TokenMinterOptions = {
  readonly key: SigningKey;
  /** `iss`; must match the provider's issuer in convex/auth.config.ts. */
  readonly issuer: string;
  /** `aud`; needed when the provider has an applicationID. */
  readonly audience?: string;
  readonly defaultTtlSeconds?: number;
  readonly refreshMarginSeconds?: number;
  /** Milliseconds since the epoch; align it with the backend's clock when that is virtual. */
  readonly now?: () => number;
};

export type MintRequest = {
  readonly subject: string;
  readonly name?: string;
  /** e.g. ["write:chat"] for a moderator. */
  readonly permissions?: readonly string[];
  readonly ttlSeconds?: number;
  /** Sign afresh even when a cached token is still fresh (the client's `forceRefreshToken`). */
  readonly forceRefresh?: boolean;
};

export type MintedToken = { readonly token: string; readonly expiresAtMs: number };

export interface TokenMinter {
  /** A token for `request.subject`: the cached one while fresh and for the same claims, else a new one. */
  mint(request: MintRequest): Promise<string>;
  mintWithExpiry(request: MintRequest): Promise<MintedToken>;
  /** How many subjects have a cached token. */
  readonly cacheSize: number;
  clear(): void;
}

type CacheEntry = {
  /** The claims and TTL the token was signed for; a request for others re-signs. */
  readonly fingerprint: string;
  readonly expiresAtSeconds: number;
  readonly ttlSeconds: number;
  readonly token: Promise<string>;
};

/** Imports the private key once; throws a sentence when an option is unusable. */
export async function createTokenMinter(options: TokenMinterOptions): Promise<TokenMinter> {
  const problems = checkOptions(options);
  if (problems.length > 0) throw new Error(`cannot mint tokens: ${problems.join("; ")}`);
  const privateKey = await importJWK(options.key.privateJwk, SIGNING_ALGORITHM);
  const { issuer, audience, key } = options;
  const defaultTtl = options.defaultTtlSeconds ?? DEFAULT_TOKEN_TTL_SECONDS;
  const refreshMargin = options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS;
  const now = options.now ?? Date.now;
  const cache = new Map<string, CacheEntry>();
  const header = { alg: SIGNING_ALGORITHM, kid: key.kid, typ: "JWT" };

  async function mintWithExpiry(request: MintRequest): Promise<MintedToken> {
    const problem = checkRequest(request);
    if (problem !== null) throw new Error(`cannot mint a token: ${problem}`);
    const ttl = request.ttlSeconds ?? defaultTtl;
    const fingerprint = JSON.stringify([ttl, request.name ?? null, request.permissions ?? null]);
    const nowSeconds = Math.floor(now() / 1000);
    const cached = cache.get(request.subject);
    if (
      cached !== undefined &&
      !request.forceRefresh &&
      cached.fingerprint === fingerprint &&
      cached.expiresAtSeconds - nowSeconds > Math.min(refreshMargin, cached.ttlSeconds / 2)
    ) {
      return { token: await cached.token, expiresAtMs: cached.expiresAtSeconds * 1000 };
    }
    const expiresAtSeconds = nowSeconds + ttl;
    const claims: Record<string, unknown> = {};
    if (request.name !== undefined) claims.name = request.name;
    if (request.permissions !== undefined) claims.permissions = [...request.permissions];
    const jwt = new SignJWT(claims)
      .setProtectedHeader(header)
      .setIssuer(issuer)
      .setSubject(request.subject)
      .setIssuedAt(nowSeconds)
      .setExpirationTime(expiresAtSeconds);
    if (audience !== undefined) jwt.setAudience(audience);
    const token = jwt.sign(privateKey);
    const entry: CacheEntry = { fingerprint, expiresAtSeconds, ttlSeconds: ttl, token };
    cache.set(request.subject, entry);
    try {
      return { token: await token, expiresAtMs: expiresAtSeconds * 1000 };
    } catch (error) {
      if (cache.get(request.subject) === entry) cache.delete(request.subject);
      throw error;
    }
  }

  return {
    mintWithExpiry,
    async mint(request) {
      return (await mintWithExpiry(request)).token;
    },
    get cacheSize() {
      return cache.size;
    },
    clear() {
      cache.clear();
    },
  };
}

function checkOptions(options: TokenMinterOptions): string[] {
  const problems: string[] = [];
  if (typeof options.issuer !== "string" || options.issuer === "") problems.push("issuer must be a non-empty string");
  if (options.audience !== undefined && (typeof options.audience !== "string" || options.audience === "")) {
    problems.push("audience must be a non-empty string when given");
  }
  if (options.key?.privateJwk?.d === undefined) problems.push("key must be a signing key with its private half");
  if (options.defaultTtlSeconds !== undefined && !isTtl(options.defaultTtlSeconds)) {
    problems.push(`defaultTtlSeconds must be a whole number from 1 to ${MAX_TOKEN_TTL_SECONDS}`);
  }
  const margin = options.refreshMarginSeconds;
  if (margin !== undefined && !(Number.isFinite(margin) && margin >= 0)) {
    problems.push("refreshMarginSeconds must be a finite number of seconds, 0 or more");
  }
  return problems;
}

function checkRequest(request: MintRequest): string | null {
  if (typeof request.subject !== "string" || request.subject === "") return "subject must be a non-empty string";
  if (request.name !== undefined && typeof request.name !== "string") return "name must be a string";
  if (
    request.permissions !== undefined &&
    (!Array.isArray(request.permissions) || !request.permissions.every((p) => typeof p === "string"))
  ) {
    return "permissions must be an array of strings";
  }
  if (request.ttlSeconds !== undefined && !isTtl(request.ttlSeconds)) {
    return `ttlSeconds must be a whole number from 1 to ${MAX_TOKEN_TTL_SECONDS}`;
  }
  return null;
}

function isTtl(value: number): boolean {
  return Number.isInteger(value) && value >= 1 && value <= MAX_TOKEN_TTL_SECONDS;
}
