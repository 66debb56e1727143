/**
 * Runs queries, mutations and actions: finds the function, checks who may
 * call it, validates arguments, runs it in a transaction (or, for actions,
 * outside one) and turns the result into an outcome.
 *
 * Mutations commit optimistically. A mutation whose snapshot went stale
 * (a later commit wrote into what it read) runs again. The first attempt
 * runs concurrently with everything else; retries run one at a time with
 * other commits held back (Committer.exclusive), so a retry cannot conflict
 * and heavy contention on one document (50 increments of one counter) costs
 * one extra run per mutation instead of a retry storm. After `maxAttempts`
 * the mutation fails with Convex's OCC error.
 */
import type { JSONValue } from "convex/values";
import type { ActionRun, FunctionOutcome, MutationRun, QueryRun, UserIdentity } from "../../contracts.ts";
import type { EngineClock } from "../clock.ts";
import type { TableRegistry } from "../storage/tables.ts";
import type { Committer } from "../transactions/committer.ts";
import type { Transaction } from "../transactions/transaction.ts";
import { newRunState, type ExecutionContext, type RunState, type SyscallHost } from "./context.ts";
import { EngineError, failedOutcome, newRequestId } from "./errors.ts";
import { checkArgs, invokeInContext, type InvokeResult } from "./invoke.ts";
import type { FunctionKind, LoadedModules, RegisteredFunction } from "./modules.ts";
import { canonicalizePath, displayPath, displayPathWithModule } from "./paths.ts";

/** Who may be reached: clients reach public functions; admins and other functions reach all. */
export type Access = "public" | "all";

export type RunnerOptions = {
  readonly functionsDir: string;
  /** Convex: "Query/mutation execution time: 1 second" (docs.convex.dev limits page). */
  readonly queryMutationTimeoutMs: number;
  readonly actionTimeoutMs: number;
  /** Convex retries a conflicting mutation 4 times (UDF_EXECUTOR_OCC_MAX_RETRIES), so 5 attempts. */
  readonly maxMutationAttempts: number;
  /** Run retries one at a time with commits held back (see the file comment). */
  readonly serializeRetries: boolean;
};

export type MutationHooks = {
  /** Runs in the transaction right before it commits; may write (a scheduled job marks itself done). */
  readonly beforeCommit?: (tx: Transaction) => void;
  readonly scheduledJobId?: string;
  /** Committed with the writes, with the result (see Transaction.mutationRecord). */
  readonly idempotencyKey?: string;
};

/** Thrown by a beforeCommit hook to drop the run without committing (e.g. its job was canceled). */
export class SkipCommit extends Error {}

const KIND_NAMES: Record<FunctionKind, string> = { query: "Query", mutation: "Mutation", action: "Action" };

type Attempt = { readonly done: MutationRun } | { readonly conflict: string };

export class FunctionRunner {
  host!: SyscallHost;

  constructor(
    private readonly modules: LoadedModules,
    private readonly registry: TableRegistry,
    private readonly committer: Committer,
    private readonly clock: EngineClock,
    private readonly options: RunnerOptions,
  ) {}

  /** The function at `path` if `access` may run it as `kind`; otherwise Convex's error. */
  lookup(path: string, access: Access, kind: FunctionKind): RegisteredFunction | EngineError {
    const canonical = canonicalizePath(path);
    const fn = this.modules.functions.get(canonical.path);
    if (fn === undefined || (access === "public" && fn.visibility === "internal")) {
      return new EngineError(
        access === "public"
          ? `Could not find public function for '${displayPath(canonical)}'.`
          : `Could not find function for '${displayPath(canonical)}'. Did you forget to run \`npx convex dev\`?`,
      );
    }
    if (fn.kind !== kind) {
      return new EngineError(
        `Trying to execute ${displayPathWithModule(canonical)} as ${KIND_NAMES[kind]}, but it is defined as ${KIND_NAMES[fn.kind]}.`,
      );
    }
    return fn;
  }

  /** A fresh execution context; `run` is shared with the caller for nested functions. */
  context(
    fn: RegisteredFunction,
    identity: UserIdentity | null,
    tx: Transaction | null,
    run: RunState,
    extra: {
      requestId?: string;
      previousEndCursor?: string | null;
      scheduledJobId?: string | null;
      /** A nested call keeps its caller's frozen time. */
      frozenNowMs?: number | null;
    } = {},
  ): ExecutionContext {
    return {
      host: this.host,
      kind: fn.kind,
      path: fn.path,
      visibility: fn.visibility,
      identity,
      tx,
      readOnly: fn.kind === "query",
      frozenNowMs: fn.kind === "action" ? null : (extra.frozenNowMs ?? this.clock.now()),
      requestId: extra.requestId ?? newRequestId(),
      run,
      queries: new Map(),
      nextQueryId: 0,
      pagination: { used: false, previousEndCursor: extra.previousEndCursor ?? null, endCursor: null },
      scheduledJobId: extra.scheduledJobId ?? null,
    };
  }

  invoke(ctx: ExecutionContext, fn: RegisteredFunction, args: JSONValue): Promise<InvokeResult> {
    return invokeInContext(ctx, fn, args, this.registry.resolveId, this.options.functionsDir);
  }

