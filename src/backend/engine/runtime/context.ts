// The function that is running right now, found through AsyncLocalStorage.
// Every Convex function calls the one process-wide `globalThis.Convex`
// syscall object; many run concurrently and interleave at every `await`, so
// each syscall is routed to the transaction of the function whose async
// context it was made in.
import { AsyncLocalStorage } from "node:async_hooks";
import { inspect } from "node:util";
import type { UserIdentity } from "../../contracts.ts";
import type { QueryStream } from "../query/stream.ts";
import type { Transaction } from "../transactions/transaction.ts";
import { installDateShim } from "./dateShim.ts";
import { FunctionTimeoutError } from "./errors.ts";
import { LOOP_CHECK_GLOBAL } from "./loopGuard/loopCheckGlobal.ts";
import type { FunctionKind, Visibility } from "./modules.ts";

/** "Log lines per function: 256"; later lines are dropped (docs.convex.dev limits page). */
const MAX_LOG_LINES = 256;
/** "Length of a console.log line: 4 KiB". */
const MAX_LOG_LINE_LENGTH = 4096;

/** State shared by one top-level run and the nested functions it calls in its transaction. */
export type RunState = {
  /** An error that fails the run even if user code caught it (limits, timeouts). */
  fatal: Error | null;
  readonly logLines: string[];
  /** performance.now() when the run started. */
  readonly startedAt: number;
  /** Time spent inside syscalls: database work, which Convex's time limit does not count. */
  syscallMs: number;
  /** The limit on the rest: user code (and, here, waiting for the shared event loop). */
  readonly timeoutMs: number;
  /** Set when the run has ended; syscalls from stray continuations then fail. */
  closed: boolean;
  /** The function (or one it called) asked for the caller's identity. */
  readsIdentity: boolean;
};

export type ExecutionContext = {
  readonly host: SyscallHost;
  readonly kind: FunctionKind;
  readonly path: string;
  readonly visibility: Visibility;
  readonly identity: UserIdentity | null;
  /** Null for actions: they reach the database only through runQuery/runMutation. */
  readonly tx: Transaction | null;
  readonly readOnly: boolean;
  /** Time frozen at the start of a query or mutation; null means "ask the clock" (actions). */
  readonly frozenNowMs: number | null;
  readonly requestId: string;
  readonly run: RunState;
  readonly queries: Map<number, QueryStream>;
  nextQueryId: number;
  /** Reactive pagination journal: the end cursor of an earlier run, and the one this run produces. */
  readonly pagination: { used: boolean; previousEndCursor: string | null; endCursor: string | null };
  readonly scheduledJobId: string | null;
};

/** Implemented by the engine: executes one syscall for the function in `ctx`. */
export interface SyscallHost {
  syscall(ctx: ExecutionContext, op: string, args: Record<string, unknown>): string;
  asyncSyscall(ctx: ExecutionContext, op: string, args: Record<string, unknown>): Promise<string>;
  clockNow(): number;
}

// One store per process, even if this module is loaded more than once (test
// runners, bundlers): the Date shim and console capture are installed once and
// must see every engine's functions.
const STORAGE = Symbol.for("csn-rt.engine.executionStorage");
const slots = globalThis as unknown as Record<symbol, AsyncLocalStorage<ExecutionContext> | undefined>;
export const executionStorage: AsyncLocalStorage<ExecutionContext> = (slots[STORAGE] ??= new AsyncLocalStorage());

export function currentContext(): ExecutionContext | undefined {
  return executionStorage.getStore();
}

function requireContext(): ExecutionContext {
  const ctx = executionStorage.getStore();
  if (ctx === undefined) {
    throw new Error(
      "The Convex database and auth objects are being used outside of a Convex backend. " +
        "Did you mean to use `useQuery` or `useMutation` to call a Convex function?",
    );
  }
  return ctx;
}

const convexGlobal = {
  syscall(op: string, jsonArgs: string): string {
    const ctx = requireContext();
    return ctx.host.syscall(ctx, op, JSON.parse(jsonArgs) as Record<string, unknown>);
  },
  asyncSyscall(op: string, jsonArgs: string): Promise<string> {
    try {
      const ctx = requireContext();
      return ctx.host.asyncSyscall(ctx, op, JSON.parse(jsonArgs) as Record<string, unknown>);
    } catch (error) {
      return Promise.reject(error);
    }
  },
  jsSyscall(op: string): never {
    throw new Error(`The embedded backend does not support the "${op}" operation (file storage is not implemented).`);
  },
};

function formatLogLine(level: string, args: unknown[]): string {
  const text = args.map((arg) => inspect(arg, { depth: 5, breakLength: Infinity })).join(" ");
  const line = `[${level}] ${text}`;
  return line.length > MAX_LOG_LINE_LENGTH ? `${line.slice(0, MAX_LOG_LINE_LENGTH)} (truncated due to length)` : line;
}

function captureConsole(): void {
  const levels: [keyof Console, string][] = [
    ["log", "LOG"], ["info", "INFO"], ["warn", "WARN"], ["error", "ERROR"], ["debug", "DEBUG"],
  ];
  for (const [method, level] of levels) {
    const original = console[method] as (...args: unknown[]) => void;
    (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const ctx = executionStorage.getStore();
      if (ctx === undefined) return original.apply(console, args);
      if (ctx.run.logLines.length < MAX_LOG_LINES) ctx.run.logLines.push(formatLogLine(level, args));
    };
  }
}

const INSTALLED = Symbol.for("csn-rt.engine.runtimeInstalled");

/**
 * Installs, once per process: `globalThis.Convex`, the function-aware `Date`,
 * console capture (a function's console output becomes its log lines) and
 * the time check that loops instrumented by loopGuard/ call.
 */
export function installRuntime(): void {
  const host = globalThis as unknown as Record<symbol | string, unknown>;
  host.Convex = convexGlobal;
  host[LOOP_CHECK_GLOBAL] = checkRunningTime;
  if (host[INSTALLED]) return;
  host[INSTALLED] = true;
  installDateShim(() => {
    const ctx = executionStorage.getStore();
    if (ctx === undefined) return undefined;
    return ctx.frozenNowMs ?? ctx.host.clockNow();
  });
  captureConsole();
}

export function newRunState(timeoutMs: number, logLines: string[] = []): RunState {
  return { fatal: null, logLines, startedAt: performance.now(), syscallMs: 0, timeoutMs, closed: false, readsIdentity: false };
}

/** How much of the time limit the run has used: time since it started, minus syscalls. */
export function userTimeMs(run: RunState): number {
  return performance.now() - run.startedAt - run.syscallMs;
}

/** How many loop checks pass before one reads the clock (a read costs ~50 ns; a tight loop turn ~1 ns). */
const CHECKS_PER_CLOCK_READ = 128;
let checksSinceClockRead = 0;

/**
 * Called by instrumented user code on every loop iteration and catch clause
 * (loopGuard/instrumentLoops.ts): throws once the function running in this
 * async context is past its time limit. Outside a function (module top
 * level, a stray timer) it does nothing. The error also becomes the run's
 * fatal one, so catching it does not save the function. Only every 128th
 * call looks, so a loop is stopped up to 127 turns late.
 */
export function checkRunningTime(): void {
  if (++checksSinceClockRead < CHECKS_PER_CLOCK_READ) return;
  checksSinceClockRead = 0;
  const ctx = executionStorage.getStore();
  if (ctx === undefined) return;
  const { run } = ctx;
  if (userTimeMs(run) <= run.timeoutMs) return;
  run.fatal ??= new FunctionTimeoutError(run.timeoutMs);
  throw run.fatal;
}
