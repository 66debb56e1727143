/**
 * The embedded backend's engine: a Convex deployment minus the network.
 *
 *   runtime/      loads convex/ (modules, schema), routes syscalls from the
 *                 one global `Convex` object to the running function
 *                 (AsyncLocalStorage), validates args/returns, time limits
 *   query/        query plans, index ranges, filters, streams, paginate
 *   transactions/ snapshots + read/write sets, OCC commit path, limits
 *   storage/      persistent B+trees per index, ids, read/write sets
 *   scheduler/    ctx.scheduler (the _scheduled_functions table) and crons
 *   persistence/  `--data FILE`: every commit made durable (SQLite, fsync'd)
 *                 before it is visible; a restart rebuilds memory from it
 *   clock.ts      real or virtual time for functions, timers, crons
 *
 * Known gaps: no file storage, search or vector indexes, components, HTTP
 * actions, or `db.vars.commitTs`; completed scheduled jobs are never
 * garbage-collected. A synchronous loop that never ends is stopped at the
 * time limit only in code loaded with guardLoopsIn (runtime/loopGuard/;
 * `csn-rt serve` does it for its functions folder), and only where it loops:
 * one long call into a library outside that folder cannot be interrupted.
 */
import path from "node:path";
import { createClock, type EngineClock } from "./clock.ts";
import { EmbeddedEngine } from "./engine.ts";
import { executionStorage, installRuntime } from "./runtime/context.ts";
import { loadModules } from "./runtime/modules.ts";
import { FunctionRunner } from "./runtime/runner.ts";
import { loadSchema } from "./runtime/schema.ts";
import { databaseSyscalls } from "./runtime/syscalls/database.ts";
import { functionSyscalls } from "./runtime/syscalls/functions.ts";
import { SyscallDispatcher } from "./runtime/syscalls/handlers.ts";
import { DataFile } from "./persistence/dataFile.ts";
import { restoreDatabase, type RestoredDatabase } from "./persistence/restore.ts";
import { CronRunner, cronJobsOf } from "./scheduler/crons.ts";
import { Scheduler } from "./scheduler/scheduler.ts";
import type { CommitWriteSet } from "./storage/readWriteSets.ts";
import { TableRegistry } from "./storage/tables.ts";
import { Committer } from "./transactions/committer.ts";
import type { DocumentAllocator } from "./transactions/transaction.ts";
import { newId } from "./values/ids.ts";

export type EngineOptions = {
  /** The Convex functions folder, e.g. "./convex". */
  readonly functionsDir: string;
  readonly clock: "real" | "virtual";
  /** Environment variables for function code (`process.env`), layered over the real environment. */
  readonly env?: Record<string, string>;
  /** User time limit for queries and mutations; Convex: 1 s ("Query/mutation execution time"). */
  readonly functionTimeoutMs?: number;
  /** Action time limit; Convex: 10 minutes for Node actions. */
  readonly actionTimeoutMs?: number;
  /** Attempts before a conflicting mutation fails; Convex retries 4 times. */
  readonly maxMutationAttempts?: number;
  /** Run mutation retries one at a time (default true; see runtime/runner.ts). */
  readonly serializeRetries?: boolean;
  /**
   * Persist every commit to this file (created when missing) and start from
   * what it holds. Without it, the database lives in memory only. A file that
   * cannot be used throws a DataFileError (persistence/DataFileError.ts).
   */
  readonly dataFile?: string;
};

/** Convex's limit on user code in a query or mutation (docs.convex.dev "Limits"). */
const QUERY_MUTATION_TIMEOUT_MS = 1000;
/** "Node runtime action execution time: 10 minutes". */
const ACTION_TIMEOUT_MS = 10 * 60_000;
/** UDF_EXECUTOR_OCC_MAX_RETRIES = 4 in convex-backend, plus the first attempt. */
const MAX_MUTATION_ATTEMPTS = 5;
/**
 * Creation times are milliseconds and strictly increasing; two inserts in the
 * same millisecond are spaced by this much (a few float64 ulps at today's epoch).
 */
const CREATION_TIME_STEP_MS = 0.001;

/** `after`: the greatest creation time already used (restored documents). */
function documentAllocator(clock: EngineClock, after: number): DocumentAllocator {
  let last = after;
  return {
    newId: (table) => newId(table.number),
    nextCreationTime() {
      let t = clock.now();
      if (t <= last) t = last + CREATION_TIME_STEP_MS;
      last = t;
      return t;
    },
  };
}

export async function createEngine(options: EngineOptions): Promise<EmbeddedEngine> {
  // Function code reads its configuration from process.env, as on Convex; the
  // options' variables are layered over the process's own.
  for (const [key, value] of Object.entries(options.env ?? {})) process.env[key] = value;
  installRuntime();

  const functionsDir = path.resolve(options.functionsDir);
  const schema = await loadSchema(functionsDir);
  const modules = await loadModules(functionsDir);
  const restoreStarted = performance.now();
  const dataFile = options.dataFile === undefined ? null : DataFile.open(path.resolve(options.dataFile));
  try {
    const registry = new TableRegistry(schema, dataFile?.tables() ?? []);
    const restored: RestoredDatabase | null = dataFile ? restoreDatabase(dataFile, registry, JSON.stringify(schema)) : null;
    const clock = createClock(options.clock, restored?.clockMs);
    const committer = new Committer(registry, documentAllocator(clock, restored?.maxCreationTime ?? 0));
    if (dataFile && restored) {
      committer.restore(restored.state, restored.latestTs);
      dataFile.recordTables(registry.all());
      committer.durabilityHook = (ts, writes, record) => dataFile.writeCommit(ts, writes, clock.now(), record);
    }
    const runner = new FunctionRunner(modules, registry, committer, clock, {
      functionsDir,
      queryMutationTimeoutMs: options.functionTimeoutMs ?? QUERY_MUTATION_TIMEOUT_MS,
      actionTimeoutMs: options.actionTimeoutMs ?? ACTION_TIMEOUT_MS,
      maxMutationAttempts: options.maxMutationAttempts ?? MAX_MUTATION_ATTEMPTS,
      serializeRetries: options.serializeRetries ?? true,
    });
    const scheduler = new Scheduler(modules, registry, committer, clock, runner);
    const db = databaseSyscalls(registry);
    const fns = functionSyscalls(runner, scheduler);
    runner.host = new SyscallDispatcher(
      { sync: { ...db.sync, ...fns.sync }, async: { ...db.async, ...fns.async } },
      () => clock.now(),
    );
    // Timers armed here must not inherit the async context of whichever function committed.
    committer.onCommit((event) => executionStorage.exit(() => scheduler.observe(event.writes as CommitWriteSet)));
    if (restored) await scheduler.resume();
    const crons = new CronRunner(cronJobsOf(modules), modules, clock, runner);
    crons.start();
    const engine = new EmbeddedEngine(
      runner,
      committer,
      scheduler,
      crons,
      clock,
      () => dataFile?.close(),
      dataFile ? (key) => dataFile.mutationResult(key) : null,
    );
    if (dataFile && restored) {
      const restoreMs = performance.now() - restoreStarted;
      engine.dataFile = { path: dataFile.path, created: dataFile.state === "created", documents: restored.documents, restoreMs };
    }
    return engine;
  } catch (error) {
    dataFile?.close();
    throw error;
  }
}

export type { Engine } from "../contracts.ts";
export type { EmbeddedEngine } from "./engine.ts";
export { DataFileError } from "./persistence/DataFileError.ts";
export { guardLoopsIn } from "./runtime/loopGuard/guardLoops.ts";
