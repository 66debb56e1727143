// Token verification for the embedded backend, with the Convex backend's
// rules (crates/authentication `validate_id_token`):
//
//   1. decode without verifying, to read `iss` and `aud`
//   2. route: the first provider whose issuer matches `iss` and, when it has
//      an applicationID, whose applicationID is among `aud`
//   3. the header's `alg` must be one the provider allows (customJwt: its
//      `algorithm`; OIDC: RS256 or EdDSA) and a customJwt token must name its
//      key (`kid`)
//   4. signature against the provider's JWKS, then exp / nbf / iat with a
//      CLOCK_TOLERANCE_SECONDS allowance, timed by the injected clock
//   5. claims → identity (identityFromClaims.ts)
//
// Every refusal is one sentence; nothing is accepted by default.
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from "jose";
import type { Authenticator, UserIdentity } from "../contracts.ts";
import { isAdminKey } from "./adminKey.ts";
import { AuthConfigError, parseAuthConfig, sameIssuer, withScheme, type AuthProviderConfig } from "./authConfig.ts";
import { identityFromClaims, type ClaimStyle } from "./identityFromClaims.ts";
import { keySetFor, oidcKeySet, type FetchLike, type KeySet } from "./keySets.ts";
import { TokenRejected } from "./TokenRejected.ts";

/** The Convex backend allows 5 s of clock skew between the identity provider and itself. */
export const CLOCK_TOLERANCE_SECONDS = 5;

/** Real identity tokens are a few KB; anything this long is not one, and parsing it costs memory. */
const MAX_TOKEN_CHARS = 64 * 1024;

/**
 * Verified tokens remembered so a token presented again (every HTTP call
 * carries one; reconnects re-send it) skips the signature check. One per
 * virtual user of a large run, plus churn; the oldest is forgotten first.
 */
const VERIFIED_TOKEN_CACHE_SIZE = 20_000;

/** What the Convex backend's OIDC verifier accepts. */
const OIDC_ALGORITHMS = ["RS256", "EdDSA"] as const;

export type AuthenticatorOptions = {
  /** What convex/auth.config.ts lists (see loadAuthConfig). */
  readonly providers: readonly AuthProviderConfig[];
  /** The key that makes a caller an admin; see generateAdminKey. */
  readonly adminKey: string;
  /** Milliseconds since the epoch; the backend's (possibly virtual) clock. Defaults to Date.now. */
  readonly now?: () => number;
  /** Used for JWKS and OIDC discovery fetches. Defaults to the global fetch. */
  readonly fetch?: FetchLike;
  /** Minimum time between JWKS re-fetches triggered by an unknown key ID. */
  readonly jwksRefetchCooldownMs?: number;
};

type Verified = { readonly identity: UserIdentity; readonly expiresAtMs: number };

type Provider = {
  readonly style: ClaimStyle;
  /** As configured, with a scheme. */
  readonly issuer: string;
  /** The issuer quoted, for messages. */
  readonly label: string;
  readonly applicationID: string | undefined;
  readonly algorithms: readonly string[];
  readonly requiredClaims: readonly string[];
  readonly keySet: KeySet;
};

/**
 * Builds the Authenticator for a deployment. Throws AuthConfigError when the
 * providers are malformed (including an undecodable JWKS data: URI) and an
 * Error when the admin key is empty.
 */
export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  if (typeof options.adminKey !== "string" || options.adminKey === "") {
    throw new Error("the admin key must be a non-empty string (see generateAdminKey)");
  }
  const configs = parseAuthConfig({ providers: options.providers }, "the auth providers");
  const fetchImpl: FetchLike = options.fetch ?? ((url, init) => fetch(url, init));
  const providers = configs.map((config, index) => {
    try {
      return toProvider(config, fetchImpl, options.jwksRefetchCooldownMs);
    } catch (error) {
      throw new AuthConfigError("the auth providers", [`providers[${index}]: ${(error as Error).message}`]);
    }
  });
  const now = options.now ?? Date.now;
  const adminKey = options.adminKey;
  const verified = new Map<string, Verified>();

  return {
    async verifyUserToken(token) {
      try {
        const cached = typeof token === "string" ? verified.get(token) : undefined;
        // A cached token is still timed by the clock; once past expiry it is verified afresh, which refuses it.
        if (cached !== undefined && now() < cached.expiresAtMs + CLOCK_TOLERANCE_SECONDS * 1000) {
          return { ok: true, ...cached };
        }
        const result = await verify(token, providers, now);
        verified.delete(token);
        verified.set(token, result);
        if (verified.size > VERIFIED_TOKEN_CACHE_SIZE) verified.delete(verified.keys().next().value!);
        return { ok: true, ...result };
      } catch (error) {
        if (typeof token === "string") verified.delete(token);
        return { ok: false, error: error instanceof TokenRejected ? error.message : unexpected(error) };
      }
    },
    isAdminKey(key) {
      return isAdminKey(key, adminKey);
    },
  };
}

