// A verified token's claims → what `ctx.auth.getUserIdentity()` returns,
// following the Convex backend (crates/keybroker `UserIdentity::from_token` /
// `from_custom_jwt`, serialised with camelCase field names):
//
//   custom JWT   every claim except the registered ones (iss sub aud exp nbf
//                iat jti) and Clerk's time-varying `fva`, kept under its own
//                name; nested objects are flattened to "outer.inner" keys.
//   OIDC         the standard OIDC claims become camelCase fields (given_name →
//                givenName, picture → pictureUrl, updated_at → updatedAt as an
//                RFC 3339 string, address → its `formatted` text); ID-token
//                housekeeping claims are dropped; any other claim is kept as-is.
//
// Keys are emitted in a fixed order (fixed fields, then custom claims sorted),
// so equal identities serialise equally and can share cached query results.
import type { JSONValue } from "convex/values";
import type { JWTPayload } from "jose";
import type { UserIdentity } from "../contracts.ts";

export type ClaimStyle = "customJwt" | "oidc";

const REGISTERED_CLAIMS = new Set(["iss", "sub", "aud", "exp", "nbf", "iat", "jti"]);

/** Claims Convex leaves out because they change on every refresh and would bust the query cache. */
const TIME_VARYING_CLAIMS = new Set(["fva"]);

/** ID-token claims the OIDC verifier consumes; they never reach the identity. */
const OIDC_HOUSEKEEPING_CLAIMS = new Set([
  ...REGISTERED_CLAIMS,
  "auth_time",
  "nonce",
  "acr",
  "amr",
  "azp",
  "at_hash",
  "c_hash",
]);

type StandardClaim = {
  readonly claim: string;
  readonly field: string;
  readonly read: (value: unknown) => JSONValue | undefined;
};

const asString = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);

/** Some providers send booleans as "true"/"false". */
const asBoolean = (value: unknown): boolean | undefined => {
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  return undefined;
};

/** OIDC `updated_at` is seconds since the epoch; Convex hands it out as RFC 3339 in UTC. */
const asRfc3339 = (value: unknown): string | undefined => {
  if (typeof value !== "number" || !Number.isFinite(value)) return undefined;
  const date = new Date(value * 1000);
  if (Number.isNaN(date.getTime())) return undefined;
  const iso = date.toISOString(); // 2024-01-15T10:30:00.000Z
  const fraction = iso.slice(19, 23) === ".000" ? "" : iso.slice(19, 23);
  return `${iso.slice(0, 19)}${fraction}+00:00`;
};

const asFormattedAddress = (value: unknown): string | undefined => {
  if (typeof value !== "object" || value === null) return undefined;
  return asString((value as { formatted?: unknown }).formatted);
};

/** In the order Convex serialises them. */
const OIDC_STANDARD_CLAIMS: readonly StandardClaim[] = [
  { claim: "name", field: "name", read: asString },
  { claim: "given_name", field: "givenName", read: asString },
  { claim: "family_name", field: "familyName", read: asString },
  { claim: "nickname", field: "nickname", read: asString },
  { claim: "preferred_username", field: "preferredUsername", read: asString },
  { claim: "profile", field: "profileUrl", read: asString },
  { claim: "picture", field: "pictureUrl", read: asString },
  { claim: "website", field: "websiteUrl", read: asString },
  { claim: "email", field: "email", read: asString },
  { claim: "email_verified", field: "emailVerified", read: asBoolean },
  { claim: "gender", field: "gender", read: asString },
  { claim: "birthdate", field: "birthday", read: asString },
  { claim: "zoneinfo", field: "timezone", read: asString },
  { claim: "locale", field: "language", read: asString },
  { claim: "phone_number", field: "phoneNumber", read: asString },
  { claim: "phone_number_verified", field: "phoneNumberVerified", read: asBoolean },
  { claim: "address", field: "address", read: asFormattedAddress },
  { claim: "updated_at", field: "updatedAt", read: asRfc3339 },
];
const OIDC_STANDARD_CLAIM_NAMES = new Set(OIDC_STANDARD_CLAIMS.map((c) => c.claim));

/** `payload` must already be verified and carry string `iss` and `sub`. */
export function identityFromClaims(payload: JWTPayload, style: ClaimStyle): UserIdentity {
  const issuer = payload.iss as string;
  const subject = payload.sub as string;
  const identity: Record<string, JSONValue> = {
    tokenIdentifier: `${issuer}|${subject}`,
    issuer,
    subject,
  };
  const custom: Record<string, JSONValue> = {};
  if (style === "oidc") {
    for (const { claim, field, read } of OIDC_STANDARD_CLAIMS) {
      const value = read(payload[claim]);
      if (value !== undefined) identity[field] = value;
    }
    for (const [claim, value] of Object.entries(payload)) {
      if (OIDC_HOUSEKEEPING_CLAIMS.has(claim) || OIDC_STANDARD_CLAIM_NAMES.has(claim)) continue;
      if (TIME_VARYING_CLAIMS.has(claim) || value === undefined) continue;
      custom[claim] = value as JSONValue;
    }
  } else {
    for (const [claim, value] of Object.entries(payload)) {
      if (REGISTERED_CLAIMS.has(claim) || value === undefined) continue;
      flattenInto(custom, claim, value as JSONValue);
    }
    for (const claim of TIME_VARYING_CLAIMS) delete custom[claim];
  }
  for (const claim of Object.keys(custom).sort()) {
    // The fixed fields win over a custom claim that happens to share their name.
    if (!(claim in identity)) identity[claim] = custom[claim];
  }
  return identity as UserIdentity;
}

function flattenInto(out: Record<string, JSONValue>, key: string, value: JSONValue): void {
  if (typeof value === "object" && value !== null && !Array.isArray(value)) {
    for (const [inner, innerValue] of Object.entries(value)) {
      if (innerValue !== undefined) flattenInto(out, `${key}.${inner}`, innerValue);
    }
    return;
  }
  out[key] = value;
}
