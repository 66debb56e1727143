// The engine with a data file: what one engine committed, the next engine
// on the same file starts from — documents, ids, indexes, table numbers,
// timestamps, the clock and scheduled jobs.
import { convexToJson, type JSONValue } from "convex/values";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { EmbeddedEngine } from "../../../src/backend/engine/index.ts";
import { INTERRUPTED_ACTION_ERROR } from "../../../src/backend/engine/scheduler/scheduler.ts";
import { decodeId } from "../../../src/backend/engine/values/ids.ts";
import { client } from "../engine/harness.ts";
import { APP, APP_V2, crashDataFile, openEngine, tempDir } from "./harness.ts";

type Doc = { _id: string; _creationTime: number; owner: string; rank?: number; body: JSONValue };
type Job = { name: string; state: string; error: string | null; scheduledTime: number };

let tmp: ReturnType<typeof tempDir>;
const engines: EmbeddedEngine[] = [];

async function open(options: Parameters<typeof openEngine>[1] = {}): Promise<EmbeddedEngine> {
  const engine = await openEngine(tmp.file(), options);
  engines.push(engine);
  return engine;
}

beforeEach(() => {
  tmp = tempDir();
});

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
  tmp.cleanup();
});

/** Bodies of every Convex type, the awkward floats and a nested shape included. */
const BODIES = [
  "plain",
  "ünïcödé 🎉 \u0000 text",
  42,
  -0,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  1.5e-300,
  2n ** 62n,
  -7n,
  true,
  null,
  new Uint8Array([0, 1, 2, 255]).buffer,
  [1, "two", [3n], { four: 4 }],
  { nested: { deeper: { list: [null, false, 0.1] } }, empty: {} },
];

