// The `Authorization` header of the HTTP API, as ConvexHttpClient writes it:
//   Bearer <jwt>                         a user token
//   Convex <admin key>                   the admin key
//   Convex <admin key>:<base64 JSON>     the admin key acting as a user identity
//                                        (setAdminAuth(key, actingAsIdentity))
import type { JSONValue } from "convex/values";

export type AuthorizationHeader =
  | { readonly kind: "none" }
  | { readonly kind: "user"; readonly token: string }
  /** `actingAs` still encoded: only the holder of a valid admin key gets it decoded. */
  | { readonly kind: "admin"; readonly key: string; readonly actingAs: string | null }
  | { readonly kind: "malformed"; readonly message: string };

export function parseAuthorizationHeader(header: string | undefined): AuthorizationHeader {
  if (header === undefined || header.trim() === "") return { kind: "none" };
  const space = header.indexOf(" ");
  const scheme = space === -1 ? header : header.slice(0, space);
  const credentials = space === -1 ? "" : header.slice(space + 1).trim();
  if (credentials === "") return { kind: "malformed", message: `The Authorization header has no ${scheme} credentials.` };
  switch (scheme.toLowerCase()) {
    case "bearer":
      return { kind: "user", token: credentials };
    case "convex": {
      // Admin keys contain no ":"; an identity suffix follows the last one.
      const colon = credentials.lastIndexOf(":");
      return colon === -1
        ? { kind: "admin", key: credentials, actingAs: null }
        : { kind: "admin", key: credentials.slice(0, colon), actingAs: credentials.slice(colon + 1) };
    }
    default:
      return {
        kind: "malformed",
        message: `The Authorization header must be "Bearer <token>" or "Convex <admin key>", not "${scheme} …".`,
      };
  }
}

export function formatAuthorizationHeader(auth: Exclude<AuthorizationHeader, { kind: "none" | "malformed" }>): string {
  return auth.kind === "user"
    ? `Bearer ${auth.token}`
    : `Convex ${auth.key}${auth.actingAs === null ? "" : `:${auth.actingAs}`}`;
}

/** Decodes the base64 JSON identity ConvexHttpClient appends; null when it is not an object. */
export function decodeActingAs(encoded: string): { readonly [claim: string]: JSONValue } | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(encoded, "base64").toString("utf8"));
    return typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)
      ? (parsed as { [claim: string]: JSONValue })
      : null;
  } catch {
    return null;
  }
}
