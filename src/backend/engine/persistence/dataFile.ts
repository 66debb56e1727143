/**
 * The `--data FILE` store: one SQLite database holding the latest version
 * of every document, written inside the commit path before the commit is
 * visible to anyone (see transactions/committer.ts, "durability hook").
 *
 * Format version 1:
 *
 *   meta      (key TEXT PRIMARY KEY, value TEXT)
 *               format  = "csn-rt-data"   what this file is
 *               version = "1"             bumped on any incompatible change
 *               schema  = JSON            the schema every stored document
 *                                         was last checked against
 *   head      (one row) latest_ts INTEGER  greatest committed ts (u64 in i64)
 *                       clock_ms  REAL     the engine clock at that commit
 *   tables    (number INTEGER PRIMARY KEY, name TEXT UNIQUE)
 *               table numbers are baked into ids, so they never change
 *   documents (id TEXT UNIQUE, table_number, ts INTEGER, size INTEGER, value TEXT)
 *               value = convexToJson(document) as JSON text, _id and
 *               _creationTime included; ts = the commit that wrote it
 *   mutation_results (seq INTEGER PRIMARY KEY, key TEXT UNIQUE, ts INTEGER,
 *                     recorded_ms REAL, value TEXT)
 *               the result of each mutation run for a sync client's request
 *               (key = "sessionId:requestId"), written in the SAME SQLite
 *               transaction as that commit's documents. A client re-sends
 *               every mutation it saw no answer for when it reconnects; after
 *               a crash and restart, one that did commit is answered from
 *               here instead of running twice (exactly once across restarts,
 *               not only across reconnects). recorded_ms is wall time; rows
 *               are kept for MUTATION_RESULT_TTL_MS of uptime. Added within
 *               version 1 as an optional table: created on open when missing,
 *               and a csn-rt that does not know it leaves it alone.
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
import { existsSync, statSync } from "node:fs";
import type { KnownTable } from "../storage/tables.ts";
import { docJsonText } from "../storage/database.ts";
import type { CommitWriteSet } from "../storage/readWriteSets.ts";
import type { MutationRecord } from "../transactions/transaction.ts";
import { wallClockMs } from "../runtime/dateShim.ts";
import { DataFileError } from "./DataFileError.ts";

const FORMAT = "csn-rt-data";
export const FORMAT_VERSION = 1;

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

const CREATE_MUTATION_RESULTS = `
  CREATE TABLE IF NOT EXISTS mutation_results (
    seq INTEGER PRIMARY KEY,
    key TEXT NOT NULL UNIQUE,
    ts INTEGER NOT NULL,
    recorded_ms REAL NOT NULL,
    value TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS mutation_results_by_time ON mutation_results (recorded_ms);
`;

const CREATE_TABLES = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
  CREATE TABLE head (only INTEGER PRIMARY KEY CHECK (only = 1), latest_ts INTEGER NOT NULL, clock_ms REAL NOT NULL);
  CREATE TABLE tables (number INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
  CREATE TABLE documents (
    id TEXT NOT NULL UNIQUE,
    table_number INTEGER NOT NULL REFERENCES tables (number),
    ts INTEGER NOT NULL,
    size INTEGER NOT NULL,
    value TEXT NOT NULL
  );
`;

/** One stored document as read back: [table number, size, value JSON text]. */
export type StoredRow = readonly [tableNumber: number, size: number, value: string];

export type Head = { readonly latestTs: bigint; readonly clockMs: number };

/** A mutation's result as committed: what a re-sent request is answered with. */
export type StoredMutationResult = { readonly ts: bigint; readonly value: JSONValue };

export type DataFileOptions = {
  /** Wall-clock ms for result retention (tests move it). */
  readonly now?: () => number;
};

type SqliteError = Error & { code?: string };