function toProvider(config: AuthProviderConfig, fetchImpl: FetchLike, cooldownMs: number | undefined): Provider {
  if ("type" in config) {
    const issuer = withScheme(config.issuer);
    const label = JSON.stringify(issuer);
    return {
      style: "customJwt",
      issuer,
      label,
      applicationID: config.applicationID,
      algorithms: [config.algorithm],
      requiredClaims: ["exp", "sub"],
      keySet: keySetFor(config.jwks, label, fetchImpl, cooldownMs),
    };
  }
  const issuer = withScheme(config.domain);
  return {
    style: "oidc",
    issuer,
    label: JSON.stringify(issuer),
    applicationID: config.applicationID,
    algorithms: OIDC_ALGORITHMS,
    requiredClaims: ["exp", "iat", "sub", "aud"],
    keySet: oidcKeySet(issuer, fetchImpl, cooldownMs),
  };
}

async function verify(token: unknown, providers: readonly Provider[], now: () => number): Promise<Verified> {
  if (typeof token !== "string" || token.trim() === "") throw new TokenRejected("no token was given");
  if (token.length > MAX_TOKEN_CHARS) {
    throw new TokenRejected(`not a JWT: it is ${token.length} characters long (the limit is ${MAX_TOKEN_CHARS})`);
  }
  const { alg, kid, iss, aud } = decodeUnverified(token);
  const provider = route(providers, iss, aud);
  if (alg === undefined) throw new TokenRejected("the token header has no algorithm (alg)");
  if (!provider.algorithms.includes(alg)) {
    throw new TokenRejected(
      `the token is signed with ${alg}, but the provider for ${provider.label} accepts only ${provider.algorithms.join(" or ")}`,
    );
  }
  if (provider.style === "customJwt" && kid === undefined) {
    throw new TokenRejected("the token header has no key ID (kid); Convex needs one to pick the key from the JWKS");
  }

  const nowMs = now();
  let payload: JWTPayload;
  try {
    payload = await verifySignatureAndTimes(token, provider, nowMs);
  } catch (error) {
    throw explain(error, provider, alg, kid, nowMs);
  }
  if (typeof payload.sub !== "string" || payload.sub === "") {
    throw new TokenRejected("the token's subject (sub) claim must be a non-empty string");
  }
  if (typeof payload.iat === "number" && payload.iat > nowMs / 1000 + CLOCK_TOLERANCE_SECONDS) {
    throw new TokenRejected(`the token was issued in the future (iat ${isoSeconds(payload.iat)}, it is now ${iso(nowMs)})`);
  }
  // exp is a required claim, so jose has checked it is a number.
  return { identity: identityFromClaims(payload, provider.style), expiresAtMs: (payload.exp as number) * 1000 };
}

function decodeUnverified(token: string) {
  if (token.split(".").length !== 3) {
    throw new TokenRejected("not a JWT: expected three base64url parts separated by dots");
  }
  let header: ReturnType<typeof decodeProtectedHeader>;
  let payload: JWTPayload;
  try {
    header = decodeProtectedHeader(token);
    payload = decodeJwt(token);
  } catch {
    throw new TokenRejected("not a JWT: its header or payload is not base64url-encoded JSON");
  }
  if (typeof payload.iss !== "string" || payload.iss === "") {
    throw new TokenRejected("the token has no issuer (iss) claim");
  }
  const aud = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  return {
    alg: typeof header.alg === "string" ? header.alg : undefined,
    kid: typeof header.kid === "string" ? header.kid : undefined,
    iss: payload.iss,
    aud: aud.filter((a): a is string => typeof a === "string"),
  };
}

