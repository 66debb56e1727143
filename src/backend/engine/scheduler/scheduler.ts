/**
 * `ctx.scheduler`: jobs are documents in the `_scheduled_functions` system
 * table, written by the scheduling transaction, so a job exists only if the
 * mutation that scheduled it committed. The scheduler watches commits and
 * keeps one clock timer per pending job.
 *
 * Job states: pending → (mutation) success | failed, the state change
 * committed in the same transaction as the mutation's own writes (exactly
 * once); pending → (action) inProgress → success | failed (at most once).
 * pending | inProgress → canceled by `ctx.scheduler.cancel`.
 *
 * After a restart from a data file, `resume()` re-arms every pending job
 * (those already due run at once) and marks failed the actions that were
 * inProgress when the process stopped: they may have run partly, and
 * actions run at most once.
 */
import { convexToJson, getConvexSize, jsonToConvex, type JSONValue, type Value } from "convex/values";
import type { EngineClock } from "../clock.ts";
import { TreeCursor } from "../storage/btree.ts";
import { BY_ID } from "../storage/indexKeys.ts";
import type { CommitWriteSet } from "../storage/readWriteSets.ts";
import { SCHEDULED_FUNCTIONS_TABLE, type TableRegistry } from "../storage/tables.ts";
import type { Committer } from "../transactions/committer.ts";
import type { Transaction } from "../transactions/transaction.ts";
import type { DocumentValue } from "../values/documents.ts";
import type { LoadedModules } from "../runtime/modules.ts";
import { canonicalizePath } from "../runtime/paths.ts";
import { SkipCommit, type FunctionRunner } from "../runtime/runner.ts";

/** Why an action that was running when the backend stopped ends as failed. */
export const INTERRUPTED_ACTION_ERROR =
  "The backend restarted while this scheduled action was running; it was not retried, since actions run at most once.";

/** Convex refuses times more than 5 years away (crates/udf/src/validation.rs). */
const MAX_SCHEDULE_DISTANCE_S = 5 * 366 * 24 * 3600;

type JobState = { kind: "pending" | "inProgress" | "success" | "failed" | "canceled"; error?: string };

/** Where a function reference points, as scheduler_impl.ts sends it. */
export function functionNameOf(args: Record<string, unknown>): string {
  if (typeof args.name === "string") return args.name;
  throw new Error("The embedded backend only supports function references by name (not component references or function handles).");
}

