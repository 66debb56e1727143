/**
 * The `--data FILE` format, and opening a file safely: a new file is
 * created, a csn-rt data file of this version is checked and used, and
 * anything else is refused with a DataFileError and left untouched.
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
 */
import Database from "better-sqlite3";
import { existsSync, statSync } from "node:fs";
import { DataFileError } from "./DataFileError.ts";

const FORMAT = "csn-rt-data";
export const FORMAT_VERSION = 1;

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

type SqliteError = Error & { code?: string };

/** What the file is: new (just created) or holding a database written earlier. */
export type DataFileState = "created" | "existing";

/**
 * Opens `path`, creating a new data file when it does not exist (or is
 * empty), and holds it exclusively until it is closed: a second server on
 * the same file gets a DataFileError instead of a diverging copy.
 */
export function openDatabase(path: string): { db: Database.Database; state: DataFileState } {
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
    return { db, state };
  } catch (error) {
    db.close();
    throw asDataFileError(error, path);
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

export function asDataFileError(error: unknown, path: string): DataFileError {
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

export function corruptHint(): string {
  return "restore the file from a copy, or start with a new --data file; csn-rt will not start from a damaged file";
}
