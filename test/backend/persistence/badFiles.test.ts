// Data files the engine must refuse — with a DataFileError that says what is
// wrong and what to do — instead of starting empty or serving half a database.
// Refused files are left byte-for-byte untouched.
import Database from "better-sqlite3";
import { readFileSync, writeFileSync } from "node:fs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { DataFileError } from "../../../src/backend/engine/index.ts";
import { client } from "../engine/harness.ts";
import { APP_STRICT, openEngine, tempDir } from "./harness.ts";

let tmp: ReturnType<typeof tempDir>;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  tmp.cleanup();
});

async function refusal(file: string, options: Parameters<typeof openEngine>[1] = {}): Promise<DataFileError> {
  const error = await openEngine(file, options).then(
    async (engine) => {
      await engine.close();
      return new Error("the engine started");
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DataFileError);
  return error as DataFileError;
}

/** A data file holding a few notes, closed. */
async function writtenFile(): Promise<string> {
  const file = tmp.file();
  const engine = await openEngine(file);
  for (let i = 0; i < 3; i++) await client(engine).mutation("notes:insert", { owner: "o", body: `note ${i}` });
  await engine.close();
  return file;
}

describe("a data file that cannot be used", () => {
  it("is refused when it is not an SQLite database at all, and left as it was", async () => {
    const file = tmp.file("notes.txt");
    writeFileSync(file, "my shopping list\n".repeat(400));
    const error = await refusal(file);
    expect(error.message).toMatch(/is not a csn-rt data file/);
    expect(error.hint).toMatch(/new file/);
    expect(readFileSync(file, "utf8")).toBe("my shopping list\n".repeat(400));
  });

  it("is refused when it is some other program's SQLite database", async () => {
    const file = tmp.file("other.db");
    const other = new Database(file);
    other.exec("CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner TEXT); INSERT INTO accounts (owner) VALUES ('someone')");
    other.close();
    const before = readFileSync(file);
    expect((await refusal(file)).message).toMatch(/not a csn-rt data file \(it is an SQLite database without csn-rt's tables\)/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it("is refused when a newer csn-rt wrote it", async () => {
    const file = await writtenFile();
    const db = new Database(file);
    db.prepare("UPDATE meta SET value = '99' WHERE key = 'version'").run();
    db.close();
    const error = await refusal(file);
    expect(error.message).toMatch(/format version 99, and this csn-rt reads version 1/);
    expect(error.hint).toMatch(/csn-rt version that wrote it/);
  });

  it("is refused when a stored document is unreadable", async () => {
    const file = await writtenFile();
    const db = new Database(file);
    db.prepare("UPDATE documents SET value = '{\"_id\": truncated' WHERE rowid = 2").run();
    db.close();
    const error = await refusal(file);
    expect(error.message).toMatch(/holds an unreadable document/);
    expect(error.hint).toMatch(/will not start from a damaged file/);
  });

  it("is refused when its pages are damaged", async () => {
    const file = tmp.file();
    const engine = await openEngine(file);
    await client(engine).mutation("notes:insertMany", { owner: "o", count: 2000, from: 0 });
    await engine.close();
    const bytes = readFileSync(file);
    // Scribble over the middle of the file: b-tree pages of the documents table and its id index.
    for (let i = 8 * 4096; i < 24 * 4096; i += 7) bytes[i] = (bytes[i] * 31 + 17) & 0xff;
    writeFileSync(file, bytes);
    const { message } = await refusal(file);
    expect(message).toMatch(/corrupt|unreadable|malformed|inconsistent|does not belong/);
  });

  it("is refused when the schema no longer accepts what it holds, naming the document", async () => {
    const file = await writtenFile();
    const error = await refusal(file, { functionsDir: APP_STRICT });
    expect(error.message).toMatch(/document \w+ in table "notes" .* does not match the current schema: Object is missing the required field `title`/);
    expect(error.hint).toMatch(/make the new field optional/);
  });

  it("is refused while another engine holds it", async () => {
    const file = await writtenFile();
    const holder = await openEngine(file);
    try {
      const error = await refusal(file);
      expect(error.message).toMatch(/in use by another process/);
      expect(error.hint).toMatch(/stop the other csn-rt serve/);
    } finally {
      await holder.close();
    }
  });
});
