// The Engine the server drives (see ../contracts.ts): callers become
// identities and access levels, commits are announced outside any function's
// context, and shutdown stops the scheduler and crons.
import type {
  ActionRun,
  Caller,
  CommitEvent,
  Engine,
  MutationOptions,
  MutationRun,
  QueryRun,
  UserIdentity,
} from "../contracts.ts";
import type { JSONValue } from "convex/values";
import type { EngineClock } from "./clock.ts";
import { executionStorage } from "./runtime/context.ts";
import type { Access, FunctionRunner } from "./runtime/runner.ts";
import type { CronRun, CronRunner } from "./scheduler/crons.ts";
import type { Scheduler } from "./scheduler/scheduler.ts";
import type { Committer } from "./transactions/committer.ts";

function callerAccess(caller: Caller): { identity: UserIdentity | null; access: Access } {
  switch (caller.kind) {
    case "anonymous":
      return { identity: null, access: "public" };
    case "user":
      return { identity: caller.identity, access: "public" };
    case "admin":
      return { identity: caller.actingAs ?? null, access: "all" };
    default:
      return caller satisfies never;
  }
}

/** Finds the result committed under an idempotency key (persistence/dataFile.ts). */
export type MutationResultLookup = (key: string) => { readonly ts: bigint; readonly value: JSONValue } | null;

/** What a start from a data file found (diagnostics for `csn-rt serve`). */
export type DataFileInfo = { readonly path: string; readonly created: boolean; readonly documents: number; readonly restoreMs: number };

export class EmbeddedEngine implements Engine {
  private closed = false;
  /** Runs under an idempotency key still in flight: a second call with the key waits for the first. */
  private readonly keyedRuns = new Map<string, Promise<MutationRun>>();
  /** Set when the engine persists to a data file. */
  dataFile: DataFileInfo | null = null;

  constructor(
    private readonly runner: FunctionRunner,
    private readonly committer: Committer,
    private readonly scheduler: Scheduler,
    private readonly crons: CronRunner,
    readonly clock: EngineClock,
    /** Runs last on close, once nothing can commit any more (closes the data file). */
    private readonly release: () => void = () => {},
    /** Durable results by idempotency key; null when the engine is in memory only. */
    private readonly storedResults: MutationResultLookup | null = null,
  ) {}

  /** Commits and OCC conflicts so far (diagnostics; not part of the Engine contract). */
  get stats(): { readonly commits: number; readonly conflicts: number } {
    return { ...this.committer.stats };
  }

  /** Recent cron runs, newest last (diagnostics). */
  get cronHistory(): readonly CronRun[] {
    return this.crons.history;
  }

  get latestTs(): bigint {
    return this.committer.latestTs;
  }

  runQuery(path: string, args: JSONValue, caller: Caller, journal?: string | null): Promise<QueryRun> {
    const { identity, access } = callerAccess(caller);
    return this.runner.query(path, args, identity, access, journal ?? null);
  }

  /**
   * With an idempotency key on a durable engine: the stored result when the
   * key's mutation already committed (before a restart, too), the running
   * attempt when it is in flight, and otherwise a run whose result commits
   * with its writes (see MutationOptions in ../contracts.ts).
   */
  runMutation(path: string, args: JSONValue, caller: Caller, options: MutationOptions = {}): Promise<MutationRun> {
    const { identity, access } = callerAccess(caller);
    const key = options.idempotencyKey;
    if (key === undefined || this.storedResults === null) return this.runner.mutation(path, args, identity, access);
    const running = this.keyedRuns.get(key);
    if (running !== undefined) return running;
    const stored = this.storedResults(key);
    if (stored !== null) return Promise.resolve({ outcome: { ok: true, value: stored.value, logLines: [] }, ts: stored.ts });
    const run = this.runner.mutation(path, args, identity, access, { idempotencyKey: key }).finally(() => this.keyedRuns.delete(key));
    this.keyedRuns.set(key, run);
    return run;
  }

  runAction(path: string, args: JSONValue, caller: Caller): Promise<ActionRun> {
    const { identity, access } = callerAccess(caller);
    return this.runner.action(path, args, identity, access);
  }

  onCommit(listener: (event: CommitEvent) => void): () => void {
    // Commits can happen inside a function's async context (an action's
    // runMutation); listeners must not inherit its frozen clock or identity.
    return this.committer.onCommit((event) => executionStorage.exit(() => listener(event)));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.crons.stop();
    await this.scheduler.stop();
    this.clock.stop();
    this.release();
  }
}
