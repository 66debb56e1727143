// How failures reach clients. Real Convex (dev deployment) answers
// "[Request ID: <id>] Server Error\n<error>", where <error> is
// "Uncaught <Name>: <message>" plus stack frames for anything the function
// threw, and a bare message for checks the backend made before or after
// running it (see convex-backend crates/application/src/redaction.rs and
// crates/isolate/src/helpers.rs `format_uncaught_error`). A thrown
// ConvexError also carries its data, convexToJson'd, as `errorData`.
import { randomBytes } from "node:crypto";
import path from "node:path";
import type { JSONValue } from "convex/values";
import type { FunctionOutcome } from "../../contracts.ts";

/** A failure the backend detected itself (not thrown by user code): printed without "Uncaught". */
export class EngineError extends Error {
  constructor(
    message: string,
    readonly data?: JSONValue,
  ) {
    super(message);
    this.name = "EngineError";
  }
}

/** Rust's Duration debug format, as in "maximum duration: 1s" or "200ms". */
function formatDuration(ms: number): string {
  return ms >= 1000 ? `${ms / 1000}s` : `${ms}ms`;
}

export class FunctionTimeoutError extends EngineError {
  constructor(timeoutMs: number) {
    super(`Function execution timed out (maximum duration: ${formatDuration(timeoutMs)})`);
  }
}

/** An error thrown into user code by a syscall; `data` makes convex/server rethrow it as a ConvexError. */
export function syscallError(message: string, data?: JSONValue): Error & { data?: JSONValue } {
  const error: Error & { data?: JSONValue } = new Error(message);
  if (data !== undefined) error.data = data;
  return error;
}

/** Request ids are 16 hex digits like Convex's: a random per-process prefix and a counter. */
const requestIdPrefix = randomBytes(4).toString("hex");
let requestCounter = 0;

export function newRequestId(): string {
  requestCounter = (requestCounter + 1) % 0x100000000;
  return requestIdPrefix + requestCounter.toString(16).padStart(8, "0");
}

export type Failure = { readonly message: string; readonly data?: JSONValue };

function isConvexError(thrown: object): thrown is Error & { data: unknown } {
  return Symbol.for("ConvexError") in thrown || "ConvexErrorSymbol" in thrown;
}

/** Stack frames that point into the functions folder, shown relative to it like Convex does. */
function userFrames(stack: string | undefined, functionsDir: string): string {
  if (!stack) return "";
  const base = `../${path.basename(functionsDir)}`;
  const frames = stack
    .split("\n")
    .slice(1)
    .filter((line) => line.includes(functionsDir) && !line.includes("node_modules"))
    .map((line) => line.replace(/file:\/\//g, "").split(functionsDir).join(base));
  return frames.length === 0 ? "" : `\n${frames.join("\n")}`;
}

/** What a function threw, as Convex reports it. */
export function describeThrown(thrown: unknown, functionsDir: string): Failure {
  if (thrown instanceof EngineError) return { message: thrown.message, data: thrown.data };
  if (thrown !== null && typeof thrown === "object" && isConvexError(thrown)) {
    // convex/server's invokeFunction has already replaced `data` by its JSON text.
    const raw = thrown.data;
    const data = typeof raw === "string" ? (JSON.parse(raw) as JSONValue) : null;
    return { message: `Uncaught ConvexError: ${thrown.message}${userFrames(thrown.stack, functionsDir)}`, data };
  }
  if (thrown instanceof Error) {
    const head = thrown.message ? `Uncaught ${thrown.name}: ${thrown.message}` : `Uncaught ${thrown.name}`;
    return { message: `${head}${userFrames(thrown.stack, functionsDir)}` };
  }
  return { message: `Uncaught ${String(thrown)}` };
}

export function failedOutcome(requestId: string, failure: Failure, logLines: string[]): FunctionOutcome {
  const errorMessage = `[Request ID: ${requestId}] Server Error\n${failure.message}`;
  return failure.data === undefined
    ? { ok: false, errorMessage, logLines }
    : { ok: false, errorMessage, errorData: failure.data, logLines };
}
