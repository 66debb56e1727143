/**
 * The `--data FILE` store: one SQLite database holding the latest version
 * of every document, written inside the commit path before the commit is
 * visible to anyone (see transactions/committer.ts, "durability hook").
 *
 * The file's format, and how it is opened and checked, are in fileFormat.ts.
 *
 * No history is kept: MVCC snapshots live only in memory, and no
 * transaction survives a restart, so the newest version is all a restart needs.
 *
 * What "acknowledged" means: a mutation's response (and every subscription
 * update showing it) is sent only after `writeCommit` returned, and
 * `writeCommit` returns only after SQLite committed with synchronous=FULL,
 * i.e. after the write-ahead log was fsync'd. So an acknowledged write
 * survives `kill -9` and also an OS crash or power loss. (NORMAL would
 * survive `kill -9` — the WAL is in the page cache — but not power loss,
 * and would only save the fsync, about half a millisecond here.)
 *
 * Nothing is batched across commits: each commit is its own SQLite
 * transaction and fsync. A write that fails leaves the store broken
 * (fail-stop): the in-memory database no longer provably matches the file,
 * so every later commit fails until the process restarts from the file.
 */
import Database from "better-sqlite3";
import type { JSONValue } from "convex/values";
import type { KnownTable } from "../storage/tables.ts";
import { docJsonText } from "../storage/database.ts";
import type { CommitWriteSet } from "../storage/readWriteSets.ts";
import type { MutationRecord } from "../transactions/transaction.ts";
import { wallClockMs } from "../runtime/dateShim.ts";
import { DataFileError } from "./DataFileError.ts";
import { asDataFileError, corruptHint, openDatabase, type DataFileState } from "./fileFormat.ts";

/**
 * How long a stored mutation result is kept, in wall time the backend was
 * up. A client re-sends its unanswered mutations as soon as it reconnects
 * (the official client's backoff is capped at 16 s), so ten minutes of
 * uptime outlasts any client still trying — the same span the in-memory log
 * remembers an idle session (server tuning sessionIdleTtlMs). Counting
 * uptime, not age, keeps results across a long outage until their clients
 * have had their chance.
 */
export const MUTATION_RESULT_TTL_MS = 10 * 60_000;
/** Expired results are deleted at most this often, and at most this many at a time (bounds the pause in the commit path). */
const PRUNE_EVERY_MS = 1_000;
const PRUNE_BATCH = 10_000;

/** One stored document as read back: [table number, size, value JSON text]. */
export type StoredRow = readonly [tableNumber: number, size: number, value: string];

export type Head = { readonly latestTs: bigint; readonly clockMs: number };

/** A mutation's result as committed: what a re-sent request is answered with. */
export type StoredMutationResult = { readonly ts: bigint; readonly value: JSONValue };

export type DataFileOptions = {
  /** Wall-clock ms for result retention (tests move it). */
  readonly now?: () => number;
};

