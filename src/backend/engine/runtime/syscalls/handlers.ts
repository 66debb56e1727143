// Dispatches syscalls to their handlers and applies the rules every syscall
// shares: none after the function has ended or been stopped, the time limit
// is checked on each one (and time spent inside them is not charged to it),
// and limit errors are remembered so that catching them in user code cannot
// save the transaction.
import type { JSONValue } from "convex/values";
import { LimitError } from "../../transactions/limits.ts";
import { userTimeMs, type ExecutionContext, type SyscallHost } from "../context.ts";
import { FunctionTimeoutError, syscallError } from "../errors.ts";

export type SyncHandler = (ctx: ExecutionContext, args: Record<string, unknown>) => string;
export type AsyncHandler = (ctx: ExecutionContext, args: Record<string, unknown>) => string | Promise<string>;

export type HandlerTables = {
  readonly sync: Record<string, SyncHandler>;
  readonly async: Record<string, AsyncHandler>;
};

export class SyscallDispatcher implements SyscallHost {
  constructor(
    private readonly tables: HandlerTables,
    readonly clockNow: () => number,
  ) {}

  private guard(ctx: ExecutionContext): void {
    if (ctx.run.closed) throw new Error("This Convex function has already finished; its ctx can no longer be used.");
    if (ctx.run.fatal) throw ctx.run.fatal;
    if (userTimeMs(ctx.run) > ctx.run.timeoutMs) {
      ctx.run.fatal = new FunctionTimeoutError(ctx.run.timeoutMs);
      throw ctx.run.fatal;
    }
  }

  private toUserError(ctx: ExecutionContext, error: unknown): Error {
    if (error instanceof LimitError) ctx.run.fatal ??= error;
    if (error instanceof Error) {
      const data = (error as { data?: JSONValue }).data;
      return syscallError(error.message, data);
    }
    return syscallError(String(error));
  }

  syscall(ctx: ExecutionContext, op: string, args: Record<string, unknown>): string {
    const handler = this.tables.sync[op];
    const started = performance.now();
    try {
      this.guard(ctx);
      if (handler === undefined) throw new Error(`Unknown operation ${op}`);
      return handler(ctx, args);
    } catch (error) {
      throw this.toUserError(ctx, error);
    } finally {
      ctx.run.syscallMs += performance.now() - started;
    }
  }

  async asyncSyscall(ctx: ExecutionContext, op: string, args: Record<string, unknown>): Promise<string> {
    const handler = this.tables.async[op];
    const started = performance.now();
    let pending: Promise<string>;
    try {
      this.guard(ctx);
      if (handler === undefined) throw new Error(`Unknown async operation ${op}`);
      const result = handler(ctx, args);
      if (typeof result === "string") return result;
      pending = result;
    } catch (error) {
      throw this.toUserError(ctx, error);
    } finally {
      ctx.run.syscallMs += performance.now() - started;
    }
    // What remains is a nested function call: it runs user code, so its time counts.
    try {
      return await pending;
    } catch (error) {
      throw this.toUserError(ctx, error);
    }
  }
}
