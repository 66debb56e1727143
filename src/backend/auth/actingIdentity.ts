// An admin may act as a user: the `convex` client's `setAdminAuth(key,
// actingAs)` sends the user's attributes (UserIdentityAttributes: camelCase,
// no tokenIdentifier) as `impersonating` in its Authenticate message. As in
// the Convex backend, a missing tokenIdentifier is built from issuer and
// subject. Unlike it, issuer and subject are required here, because every
// identity this backend hands to functions carries them.
import type { JSONValue } from "convex/values";
import type { UserIdentity } from "../contracts.ts";

export function actingIdentityFrom(
  attributes: unknown,
): { readonly ok: true; readonly identity: UserIdentity } | { readonly ok: false; readonly error: string } {
  if (typeof attributes !== "object" || attributes === null || Array.isArray(attributes)) {
    return { ok: false, error: "the identity to act as must be an object of user attributes" };
  }
  const { issuer, subject, tokenIdentifier, ...rest } = attributes as Record<string, unknown>;
  if (typeof issuer !== "string" || issuer === "" || typeof subject !== "string" || subject === "") {
    return { ok: false, error: "the identity to act as must have a non-empty issuer and subject" };
  }
  if (tokenIdentifier !== undefined && typeof tokenIdentifier !== "string") {
    return { ok: false, error: "the identity to act as has a tokenIdentifier that is not a string" };
  }
  const identity: Record<string, JSONValue> = {
    tokenIdentifier: tokenIdentifier ?? `${issuer}|${subject}`,
    issuer,
    subject,
  };
  for (const key of Object.keys(rest).sort()) {
    if (rest[key] !== undefined) identity[key] = rest[key] as JSONValue;
  }
  return { ok: true, identity: identity as UserIdentity };
}