  private outcome(result: InvokeResult, requestId: string, logLines: string[]): FunctionOutcome {
    return result.ok ? { ok: true, value: result.value, logLines } : failedOutcome(requestId, result.failure, logLines);
  }

  private preflight(path: string, args: JSONValue, access: Access, kind: FunctionKind): RegisteredFunction | EngineError {
    const fn = this.lookup(path, access, kind);
    if (fn instanceof EngineError) return fn;
    return checkArgs(fn, args, this.registry.resolveId) ?? fn;
  }

  async query(path: string, args: JSONValue, identity: UserIdentity | null, access: Access, journal: string | null = null): Promise<QueryRun> {
    const requestId = newRequestId();
    const tx = this.committer.begin(false);
    const fn = this.preflight(path, args, access, "query");
    if (fn instanceof EngineError) {
      this.committer.end(tx);
      return { outcome: failedOutcome(requestId, { message: fn.message }, []), readSet: tx.readSet, ts: tx.snapshotTs, journal: null, readsIdentity: false };
    }
    const run = newRunState(this.options.queryMutationTimeoutMs);
    const ctx = this.context(fn, identity, tx, run, { requestId, previousEndCursor: parseJournal(journal) });
    const result = await this.invoke(ctx, fn, args);
    run.closed = true;
    this.committer.end(tx);
    const nextJournal = ctx.pagination.used ? JSON.stringify({ endCursor: ctx.pagination.endCursor }) : null;
    return {
      outcome: this.outcome(result, requestId, run.logLines),
      readSet: tx.readSet,
      ts: tx.snapshotTs,
      journal: nextJournal,
      readsIdentity: run.readsIdentity,
    };
  }

  async mutation(path: string, args: JSONValue, identity: UserIdentity | null, access: Access, hooks: MutationHooks = {}): Promise<MutationRun> {
    const requestId = newRequestId();
    const fn = this.preflight(path, args, access, "mutation");
    if (fn instanceof EngineError) {
      return { outcome: failedOutcome(requestId, { message: fn.message }, []), ts: this.committer.latestTs };
    }
    let conflictTable = "";
    for (let attempt = 1; attempt <= this.options.maxMutationAttempts; attempt++) {
      const serialized = attempt > 1 && this.options.serializeRetries;
      const result = serialized
        ? await this.committer.exclusive(() => this.mutationAttempt(fn, args, identity, requestId, hooks, true))
        : await this.mutationAttempt(fn, args, identity, requestId, hooks, false);
      if ("done" in result) return result.done;
      conflictTable = result.conflict;
      if (!serialized) await backoff(attempt);
    }
    const message = `Documents read from or written to the "${conflictTable}" table changed while this mutation was being run and on every subsequent retry. See https://docs.convex.dev/error#1`;
    return { outcome: failedOutcome(requestId, { message }, []), ts: this.committer.latestTs };
  }

  private async mutationAttempt(
    fn: RegisteredFunction,
    args: JSONValue,
    identity: UserIdentity | null,
    requestId: string,
    hooks: MutationHooks,
    exclusive: boolean,
  ): Promise<Attempt> {
    const tx = this.committer.begin(true);
    const run = newRunState(this.options.queryMutationTimeoutMs);
    const ctx = this.context(fn, identity, tx, run, { requestId, scheduledJobId: hooks.scheduledJobId });
    const result = await this.invoke(ctx, fn, args);
    run.closed = true;
    if (!result.ok) {
      this.committer.end(tx);
      return { done: { outcome: this.outcome(result, requestId, run.logLines), ts: tx.snapshotTs } };
    }
    try {
      hooks.beforeCommit?.(tx);
    } catch (error) {
      this.committer.end(tx);
      if (error instanceof SkipCommit) return { done: { outcome: this.outcome(result, requestId, run.logLines), ts: tx.snapshotTs } };
      throw error;
    }
    if (hooks.idempotencyKey !== undefined) tx.mutationRecord = { key: hooks.idempotencyKey, value: result.value };
    if (!exclusive) await this.committer.waitUntilUnlocked();
    const commit = this.committer.commit(tx);
    if (!commit.ok) return { conflict: commit.conflictTable };
    return { done: { outcome: this.outcome(result, requestId, run.logLines), ts: commit.ts } };
  }

  async action(path: string, args: JSONValue, identity: UserIdentity | null, access: Access, scheduledJobId: string | null = null): Promise<ActionRun> {
    const requestId = newRequestId();
    const fn = this.preflight(path, args, access, "action");
    if (fn instanceof EngineError) return { outcome: failedOutcome(requestId, { message: fn.message }, []) };
    const run = newRunState(this.options.actionTimeoutMs);
    const ctx = this.context(fn, identity, null, run, { requestId, scheduledJobId });
    const result = await this.invoke(ctx, fn, args);
    run.closed = true;
    return { outcome: this.outcome(result, requestId, run.logLines) };
  }
}

function parseJournal(journal: string | null): string | null {
  if (journal === null) return null;
  try {
    const parsed = JSON.parse(journal) as { endCursor?: unknown };
    return typeof parsed.endCursor === "string" ? parsed.endCursor : null;
  } catch {
    return null;
  }
}

/** Randomized backoff between concurrent retries (only when retries are not serialized). */
function backoff(attempt: number): Promise<void> {
  const ms = Math.random() * Math.min(100, 5 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, ms));
}
