// Who a connection or request runs functions as, plus the key under which
// its subscriptions are shared. Two viewers share a query result only when
// their identities are indistinguishable to the function: same kind, same
// claims. The key is the canonical JSON of the identity, so a refreshed token
// with identical claims keeps sharing.
import type { JSONValue } from "convex/values";
import type { Caller, UserIdentity } from "../contracts.ts";

export type ConnectionIdentity = {
  readonly caller: Caller;
  /** Subscriptions with equal (udfPath, args, journal, identity key) run once and share the result. */
  readonly key: string;
  /** Wall-clock ms after which the identity is no longer valid; null when it does not expire. */
  readonly expiresAtMs: number | null;
};

export const ANONYMOUS: ConnectionIdentity = { caller: { kind: "anonymous" }, key: "anonymous", expiresAtMs: null };

export function userIdentity(identity: UserIdentity, expiresAtMs: number | null): ConnectionIdentity {
  return { caller: { kind: "user", identity }, key: `user:${canonicalJson(identity)}`, expiresAtMs };
}

export function adminIdentity(actingAs: UserIdentity | undefined): ConnectionIdentity {
  return actingAs === undefined
    ? { caller: { kind: "admin" }, key: "admin", expiresAtMs: null }
    : { caller: { kind: "admin", actingAs }, key: `admin:${canonicalJson(actingAs)}`, expiresAtMs: null };
}

/**
 * The identity an admin acts as, from the client's `UserIdentityAttributes`
 * (which omit tokenIdentifier: Convex derives it as `issuer|subject`).
 */
export function impersonatedIdentity(
  attributes: { readonly [claim: string]: JSONValue },
): { ok: true; identity: UserIdentity } | { ok: false; error: string } {
  const { subject, issuer } = attributes;
  if (typeof subject !== "string" || typeof issuer !== "string") {
    return { ok: false, error: "The impersonated identity needs string `subject` and `issuer` claims." };
  }
  const tokenIdentifier =
    typeof attributes.tokenIdentifier === "string" ? attributes.tokenIdentifier : `${issuer}|${subject}`;
  return { ok: true, identity: { ...attributes, subject, issuer, tokenIdentifier } };
}

/** True once a token-backed identity has passed its expiry. */
export function isExpired(identity: ConnectionIdentity, nowMs: number): boolean {
  return identity.expiresAtMs !== null && nowMs >= identity.expiresAtMs;
}

/** JSON with object keys sorted, so equal identities give equal keys whatever the claim order. */
export function canonicalJson(value: JSONValue): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const keys = Object.keys(value)
    .filter((key) => value[key] !== undefined)
    .sort();
  return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(",")}}`;
}
