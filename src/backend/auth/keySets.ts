// Where a provider's verification keys come from, and how long we keep them.
//
//   data: URI      decoded once, at startup (a malformed one fails the config)
//   JWKS URL       fetched on first use, then kept; re-fetched when a token
//                  names a key ID we do not have (key rotation), at most once
//                  per REFETCH_COOLDOWN_MS
//   OIDC domain    like a JWKS URL, whose URL comes from the discovery document
//
// Fetch timing uses a monotonic real clock, never the backend's virtual clock:
// a frozen virtual clock must not freeze retries.
import { performance } from "node:perf_hooks";
import { createLocalJWKSet, type JSONWebKeySet, type JWTVerifyGetKey } from "jose";
import { decodeDataUri, isDataUri } from "./dataUri.ts";
import { TokenRejected } from "./TokenRejected.ts";

/** An identity provider answers well within this; longer means it is down, and callers are waiting. */
const FETCH_TIMEOUT_MS = 10_000;
/** Key rotation is rare; a flood of tokens with unknown key IDs must not become a flood of fetches. */
export const REFETCH_COOLDOWN_MS = 30_000;
/** After a failed fetch, answer from the failure this long instead of hammering a broken provider. */
const FAILED_FETCH_RETRY_MS = 5_000;

/** Media types the Convex backend accepts for a fetched JWKS. */
const JWKS_MEDIA_TYPES = ["application/json", "application/jwk-set+json"];

export type FetchLike = (url: string, init: RequestInit) => Promise<Response>;

export interface KeySet {
  /** The current keys, loading them on first use. Throws TokenRejected when they cannot be had. */
  keys(): Promise<JWTVerifyGetKey>;
  /** Reloads after a token named an unknown key; false when nothing new can be learned now. */
  refresh(): Promise<boolean>;
}

/** A JWKS given inline as a data: URI. Throws a sentence at once when it is malformed. */
export function dataUriKeySet(uri: string, whose: string): KeySet {
  let jwks: unknown;
  try {
    jwks = JSON.parse(decodeDataUri(uri));
  } catch (error) {
    throw new Error(`the JWKS data: URI of ${whose} is malformed: ${messageOf(error)}`);
  }
  const getKey = toLocalKeySet(jwks, whose, "its data: URI", Error);
  return { keys: async () => getKey, refresh: async () => false };
}

/** A JWKS served at `url`. */
export function urlKeySet(url: string, whose: string, fetchImpl: FetchLike, cooldownMs = REFETCH_COOLDOWN_MS): KeySet {
  return new RemoteKeySet(() => fetchJwks(url, whose, fetchImpl), cooldownMs);
}

/** The JWKS of an OIDC provider, found through `${domain}/.well-known/openid-configuration`. */
export function oidcKeySet(domain: string, fetchImpl: FetchLike, cooldownMs = REFETCH_COOLDOWN_MS): KeySet {
  const whose = JSON.stringify(domain);
  return new RemoteKeySet(async () => {
    const jwksUri = await discoverJwksUri(domain, fetchImpl);
    return fetchJwks(jwksUri, whose, fetchImpl);
  }, cooldownMs);
}

/** Picks the source a provider's `jwks` value names. */
export function keySetFor(jwks: string, whose: string, fetchImpl: FetchLike, cooldownMs?: number): KeySet {
  return isDataUri(jwks) ? dataUriKeySet(jwks, whose) : urlKeySet(jwks, whose, fetchImpl, cooldownMs);
}

class RemoteKeySet implements KeySet {
  private loaded: { readonly getKey: JWTVerifyGetKey; readonly atMs: number } | null = null;
  private pending: Promise<JWTVerifyGetKey> | null = null;
  private failure: { readonly error: unknown; readonly atMs: number } | null = null;

  constructor(
    private readonly load: () => Promise<JWTVerifyGetKey>,
    private readonly cooldownMs: number,
  ) {}

  keys(): Promise<JWTVerifyGetKey> {
    return this.loaded ? Promise.resolve(this.loaded.getKey) : this.reload();
  }

  async refresh(): Promise<boolean> {
    if (this.loaded && performance.now() - this.loaded.atMs < this.cooldownMs) return false;
    await this.reload();
    return true;
  }

  private reload(): Promise<JWTVerifyGetKey> {
    if (this.pending) return this.pending;
    if (this.failure && performance.now() - this.failure.atMs < FAILED_FETCH_RETRY_MS) {
      return Promise.reject(this.failure.error);
    }
    this.pending = this.load()
      .then(
        (getKey) => {
          this.loaded = { getKey, atMs: performance.now() };
          this.failure = null;
          return getKey;
        },
        (error: unknown) => {
          this.failure = { error, atMs: performance.now() };
          throw error;
        },
      )
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}

async function fetchJwks(url: string, whose: string, fetchImpl: FetchLike): Promise<JWTVerifyGetKey> {
  const response = await get(url, `the JWKS of ${whose}`, fetchImpl);
  const mediaType = (response.headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase();
  if (!JWKS_MEDIA_TYPES.includes(mediaType)) {
    throw new TokenRejected(
      `the JWKS of ${whose} at ${url} is served as ${JSON.stringify(mediaType || "no content type")}; ` +
        `expected application/json or application/jwk-set+json`,
    );
  }
  const body = await readJson(response, `the JWKS of ${whose} at ${url}`);
  return toLocalKeySet(body, whose, url, TokenRejected);
}

async function discoverJwksUri(domain: string, fetchImpl: FetchLike): Promise<string> {
  const base = domain.replace(/\/+$/, "");
  const url = `${base}/.well-known/openid-configuration`;
  const what = `the OpenID configuration of ${JSON.stringify(domain)}`;
  const response = await get(url, what, fetchImpl);
  const metadata = await readJson(response, `${what} at ${url}`);
  const record = typeof metadata === "object" && metadata !== null ? (metadata as Record<string, unknown>) : {};
  const { issuer, jwks_uri: jwksUri } = record;
  if (typeof issuer === "string" && issuer.replace(/\/+$/, "") !== base) {
    throw new TokenRejected(`${what} names issuer ${JSON.stringify(issuer)}, not the configured domain`);
  }
  if (typeof jwksUri !== "string" || !/^https?:\/\//i.test(jwksUri)) {
    throw new TokenRejected(`${what} at ${url} has no http(s) jwks_uri`);
  }
  return jwksUri;
}

async function get(url: string, what: string, fetchImpl: FetchLike): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(url, {
      headers: { accept: "application/json" },
      signal: AbortSignal.timeout(FETCH_TIMEOUT_MS),
    });
  } catch (error) {
    throw new TokenRejected(`could not fetch ${what} from ${url}: ${messageOf(error)}`);
  }
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new TokenRejected(`could not fetch ${what} from ${url}: HTTP ${response.status}`);
  }
  return response;
}

async function readJson(response: Response, what: string): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    throw new TokenRejected(`${what} is not valid JSON`);
  }
}

function toLocalKeySet(
  jwks: unknown,
  whose: string,
  where: string,
  Failure: new (message: string) => Error,
): JWTVerifyGetKey {
  const keys = typeof jwks === "object" && jwks !== null ? (jwks as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(keys)) {
    throw new Failure(`the JWKS of ${whose} (${where}) has no "keys" array`);
  }
  try {
    return createLocalJWKSet(jwks as JSONWebKeySet);
  } catch (error) {
    throw new Failure(`the JWKS of ${whose} (${where}) is malformed: ${messageOf(error)}`);
  }
}

function messageOf(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
    return `${error.message}${cause}`;
  }
  return String(error);
}