function route(providers: readonly Provider[], iss: string, aud: readonly string[]): Provider {
  if (providers.length === 0) {
    throw new TokenRejected("no auth providers are configured (convex/auth.config.ts), so no token is accepted");
  }
  const sameIss = providers.filter((p) => sameIssuer(p.issuer, iss));
  if (sameIss.length === 0) {
    const configured = providers.map((p) => p.label).join(", ");
    throw new TokenRejected(`issuer ${JSON.stringify(iss)} is not one of the configured issuers (${configured})`);
  }
  const provider = sameIss.find((p) => p.applicationID === undefined || aud.includes(p.applicationID));
  if (provider) return provider;
  const wanted = sameIss.map((p) => JSON.stringify(p.applicationID)).join(" or ");
  if (aud.length === 0) {
    throw new TokenRejected(
      `the token has no audience (aud) claim, but issuer ${sameIss[0].label} requires application ID ${wanted}`,
    );
  }
  throw new TokenRejected(
    `audience ${JSON.stringify(aud)} does not include the application ID ${wanted} configured for issuer ${sameIss[0].label}`,
  );
}

async function verifySignatureAndTimes(token: string, provider: Provider, nowMs: number): Promise<JWTPayload> {
  const options: JWTVerifyOptions = {
    algorithms: [...provider.algorithms],
    currentDate: new Date(nowMs),
    clockTolerance: CLOCK_TOLERANCE_SECONDS,
    requiredClaims: [...provider.requiredClaims],
    ...(provider.applicationID === undefined ? {} : { audience: provider.applicationID }),
  };
  try {
    return (await jwtVerify(token, await provider.keySet.keys(), options)).payload;
  } catch (error) {
    // An unknown key ID may mean the provider rotated its keys since we fetched them.
    if (error instanceof errors.JWKSNoMatchingKey && (await provider.keySet.refresh())) {
      return (await jwtVerify(token, await provider.keySet.keys(), options)).payload;
    }
    throw error;
  }
}

const CLAIM_NAMES: Record<string, string> = {
  exp: "expiry",
  nbf: "not-before",
  iat: "issued-at",
  sub: "subject",
  aud: "audience",
  iss: "issuer",
};

function explain(error: unknown, provider: Provider, alg: string, kid: string | undefined, nowMs: number): TokenRejected {
  if (error instanceof TokenRejected) return error;
  if (error instanceof errors.JWTExpired) {
    return new TokenRejected(`the token expired at ${isoSeconds(error.payload.exp)} (it is now ${iso(nowMs)})`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason } = error;
    if (reason === "missing") return new TokenRejected(`the token has no ${CLAIM_NAMES[claim] ?? claim} (${claim}) claim`);
    if (claim === "nbf" && reason === "check_failed") {
      return new TokenRejected(`the token is not valid before ${isoSeconds(error.payload.nbf)} (it is now ${iso(nowMs)})`);
    }
    if (claim === "aud") {
      return new TokenRejected(`the token's audience does not include the application ID configured for ${provider.label}`);
    }
    return new TokenRejected(`the token's ${claim} claim is invalid: ${error.message}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSMultipleMatchingKeys) {
    return new TokenRejected(`the signature does not verify against the JWKS of ${provider.label}`);
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    const which = kid === undefined ? `is usable with ${alg}` : `has key ID ${JSON.stringify(kid)} and is usable with ${alg}`;
    return new TokenRejected(`no key in the JWKS of ${provider.label} ${which}`);
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new TokenRejected(`the token is signed with ${alg}, which the provider for ${provider.label} does not accept`);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new TokenRejected(`the token is malformed: ${error.message}`);
  }
  if (error instanceof errors.JOSENotSupported) {
    return new TokenRejected(`the token uses something this backend does not support: ${error.message}`);
  }
  return new TokenRejected(unexpected(error));
}

function unexpected(error: unknown): string {
  const message = error instanceof Error ? error.message.split("\n")[0] : String(error);
  return `could not verify the token: ${message}`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function isoSeconds(seconds: unknown): string {
  return typeof seconds === "number" && Number.isFinite(seconds) ? iso(seconds * 1000) : String(seconds);
}
