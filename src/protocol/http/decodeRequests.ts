// Strict validation of HTTP API request bodies. Each returns every problem
// as a sentence (the server answers 400 with it), never throws.
import type { JSONValue } from "convex/values";
import { decodeTs } from "../sync/timestamp.ts";
import type { ClockAdvanceRequest, UdfAtTsRequest, UdfRequest, Validated, ValueFormat } from "./messages.ts";

type JsonObject = { readonly [key: string]: JSONValue };

/** Convex's accepted `format` names (its ValueFormat::from_str), legacy aliases included. */
const FORMATS: Readonly<Record<string, ValueFormat>> = {
  convex_encoded_json: "convex_encoded_json",
  convex_json: "convex_encoded_json",
  json: "json",
  convex_clean_json: "json",
};

/**
 * The largest virtual-clock step accepted in one call: a year. Larger steps
 * are almost certainly a unit mistake (µs or ns for ms) and would fire every
 * scheduled job at once.
 */
const MAX_CLOCK_ADVANCE_MS = 365 * 24 * 60 * 60 * 1000;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function decodeUdfRequest(body: unknown): Validated<UdfRequest> {
  if (!isObject(body)) return { ok: false, message: "The request body must be a JSON object." };
  const problems: string[] = [];
  const path = body.path;
  if (typeof path !== "string" || path === "") problems.push("`path` must be a function path such as \"chat:send\".");
  const args = singleArgsObject(body.args);
  if (args === null) problems.push("`args` must be an object, or an array holding exactly one object.");
  const format = decodeFormat(body.format);
  if (format === null) problems.push(`\`format\` must be one of ${Object.keys(FORMATS).join(", ")}.`);
  if (problems.length > 0) return { ok: false, message: problems.join(" ") };
  return { ok: true, value: { path: path as string, args: args!, format: format! } };
}

function decodeFormat(format: unknown): ValueFormat | null {
  if (format === undefined || format === null) return "convex_encoded_json";
  return typeof format === "string" && Object.hasOwn(FORMATS, format) ? FORMATS[format] : null;
}

export function decodeUdfAtTsRequest(body: unknown): Validated<UdfAtTsRequest> {
  const base = decodeUdfRequest(body);
  const ts = isObject(body) ? decodeTs(body.ts) : null;
  if (!base.ok) return ts === null ? { ok: false, message: `${base.message} \`ts\` must be an encoded timestamp.` } : base;
  if (ts === null) return { ok: false, message: "`ts` must be an encoded timestamp from /api/query_ts." };
  return { ok: true, value: { ...base.value, ts } };
}

export function decodeClockAdvance(body: unknown): Validated<ClockAdvanceRequest> {
  const ms = isObject(body) ? body.ms : undefined;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0 || ms > MAX_CLOCK_ADVANCE_MS) {
    return {
      ok: false,
      message: `The body must be {"ms": n} with n a number of milliseconds from 0 to ${MAX_CLOCK_ADVANCE_MS}.`,
    };
  }
  return { ok: true, value: { ms } };
}

/**
 * Clients send `[argsObject]` (ConvexHttpClient, the sync protocol); the
 * `/api/run`-style and hand-written requests send the object itself.
 */
export function singleArgsObject(args: unknown): JsonObject | null {
  if (args === undefined || args === null) return {};
  if (Array.isArray(args)) return args.length === 1 && isObject(args[0]) ? args[0] : null;
  return isObject(args) ? args : null;
}
