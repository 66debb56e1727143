// Expected refusals travel to clients as ConvexError data of this shape, so a
// client (or the load generator) can tell "you may not" from "try later" from
// a bug without parsing messages.
import { ConvexError } from "convex/values";

export type CsnErrorKind =
  | "Unauthenticated"
  | "Forbidden"
  | "NotFound"
  | "InvalidArgument"
  | "RateLimited"
  | "SessionInactive";

export type CsnErrorData = {
  kind: CsnErrorKind;
  message: string;
  /** RateLimited only: how long until the next attempt can succeed. */
  retryAfterMs?: number;
};

export function csnError(kind: CsnErrorKind, message: string, extra: { retryAfterMs?: number } = {}) {
  return new ConvexError<CsnErrorData>({ kind, message, ...extra });
}

export const invalidArgument = (message: string) => csnError("InvalidArgument", message);
export const notFound = (message: string) => csnError("NotFound", message);
export const forbidden = (message: string) => csnError("Forbidden", message);

/** Type guard for the `data` of an error thrown by a csn function. */
export function isCsnErrorData(data: unknown): data is CsnErrorData {
  return (
    typeof data === "object" &&
    data !== null &&
    typeof (data as { kind?: unknown }).kind === "string" &&
    typeof (data as { message?: unknown }).message === "string"
  );
}