export class Scheduler {
  private readonly timers = new Map<string, () => void>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly modules: LoadedModules,
    private readonly registry: TableRegistry,
    private readonly committer: Committer,
    private readonly clock: EngineClock,
    private readonly runner: FunctionRunner,
  ) {}

  /** Validates a `runAfter`/`runAt` and writes the job into `tx`; returns the job id. */
  schedule(tx: Transaction, args: Record<string, unknown>): string {
    const canonical = canonicalizePath(functionNameOf(args));
    const fn = this.modules.functions.get(canonical.path);
    if (fn === undefined) {
      const moduleExists = [...this.modules.functions.keys()].some((p) => p.startsWith(`${canonical.module}:`));
      throw new Error(
        moduleExists
          ? `Attempted to schedule function, but no exported function ${canonical.name} found in the file: ${canonical.module}.js. Did you forget to export it?`
          : `Attempted to schedule function at nonexistent path: ${canonical.module}.js`,
      );
    }
    if (fn.kind === "query") throw new Error(`Scheduled functions must be mutations or actions, but ${canonical.path} is a query.`);
    const seconds = args.ts as number;
    const delta = seconds - this.clock.now() / 1000;
    if (!Number.isFinite(seconds) || delta > MAX_SCHEDULE_DISTANCE_S) throw new Error(`${seconds} is more than 5 years in the future`);
    if (delta < -MAX_SCHEDULE_DISTANCE_S) throw new Error(`${seconds} is more than 5 years in the past`);
    const fnArgs = jsonToConvex(args.args as JSONValue);
    tx.counters.recordScheduled(getConvexSize(fnArgs));
    return tx.insert(SCHEDULED_FUNCTIONS_TABLE, {
      name: canonical.path,
      args: [fnArgs],
      scheduledTime: seconds * 1000,
      state: { kind: "pending" },
    }, true);
  }

  /** `ctx.scheduler.cancel(id)` inside `tx`: a pending or running job becomes canceled. */
  cancel(tx: Transaction, id: unknown): void {
    const table = tx.tableOfId(id, "scheduler.cancel", SCHEDULED_FUNCTIONS_TABLE);
    if (table === undefined) throw new Error(`Invalid argument \`id\` for \`scheduler.cancel\`: not a scheduled function ID`);
    const job = tx.getDocument(table, id as string);
    if (job === null) return;
    const state = (job.value.state as JobState).kind;
    if (state === "pending" || state === "inProgress") tx.patch(table, id as string, { state: { kind: "canceled" } }, true);
  }

  /** Commits by actions (which have no transaction of their own) go through here. */
  async systemTransaction<T>(body: (tx: Transaction) => T): Promise<T> {
    await this.committer.waitUntilUnlocked();
    // No await between begin and commit: nothing can commit in between, so this cannot conflict.
    const tx = this.committer.begin(true);
    let result: T;
    try {
      result = body(tx);
    } catch (error) {
      this.committer.end(tx);
      throw error;
    }
    this.committer.commit(tx);
    return result;
  }

  /** Commit listener: arms a timer for each job that is pending, disarms the rest. */
  observe(writes: CommitWriteSet): void {
    for (const write of writes.documents) {
      if (write.table.name !== SCHEDULED_FUNCTIONS_TABLE) continue;
      const job = write.after?.value;
      if (job && (job.state as JobState).kind === "pending") this.arm(write.id, job.scheduledTime as number);
      else this.disarm(write.id);
    }
  }

  /** Picks up the jobs of a restored database (see the file comment). */
  async resume(): Promise<void> {
    const tree = this.committer.latestState.tree(SCHEDULED_FUNCTIONS_TABLE, BY_ID);
    if (tree === undefined) return;
    const interrupted: string[] = [];
    const cursor = new TreeCursor(tree, false, () => true);
    for (let entry = cursor.next(); entry !== null; entry = cursor.next()) {
      const job = entry.value.value;
      const state = (job.state as JobState).kind;
      if (state === "pending") this.arm(entry.value.id, job.scheduledTime as number);
      else if (state === "inProgress") interrupted.push(entry.value.id);
    }
    if (interrupted.length === 0) return;
    await this.systemTransaction((tx) => {
      const table = this.registry.get(SCHEDULED_FUNCTIONS_TABLE)!;
      for (const id of interrupted) {
        if ((tx.getDocument(table, id)?.value.state as JobState | undefined)?.kind !== "inProgress") continue;
        this.finish(tx, id, { kind: "failed", error: INTERRUPTED_ACTION_ERROR });
      }
    });
  }

  private arm(id: string, at: number): void {
    if (this.stopped) return;
    this.disarm(id);
    this.timers.set(
      id,
      this.clock.setTimer(at, () => {
        this.timers.delete(id);
        const run = this.execute(id).finally(() => this.running.delete(run));
        this.running.add(run);
        return run;
      }),
    );
  }

  private disarm(id: string): void {
    this.timers.get(id)?.();
    this.timers.delete(id);
  }

  private jobIfPending(tx: Transaction, id: string): DocumentValue | null {
    const table = this.registry.get(SCHEDULED_FUNCTIONS_TABLE)!;
    const job = tx.getDocument(table, id);
    return job && (job.value.state as JobState).kind === "pending" ? job.value : null;
  }

  private finish(tx: Transaction, id: string, state: JobState): void {
    const table = this.registry.get(SCHEDULED_FUNCTIONS_TABLE)!;
    tx.patch(table, id, { state: state as unknown as Value, completedTime: this.clock.now() }, true);
  }

  private async execute(id: string): Promise<void> {
    const job = this.committer.latestState.getDoc(SCHEDULED_FUNCTIONS_TABLE, id)?.value;
    if (!job || (job.state as JobState).kind !== "pending") return;
    const path = job.name as string;
    // Job args are stored as Convex values; functions take them in convexToJson form.
    const jsonArgs = convexToJson((job.args as Value[])[0]);
    const fn = this.modules.functions.get(canonicalizePath(path).path);
    if (fn === undefined || fn.kind === "query") {
      await this.systemTransaction((tx) => {
        if (this.jobIfPending(tx, id)) this.finish(tx, id, { kind: "failed", error: `Could not find function for '${path}'` });
      });
      return;
    }
    if (fn.kind === "mutation") {
      const run = await this.runner.mutation(path, jsonArgs, null, "all", {
        scheduledJobId: id,
        beforeCommit: (tx) => {
          if (this.jobIfPending(tx, id) === null) throw new SkipCommit();
          this.finish(tx, id, { kind: "success" });
        },
      });
      if (!run.outcome.ok) {
        const error = run.outcome.errorMessage;
        await this.systemTransaction((tx) => {
          if (this.jobIfPending(tx, id)) this.finish(tx, id, { kind: "failed", error });
        });
      }
      return;
    }
    const started = await this.systemTransaction((tx) => {
      if (this.jobIfPending(tx, id) === null) return false;
      tx.patch(this.registry.get(SCHEDULED_FUNCTIONS_TABLE)!, id, { state: { kind: "inProgress" } }, true);
      return true;
    });
    if (!started) return;
    const run = await this.runner.action(path, jsonArgs, null, "all", id);
    await this.systemTransaction((tx) => {
      const table = this.registry.get(SCHEDULED_FUNCTIONS_TABLE)!;
      const current = tx.getDocument(table, id);
      if (current === null || (current.value.state as JobState).kind !== "inProgress") return;
      this.finish(tx, id, run.outcome.ok ? { kind: "success" } : { kind: "failed", error: run.outcome.errorMessage });
    });
  }

  /** Stops arming timers and waits for jobs already running. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    await Promise.allSettled([...this.running]);
  }
}
