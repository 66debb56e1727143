// Runs one function in its execution context: argument and return
// validation as Convex does it (convex/server validates nothing itself),
// the user time limit, and turning whatever happened into a result.
import { jsonToConvex, type JSONValue, type Value } from "convex/values";
import { validationError, type IdResolver } from "../validation/validator.ts";
import { displayValue } from "../validation/display.ts";
import { LimitError } from "../transactions/limits.ts";
import { executionStorage, userTimeMs, type ExecutionContext } from "./context.ts";
import { describeThrown, EngineError, FunctionTimeoutError, type Failure } from "./errors.ts";
import type { RegisteredFunction } from "./modules.ts";

export type InvokeResult =
  | { readonly ok: true; readonly value: JSONValue }
  | { readonly ok: false; readonly failure: Failure; readonly thrownMessage: string; readonly data?: JSONValue };

/** Validates client args (the args object in convexToJson form); returns the error or null. */
export function checkArgs(fn: RegisteredFunction, args: JSONValue, resolveId: IdResolver): EngineError | null {
  let value: Value;
  try {
    value = jsonToConvex(args);
  } catch (error) {
    return new EngineError(`ArgumentValidationError: ${(error as Error).message}`);
  }
  if (fn.args === null) return null;
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof ArrayBuffer) {
    return new EngineError(
      `Expected to receive an object as the function's argument. Instead received: ${displayValue(value)}`,
    );
  }
  const problem = validationError(fn.args, value, resolveId);
  return problem === null ? null : new EngineError(`ArgumentValidationError: ${problem}`);
}

function checkReturns(fn: RegisteredFunction, result: JSONValue, resolveId: IdResolver): EngineError | null {
  if (fn.returns === null) return null;
  const problem = validationError(fn.returns, jsonToConvex(result), resolveId);
  return problem === null ? null : new EngineError(`ReturnsValidationError: ${problem}`);
}

function failed(thrown: unknown, functionsDir: string): InvokeResult {
  const failure = describeThrown(thrown, functionsDir);
  const thrownMessage = thrown instanceof Error ? thrown.message : String(thrown);
  return { ok: false, failure, thrownMessage, data: failure.data };
}

/**
 * Runs `fn` with `args` inside `ctx`, stopping it once it has used its time
 * limit (time since it started, minus time spent in syscalls — Convex counts
 * user code only, not database operations).
 *
 * A function awaiting forever is stopped by a timer; one awaiting syscalls in
 * a loop is stopped by the check in every syscall. A synchronous infinite
 * loop cannot be stopped in-process: it blocks the event loop, timers
 * included, until it ends.
 */
export async function invokeInContext(
  ctx: ExecutionContext,
  fn: RegisteredFunction,
  args: JSONValue,
  resolveId: IdResolver,
  functionsDir: string,
): Promise<InvokeResult> {
  const { run } = ctx;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    // Re-armed while time went to syscalls, which the limit does not count.
    const arm = () => {
      const remaining = run.timeoutMs - userTimeMs(run);
      if (remaining > 0) {
        timer = setTimeout(arm, remaining);
        return;
      }
      const error = new FunctionTimeoutError(run.timeoutMs);
      run.fatal ??= error;
      reject(error);
    };
    arm();
  });
  let result: InvokeResult;
  try {
    const running = executionStorage.run(ctx, () => fn.invoke(JSON.stringify([args]), ctx.requestId));
    const json = await Promise.race([running, timeout]);
    result = { ok: true, value: JSON.parse(json) as JSONValue };
  } catch (thrown) {
    result = failed(thrown, functionsDir);
  } finally {
    clearTimeout(timer);
  }
  // Limits and timeouts fail the function even when user code caught them.
  const fatal = run.fatal;
  if (fatal) {
    if (fatal instanceof LimitError) return failed(new Error(fatal.message), functionsDir);
    return failed(fatal, functionsDir);
  }
  if (result.ok && userTimeMs(run) > run.timeoutMs) return failed(new FunctionTimeoutError(run.timeoutMs), functionsDir);
  if (result.ok) {
    const problem = checkReturns(fn, result.value, resolveId);
    if (problem) return failed(problem, functionsDir);
  }
  return result;
}