export class DataFile {
  private readonly knownTables = new Set<number>();
  private broken: Error | null = null;
  private closed = false;
  private readonly upsert;
  private readonly remove;
  private readonly setHead;
  private readonly addTable;
  private readonly commitTransaction;
  private readonly insertResult;
  private readonly selectResult;
  private readonly pruneResults;
  private readonly now: () => number;
  private readonly openedAtMs: number;
  private lastPruneMs: number;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
    readonly state: DataFileState,
    options: DataFileOptions,
  ) {
    this.now = options.now ?? wallClockMs;
    this.openedAtMs = this.lastPruneMs = this.now();
    for (const table of this.tables()) this.knownTables.add(table.number);
    this.upsert = db.prepare(
      "INSERT INTO documents (id, table_number, ts, size, value) VALUES (?, ?, ?, ?, ?) " +
        "ON CONFLICT (id) DO UPDATE SET ts = excluded.ts, size = excluded.size, value = excluded.value",
    );
    this.remove = db.prepare("DELETE FROM documents WHERE id = ?");
    this.setHead = db.prepare("UPDATE head SET latest_ts = ?, clock_ms = ? WHERE only = 1");
    this.addTable = db.prepare("INSERT INTO tables (number, name) VALUES (?, ?)");
    // A key is looked up before its mutation runs, so a conflict means two runs raced: the first one's answer stands.
    this.insertResult = db.prepare("INSERT INTO mutation_results (key, ts, recorded_ms, value) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING");
    this.selectResult = db.prepare("SELECT ts, value FROM mutation_results WHERE key = ?").safeIntegers(true);
    this.pruneResults = db.prepare(
      "DELETE FROM mutation_results WHERE seq IN (SELECT seq FROM mutation_results WHERE recorded_ms < ? ORDER BY recorded_ms LIMIT ?)",
    );
    this.commitTransaction = db.transaction(
      (ts: bigint, writes: CommitWriteSet, clockMs: number, newTables: KnownTable[], record: MutationRecord | null, nowMs: number) => {
        for (const table of newTables) this.addTable.run(table.number, table.name);
        for (const write of writes.documents) {
          if (write.after === null) this.remove.run(write.id);
          // Not remembered: the same rule as mutations' own reads (docJsonText); a query that reads it caches it then.
          else this.upsert.run(write.id, write.table.number, ts, write.after.size, docJsonText(write.after, false));
        }
        if (record !== null) this.insertResult.run(record.key, ts, nowMs, JSON.stringify(record.value));
        this.setHead.run(ts, clockMs);
      },
    );
  }

  /** Opens (or creates) the data file at `path`, held exclusively until close(): see fileFormat.ts. */
  static open(path: string, options: DataFileOptions = {}): DataFile {
    const { db, state } = openDatabase(path);
    return new DataFile(db, path, state, options);
  }

  tables(): KnownTable[] {
    return this.db.prepare("SELECT number, name FROM tables ORDER BY number").all() as KnownTable[];
  }

  head(): Head {
    const row = this.db.prepare("SELECT latest_ts, clock_ms FROM head WHERE only = 1").safeIntegers(true).get() as
      | { latest_ts: bigint; clock_ms: number }
      | undefined;
    if (row === undefined) throw new DataFileError(`the data file ${this.path} has no head row`, corruptHint());
    return { latestTs: row.latest_ts, clockMs: Number(row.clock_ms) };
  }

  /** The greatest commit ts any stored document carries (0 when there are none). */
  maxDocumentTs(): bigint {
    const row = this.db.prepare("SELECT max(ts) AS ts FROM documents").safeIntegers(true).get() as { ts: bigint | null };
    return row.ts ?? 0n;
  }

  /** Every stored document, in no particular order. */
  *documents(): Generator<StoredRow> {
    try {
      // Raw rows, and no id column (it is inside the value): a restart reads every row, so this is its hot loop.
      yield* this.db.prepare("SELECT table_number, size, value FROM documents").raw(true).iterate() as Iterable<StoredRow>;
    } catch (error) {
      throw asDataFileError(error, this.path);
    }
  }

  /** The schema (as JSON text) every stored document satisfies, if one was recorded. */
  checkedSchema(): string | null {
    const row = this.db.prepare("SELECT value FROM meta WHERE key = 'schema'").get() as { value: string } | undefined;
    return row?.value ?? null;
  }

  /** Records that every stored document satisfies `schema` (commits under it are validated as they happen). */
  recordCheckedSchema(schema: string): void {
    this.db.prepare("INSERT INTO meta (key, value) VALUES ('schema', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value").run(schema);
  }

  /** Records tables the file does not know yet (a new schema's tables). */
  recordTables(tables: Iterable<KnownTable>): void {
    const fresh = [...tables].filter((table) => !this.knownTables.has(table.number));
    if (fresh.length === 0) return;
    this.db.transaction(() => {
      for (const table of fresh) this.addTable.run(table.number, table.name);
    })();
    for (const table of fresh) this.knownTables.add(table.number);
  }

  /** The result committed under `key` (see mutation_results in the file comment), or null. */
  mutationResult(key: string): StoredMutationResult | null {
    if (this.closed) throw new Error(`The data file ${this.path} is closed.`);
    const row = this.selectResult.get(key) as { ts: bigint; value: string } | undefined;
    return row === undefined ? null : { ts: row.ts, value: JSON.parse(row.value) as JSONValue };
  }

  /** Makes one commit durable (see the file comment), with the result of the mutation that made it; throws when it is not. */
  writeCommit(ts: bigint, writes: CommitWriteSet, clockMs: number, record: MutationRecord | null = null): void {
    if (this.closed) throw new Error(`The data file ${this.path} is closed; this commit was not saved.`);
    if (this.broken) {
      throw new Error(`The data file ${this.path} failed an earlier write (${this.broken.message}); restart the backend to continue from what it holds.`);
    }
    const newTables: KnownTable[] = [];
    for (const write of writes.documents) {
      const { number, name } = write.table;
      if (!this.knownTables.has(number) && !newTables.some((t) => t.number === number)) newTables.push({ number, name });
    }
    const nowMs = this.now();
    try {
      this.commitTransaction(ts, writes, clockMs, newTables, record, nowMs);
    } catch (error) {
      this.broken = error as Error;
      throw new Error(`Could not save this commit to the data file ${this.path}: ${(error as Error).message}`, { cause: error });
    }
    for (const table of newTables) this.knownTables.add(table.number);
    this.pruneExpiredResults(nowMs);
  }

  /** Deletes results older than the TTL, once the backend has been up that long (see MUTATION_RESULT_TTL_MS). */
  private pruneExpiredResults(nowMs: number): void {
    if (nowMs - this.lastPruneMs < PRUNE_EVERY_MS || nowMs - this.openedAtMs < MUTATION_RESULT_TTL_MS) return;
    this.lastPruneMs = nowMs;
    try {
      this.pruneResults.run(nowMs - MUTATION_RESULT_TTL_MS, PRUNE_BATCH);
    } catch {
      // Housekeeping only: the commit is already durable, and the next prune retries.
    }
  }

  /** How many mutation results are stored (diagnostics and tests). */
  mutationResultCount(): number {
    return (this.db.prepare("SELECT count(*) AS n FROM mutation_results").get() as { n: number }).n;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.db.close();
  }
}