describe("restarting on the same data file", () => {
  it("gives back every document with the same id, fields and creation time", async () => {
    const first = await open();
    const c = client(first);
    const ids: string[] = [];
    for (const [i, body] of BODIES.entries()) {
      const rank: Record<string, JSONValue> = i % 4 === 0 ? {} : { rank: i };
      ids.push((await c.mutation("notes:insert", { owner: `o${i % 3}`, ...rank, body: convexToJson(body) })) as string);
    }
    await c.mutation("notes:patch", { id: ids[0], rank: 99, body: "patched" });
    await c.mutation("notes:replace", { id: ids[1], owner: "o9", body: "replaced (rank dropped)" });
    await c.mutation("notes:remove", { id: ids[2] });
    const before = (await c.query("notes:all")) as Doc[];
    expect(before).toHaveLength(BODIES.length - 1);
    await first.close();

    const second = await open();
    const after = (await client(second).query("notes:all")) as Doc[];
    // convexToJson form compares NaN, -0, int64 and bytes exactly.
    expect(after).toEqual(before);
    expect(await client(second).query("notes:get", { id: ids[2] })).toBeNull();
    expect(second.dataFile).toMatchObject({ created: false, documents: BODIES.length - 1 });
  });

  it("answers index range queries over restored documents exactly as before", async () => {
    const first = await open();
    const c = client(first);
    for (let i = 0; i < 60; i++) {
      await c.mutation("notes:insert", { owner: `o${i % 4}`, ...(i % 5 === 0 ? {} : { rank: (i * 7) % 11 }), body: i });
    }
    const queries: JSONValue[] = [
      { owner: "o1" },
      { owner: "o2", order: "desc" },
      { owner: "o3", minRank: 5 },
      { owner: "o0", minRank: 0, order: "desc" },
    ];
    const before = await Promise.all(queries.map((q) => c.query("notes:byOwner", q)));
    await first.close();

    const second = await open();
    const after = await Promise.all(queries.map((q) => client(second).query("notes:byOwner", q)));
    expect(after).toEqual(before);
    expect(before.every((ids) => (ids as string[]).length > 0)).toBe(true);
  });

  it("continues timestamps and creation times after the restored ones, with fresh ids in the same tables", async () => {
    const first = await open();
    const c = client(first);
    const oldIds = new Set<string>();
    for (let i = 0; i < 20; i++) oldIds.add((await c.mutation("notes:insert", { owner: "o", body: i })) as string);
    const lastTs = first.latestTs;
    const lastCreation = Math.max(...((await c.query("notes:all")) as Doc[]).map((d) => d._creationTime));
    await first.close();

    const second = await open();
    expect(second.latestTs).toBeGreaterThanOrEqual(lastTs);
    const run = await second.runMutation("notes:insert", { owner: "o", body: "after restart" }, { kind: "anonymous" });
    expect(run.ts).toBeGreaterThan(lastTs);
    const newId = (run.outcome as { value: string }).value;
    expect(oldIds.has(newId)).toBe(false);
    expect(decodeId(newId)?.tableNumber).toBe(decodeId([...oldIds][0])?.tableNumber);
    const fresh = (await client(second).query("notes:get", { id: newId })) as Doc;
    expect(fresh._creationTime).toBeGreaterThan(lastCreation);
  });

  it("keeps table numbers when the schema reorders tables, adds one and adds an index", async () => {
    const first = await open();
    const noteId = (await client(first).mutation("notes:insert", { owner: "o", rank: 2, body: "old" })) as string;
    await client(first).mutation("notes:insert", { owner: "p", rank: 1, body: "older rank" });
    await client(first).mutation("batches:write", { batch: "b", parts: 2 });
    await first.close();

    const second = await open({ functionsDir: APP_V2 });
    const v2 = client(second);
    // v.id("notes") accepts the old id: it still names the notes table.
    expect(((await v2.query("notes:get", { id: noteId })) as Doc).body).toBe("old");
    // The new index covers documents written before it existed.
    const byRank = (await v2.query("notes:byRank")) as string[];
    expect(byRank).toHaveLength(2);
    expect(byRank[1]).toBe(noteId);
    const tagId = (await v2.mutation("notes:tag", { name: "t" })) as string;
    const numbers = [noteId, tagId].map((id) => decodeId(id)!.tableNumber);
    expect(new Set(numbers).size).toBe(2);
    await second.close();

    // Back to the old schema: the tags table is unknown to it but keeps its number and documents.
    const third = await open({ functionsDir: APP });
    expect(((await client(third).query("notes:get", { id: noteId })) as Doc).body).toBe("old");
    expect(third.dataFile?.documents).toBe(5);
  });

  it("re-arms pending scheduled functions, which run when due", async () => {
    const first = await open();
    const start = first.clock.now();
    await client(first).mutation("jobs:later", { delayMs: 60_000, kind: "after restart" });
    await client(first).mutation("jobs:later", { delayMs: 1_000, kind: "before restart" });
    await first.clock.advance(1_000);
    await first.close();

    const second = await open();
    const c = client(second);
    expect(((await c.query("jobs:list")) as Job[]).map((j) => j.state)).toEqual(["pending", "success"]);
    await second.clock.advance(60_000);
    expect(((await c.query("jobs:list")) as Job[]).map((j) => j.state)).toEqual(["success", "success"]);
    const events = (await c.query("jobs:events")) as { kind: string; at: number }[];
    expect(events.map((e) => e.kind)).toEqual(["before restart", "after restart"]);
    expect(events[1].at).toBeGreaterThanOrEqual(start + 60_000);
  });

  it("resumes a virtual clock where the last commit left it, never earlier", async () => {
    const first = await open();
    await first.clock.advance(6 * 3_600_000);
    await client(first).mutation("notes:insert", { owner: "o", body: "six hours later" });
    const then = first.clock.now();
    await first.close();

    const second = await open();
    expect(second.clock.now()).toBeGreaterThanOrEqual(then);
  });

  it("fails, rather than re-runs, an action that was running when the process died", async () => {
    const first = await open();
    const c = client(first);
    await c.mutation("jobs:slowLater", { delayMs: 0, ms: 300 });
    const advancing = first.clock.advance(1);
    await expect.poll(async () => ((await c.query("jobs:list")) as Job[])[0].state).toBe("inProgress");
    crashDataFile(first);
    // The action ends, but its "success" can no longer be saved.
    await expect(advancing).rejects.toThrow(/not saved/);

    const second = await open();
    const [job] = (await client(second).query("jobs:list")) as Job[];
    expect(job).toMatchObject({ state: "failed", error: INTERRUPTED_ACTION_ERROR });
  });

  it("refuses a second engine on a file another one is using", async () => {
    await open();
    await expect(openEngine(tmp.file())).rejects.toThrow(/in use by another process/);
  });

  it("does not acknowledge a commit it could not save", async () => {
    const engine = await open();
    const c = client(engine);
    await c.mutation("notes:insert", { owner: "o", body: "saved" });
    crashDataFile(engine);
    const run = await engine.runMutation("notes:insert", { owner: "o", body: "not saved" }, { kind: "anonymous" }).catch((e: Error) => e);
    expect(run).toBeInstanceOf(Error);
    expect((run as Error).message).toMatch(/not saved/);
    // Nor does it show it to anyone.
    expect(((await c.query("notes:all")) as Doc[]).map((d) => d.body)).toEqual(["saved"]);
  });
});