/** What the file is: new (just created) or holding a database written earlier. */
export type DataFileState = "created" | "existing";

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
          else this.upsert.run(write.id, write.table.number, ts, write.after.size, docJsonText(write.after));
        }
        if (record !== null) this.insertResult.run(record.key, ts, nowMs, JSON.stringify(record.value));
        this.setHead.run(ts, clockMs);
      },
    );
  }

  /**
   * Opens `path`, creating a new data file when it does not exist (or is
   * empty), and holds it exclusively until `close()`: a second server on
   * the same file gets a DataFileError instead of a diverging copy.
   */
  static open(path: string, options: DataFileOptions = {}): DataFile {
    const existed = existsSync(path) && statSync(path).size > 0;
    let db: Database.Database;
    try {
      db = new Database(path, { timeout: 0 });
    } catch (error) {
      throw new DataFileError(`could not open the data file ${path}: ${(error as Error).message}`, "check that the path is a file in a writable directory", { cause: error });
    }
    try {
      // EXCLUSIVE locking: once taken, the file lock is held until close, and
      // in WAL mode the WAL index lives in process memory (no -shm file).
      db.pragma("locking_mode = EXCLUSIVE");
      db.exec("BEGIN IMMEDIATE; COMMIT");
      // Check what the file is before changing anything: a file that is not
      // ours must be left exactly as it was (switching to WAL rewrites its header).
      const state = inspect(db, path, existed);
      const mode = db.pragma("journal_mode = WAL", { simple: true });
      if (mode !== "wal") throw new DataFileError(`could not switch ${path} to write-ahead logging (journal mode is ${String(mode)})`, "use a file on a local disk");
      db.pragma("synchronous = FULL");
      db.pragma("foreign_keys = ON");
      if (state === "created") create(db);
      else verify(db, path);
      db.exec(CREATE_MUTATION_RESULTS);
      return new DataFile(db, path, state, options);
    } catch (error) {
      db.close();
      throw asDataFileError(error, path);
    }
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

/** "created" for a new (or empty) file; "existing" for a csn-rt data file this version reads; throws otherwise. */
function inspect(db: Database.Database, path: string, existed: boolean): DataFileState {
  const names = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as { name: string }[]).map((r) => r.name));
  if (names.size === 0 && !existed) return "created";
  if (!names.has("meta")) {
    throw new DataFileError(`${path} is not a csn-rt data file (it is an SQLite database without csn-rt's tables)`, otherFileHint());
  }
  const meta = new Map((db.prepare("SELECT key, value FROM meta").all() as { key: string; value: string }[]).map((r) => [r.key, r.value]));
  if (meta.get("format") !== FORMAT) throw new DataFileError(`${path} is not a csn-rt data file`, otherFileHint());
  const version = Number(meta.get("version"));
  if (version !== FORMAT_VERSION) {
    throw new DataFileError(
      `${path} is a csn-rt data file of format version ${meta.get("version")}, and this csn-rt reads version ${FORMAT_VERSION}`,
      version > FORMAT_VERSION ? "use the csn-rt version that wrote it, or start with a new --data file" : "start with a new --data file",
    );
  }
  for (const table of ["head", "tables", "documents"]) {
    if (!names.has(table)) throw new DataFileError(`the data file ${path} is missing its ${table} table`, corruptHint());
  }
  return "existing";
}

function create(db: Database.Database): void {
  db.transaction(() => {
    db.exec(CREATE_TABLES);
    const meta = db.prepare("INSERT INTO meta (key, value) VALUES (?, ?)");
    meta.run("format", FORMAT);
    meta.run("version", String(FORMAT_VERSION));
    meta.run("created", new Date().toISOString());
    db.prepare("INSERT INTO head (only, latest_ts, clock_ms) VALUES (1, 0, 0)").run();
  })();
}

/** SQLite's own structural check (b-tree pages, the id index): catches damage before it is served. */
function verify(db: Database.Database, path: string): void {
  const lines = (db.pragma("quick_check(3)") as { quick_check: string }[]).flatMap((row) => row.quick_check.split("\n"));
  if (lines.length === 1 && lines[0] === "ok") return;
  const found = lines.filter((line) => line !== "" && !line.startsWith("***")).slice(0, 3).join("; ");
  throw new DataFileError(`the data file ${path} is corrupt (SQLite quick_check: ${found})`, corruptHint());
}

function asDataFileError(error: unknown, path: string): DataFileError {
  if (error instanceof DataFileError) return error;
  const { code, message } = error as SqliteError;
  switch (code) {
    case "SQLITE_BUSY":
    case "SQLITE_LOCKED":
      return new DataFileError(`the data file ${path} is in use by another process`, "stop the other csn-rt serve using it, or pick another --data file", { cause: error });
    case "SQLITE_NOTADB":
      return new DataFileError(`${path} is not a csn-rt data file (${message})`, otherFileHint(), { cause: error });
    case "SQLITE_CORRUPT":
      return new DataFileError(`the data file ${path} is corrupt (${message})`, corruptHint(), { cause: error });
    case "SQLITE_CANTOPEN":
    case "SQLITE_READONLY":
    case "SQLITE_PERM":
    case "SQLITE_IOERR":
      return new DataFileError(`could not use the data file ${path}: ${message}`, "check that the file and its directory are writable", { cause: error });
    default:
      return new DataFileError(`could not read the data file ${path}: ${message}`, corruptHint(), { cause: error });
  }
}

function otherFileHint(): string {
  return "point --data at a new file (it is created) or at a file csn-rt serve wrote; this one was left untouched";
}

function corruptHint(): string {
  return "restore the file from a copy, or start with a new --data file; csn-rt will not start from a damaged file";
}
