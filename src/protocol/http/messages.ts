// The Convex HTTP API's shapes, as `ConvexHttpClient` (convex 1.48,
// browser/http_client.ts) uses them:
//
//   POST /api/query | /api/mutation | /api/action
//        body {path, args: [argsObject] | argsObject, format?}
//   POST /api/query_ts                → {ts}            (consistentQuery)
//   POST /api/query_at_ts             body {path, args, ts, format?}
//
// A function that ran and failed is still HTTP 200 with `status: "error"`
// (the client also accepts 560); a request that could not be run at all is a
// 4xx with `{code, message}` (the client throws the body text).
import type { JSONValue } from "convex/values";

/**
 * How values are written back. `convex_encoded_json` (what ConvexHttpClient
 * asks for) keeps Convex's `{"$integer": …}` forms so the client can decode
 * them; `json` is Convex's "clean" export for humans and curl.
 */
export type ValueFormat = "convex_encoded_json" | "json";

export type UdfRequest = {
  readonly path: string;
  /** The single args object, convexToJson form. */
  readonly args: { readonly [key: string]: JSONValue };
  readonly format: ValueFormat;
};

export type UdfAtTsRequest = UdfRequest & { readonly ts: bigint };

export type UdfResponse =
  | { readonly status: "success"; readonly value: JSONValue; readonly logLines: string[] }
  | {
      readonly status: "error";
      readonly errorMessage: string;
      /** Only for a ConvexError (the client wraps any present value in ConvexError). */
      readonly errorData?: JSONValue;
      readonly logLines: string[];
    };

/** Body of every 4xx/5xx: a machine-readable code and a sentence. */
export type HttpErrorBody = { readonly code: string; readonly message: string };

/** `GET /api/csn-rt/clock` and the answer to `POST /api/csn-rt/clock/advance`. */
export type ClockState = { readonly mode: "real" | "virtual"; readonly now: number };

/** `POST /api/csn-rt/clock/advance` (admin only). */
export type ClockAdvanceRequest = { readonly ms: number };

export type Validated<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly message: string };
