// Turns what a client presents — a user token, the admin key, nothing — into
// a ConnectionIdentity. Shared by the sync protocol's Authenticate and the
// HTTP API's Authorization header so both refuse the same things the same way.
import type { JSONValue } from "convex/values";
import { decodeActingAs, parseAuthorizationHeader } from "../../protocol/http/index.ts";
import type { Authenticate } from "../../protocol/sync/index.ts";
import type { Authenticator } from "../contracts.ts";
import { ANONYMOUS, adminIdentity, impersonatedIdentity, userIdentity, type ConnectionIdentity } from "./identity.ts";

export type IdentityCheck = { readonly ok: true; readonly identity: ConnectionIdentity } | { readonly ok: false; readonly error: string };

export async function identityForUserToken(authenticator: Authenticator, token: string): Promise<IdentityCheck> {
  try {
    const verified = await authenticator.verifyUserToken(token);
    return verified.ok
      ? { ok: true, identity: userIdentity(verified.identity, verified.expiresAtMs) }
      : { ok: false, error: verified.error };
  } catch (error) {
    // A throwing authenticator is a bug there; the client still gets a refusal, never a session.
    return { ok: false, error: `Could not verify the token: ${(error as Error).message}` };
  }
}

export function identityForAdminKey(
  authenticator: Authenticator,
  key: string,
  actingAs: { readonly [claim: string]: JSONValue } | undefined,
): IdentityCheck {
  if (!authenticator.isAdminKey(key)) return { ok: false, error: "The admin key is invalid." };
  if (actingAs === undefined) return { ok: true, identity: adminIdentity(undefined) };
  const impersonated = impersonatedIdentity(actingAs);
  return impersonated.ok ? { ok: true, identity: adminIdentity(impersonated.identity) } : impersonated;
}

/** The identity a sync-protocol Authenticate asks for, or why it is refused. */
export async function identityForAuthenticate(authenticator: Authenticator, message: Authenticate): Promise<IdentityCheck> {
  switch (message.tokenType) {
    case "None":
      return { ok: true, identity: ANONYMOUS };
    case "User":
      return identityForUserToken(authenticator, message.value);
    case "Admin":
      return identityForAdminKey(authenticator, message.value, message.impersonating);
    default:
      message satisfies never;
      throw new Error("unreachable");
  }
}

/** The identity an HTTP request's Authorization header asks for, or why it is refused. */
export async function identityForAuthorization(
  authenticator: Authenticator,
  header: string | undefined,
): Promise<IdentityCheck & { readonly code?: string }> {
  const parsed = parseAuthorizationHeader(header);
  switch (parsed.kind) {
    case "none":
      return { ok: true, identity: ANONYMOUS };
    case "user": {
      const check = await identityForUserToken(authenticator, parsed.token);
      return check.ok ? check : { ...check, code: "Unauthenticated" };
    }
    case "admin": {
      const actingAs = parsed.actingAs === null ? undefined : decodeActingAs(parsed.actingAs);
      if (actingAs === null) return { ok: false, error: "The acting-as identity after the admin key is not base64 JSON.", code: "BadAdminKey" };
      const check = identityForAdminKey(authenticator, parsed.key, actingAs);
      return check.ok ? check : { ...check, code: "BadAdminKey" };
    }
    case "malformed":
      return { ok: false, error: parsed.message, code: "Unauthenticated" };
    default:
      parsed satisfies never;
      throw new Error("unreachable");
  }
}
