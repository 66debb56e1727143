// Syscalls other than `ctx.db`: auth, the scheduler, calling other functions
// (`ctx.runQuery`/`runMutation` inside queries and mutations share the
// caller's transaction; from actions each call is its own transaction) and
// function metadata.
import { convexToJson, type JSONValue } from "convex/values";
import type { FunctionOutcome } from "../../../contracts.ts";
import type { Scheduler } from "../../scheduler/scheduler.ts";
import { functionNameOf } from "../../scheduler/scheduler.ts";
import type { ExecutionContext } from "../context.ts";
import { EngineError, syscallError, type Failure } from "../errors.ts";
import { checkArgs } from "../invoke.ts";
import type { FunctionRunner } from "../runner.ts";
import { requireTransaction } from "./database.ts";
import type { AsyncHandler, SyncHandler } from "./handlers.ts";

type Args = Record<string, unknown>;

/** The error a failed nested call throws in its caller (ConvexErrors keep their data). */
function nestedError(failure: Failure): Error {
  const message = failure.data !== undefined ? failure.message.replace(/^Uncaught ConvexError: /, "") : failure.message;
  return syscallError(message.split("\n    at ")[0], failure.data);
}

function fromOutcome(outcome: FunctionOutcome): string {
  if (outcome.ok) return JSON.stringify(outcome.value);
  const message = outcome.errorMessage.replace(/^\[Request ID: [^\]]*\] Server Error\n/, "");
  throw nestedError({ message, data: outcome.errorData });
}

function requireAction(ctx: ExecutionContext, what: string): void {
  if (ctx.kind !== "action") throw new Error(`${what} can only be called from an action.`);
}

function requireMutation(ctx: ExecutionContext, what: string): void {
  if (ctx.kind !== "mutation" || ctx.readOnly) throw new Error(`${what} can only be called from a mutation or an action.`);
}

export function functionSyscalls(runner: FunctionRunner, scheduler: Scheduler): {
  sync: Record<string, SyncHandler>;
  async: Record<string, AsyncHandler>;
} {
  /** `ctx.runQuery` / `ctx.runMutation` inside a query or mutation: a nested call in the same transaction. */
  const runNested: AsyncHandler = async (ctx, args) => {
    const tx = requireTransaction(ctx);
    const kind = args.udfType === "mutation" ? "mutation" : "query";
    if (kind === "mutation" && ctx.readOnly) throw new Error("ctx.runMutation cannot be called from a query.");
    const fn = runner.lookup(functionNameOf(args), "all", kind);
    if (fn instanceof EngineError) throw fn;
    const fnArgs = (args.args ?? {}) as JSONValue;
    const invalid = checkArgs(fn, fnArgs, tx.registry.resolveId);
    if (invalid) throw invalid;
    const savepoint = tx.savepoint();
    const child = runner.context(fn, ctx.identity, tx, ctx.run, { requestId: ctx.requestId, frozenNowMs: ctx.frozenNowMs });
    const result = await runner.invoke(child, fn, fnArgs);
    if (!result.ok) {
      tx.rollback(savepoint);
      throw nestedError(result.failure);
    }
    return JSON.stringify(result.value);
  };

  const sync: Record<string, SyncHandler> = {
    "1.0/getSnapshotTs": (ctx) => JSON.stringify(convexToJson(requireTransaction(ctx).snapshotTs)),
  };

  const async: Record<string, AsyncHandler> = {
    "1.0/getUserIdentity": (ctx) => {
      ctx.run.readsIdentity = true;
      return JSON.stringify(ctx.identity ?? null);
    },
    "1.0/runUdf": runNested,
    "1.0/actions/query": async (ctx, args) => {
      requireAction(ctx, "ctx.runQuery");
      return fromOutcome((await runner.query(functionNameOf(args), (args.args ?? {}) as JSONValue, ctx.identity, "all")).outcome);
    },
    "1.0/actions/mutation": async (ctx, args) => {
      requireAction(ctx, "ctx.runMutation");
      return fromOutcome((await runner.mutation(functionNameOf(args), (args.args ?? {}) as JSONValue, ctx.identity, "all")).outcome);
    },
    "1.0/actions/action": async (ctx, args) => {
      requireAction(ctx, "ctx.runAction");
      return fromOutcome((await runner.action(functionNameOf(args), (args.args ?? {}) as JSONValue, ctx.identity, "all")).outcome);
    },
    "1.0/schedule": (ctx, args) => {
      requireMutation(ctx, "ctx.scheduler.runAfter/runAt");
      return JSON.stringify(scheduler.schedule(requireTransaction(ctx), args));
    },
    "1.0/cancel_job": (ctx, args: Args) => {
      requireMutation(ctx, "ctx.scheduler.cancel");
      scheduler.cancel(requireTransaction(ctx), args.id);
      return "null";
    },
    "1.0/actions/schedule": async (ctx, args) => {
      requireAction(ctx, "1.0/actions/schedule");
      return JSON.stringify(await scheduler.systemTransaction((tx) => scheduler.schedule(tx, args)));
    },
    "1.0/actions/cancel_job": async (ctx, args) => {
      requireAction(ctx, "1.0/actions/cancel_job");
      await scheduler.systemTransaction((tx) => scheduler.cancel(tx, args.id));
      return "null";
    },
    "1.0/getFunctionMetadata": (ctx) => JSON.stringify({ name: ctx.path, componentPath: "" }),
    "1.0/getRequestMetadata": (ctx) =>
      JSON.stringify({
        ip: null,
        userAgent: null,
        requestId: ctx.requestId,
        scheduledFunctionId: ctx.scheduledJobId,
        authToken: null,
      }),
    "1.0/getDeploymentMetadata": () => JSON.stringify({ name: "csn-rt-embedded", region: null, class: "s16" }),
    "1.0/getTransactionMetrics": (ctx) => {
      const tx = requireTransaction(ctx);
      const c = tx.counters;
      const l = c.limits;
      const metric = (used: number, limit: number) => ({ used, remaining: Math.max(0, limit - used) });
      return JSON.stringify({
        bytesRead: metric(c.bytesRead, l.bytesRead),
        bytesWritten: metric(c.bytesWritten, l.bytesWritten),
        databaseQueries: metric(c.indexRangesRead, l.indexRangesRead),
        documentsRead: metric(c.documentsRead, l.documentsRead),
        documentsWritten: metric(c.documentsWritten, l.documentsWritten),
        functionsScheduled: metric(c.functionsScheduled, l.functionsScheduled),
        scheduledFunctionArgsBytes: metric(c.scheduledArgsBytes, l.scheduledArgsBytes),
        // File storage is not implemented, so nothing is ever used.
        filesWritten: metric(0, 0),
        fileWriteBytes: metric(0, 0),
        filesRead: metric(0, 0),
        fileReadBytes: metric(0, 0),
      });
    },
  };
  return { sync, async };
}
