import { describe, expect, it } from "vitest";
import type { CommitEvent, ReadSet } from "../../../src/backend/contracts.ts";
import { anonymous, client, startEngine, valueOf } from "./harness.ts";

describe("optimistic concurrency", () => {
  it("loses no update when 50 mutations increment one counter concurrently", async () => {
    const engine = await startEngine();
    const c = client(engine);
    await c.mutation("counters:create", { name: "hot" });
    const runs = await Promise.all(
      Array.from({ length: 50 }, () => engine.runMutation("counters:increment", { name: "hot" }, anonymous)),
    );
    expect(runs.every((r) => r.outcome.ok)).toBe(true);
    expect(await c.query("counters:get", { name: "hot" })).toBe(50);
    // Each increment saw a distinct value, and commit timestamps are distinct.
    expect(new Set(runs.map((r) => valueOf(r.outcome))).size).toBe(50);
    expect(new Set(runs.map((r) => r.ts)).size).toBe(50);
    expect(engine.stats.conflicts).toBeGreaterThan(0);
    await engine.close();
  });

  it("fails with Convex's OCC error after the last attempt, and still loses no update", async () => {
    const engine = await startEngine({ maxMutationAttempts: 1, serializeRetries: false });
    const c = client(engine);
    await c.mutation("counters:create", { name: "hot" });
    const runs = await Promise.all(
      Array.from({ length: 20 }, () => engine.runMutation("counters:increment", { name: "hot" }, anonymous)),
    );
    const failures = runs.filter((r) => !r.outcome.ok);
    expect(failures.length).toBeGreaterThan(0);
    for (const f of failures) {
      expect(f.outcome.ok ? "" : f.outcome.errorMessage).toMatch(
        /Documents read from or written to the "counters" table changed while this mutation was being run and on every subsequent retry\. See https:\/\/docs\.convex\.dev\/error#1/,
      );
    }
    expect(await c.query("counters:get", { name: "hot" })).toBe(runs.length - failures.length);
    await engine.close();
  });

  it("lets a mutation read its own writes, through db.get and through indexes", async () => {
    const engine = await startEngine();
    const c = client(engine);
    const id = await c.mutation("counters:create", { name: "ryw" });
    expect(await c.mutation("counters:incrementTwiceAndRead", { id })).toEqual({
      before: 0,
      middle: 1,
      viaIndex: 2,
      sawInsert: true,
    });
    expect(await c.query("counters:get", { name: "ryw" })).toBe(2);
    await engine.close();
  });

  it("commits nothing from a mutation that throws", async () => {
    const engine = await startEngine();
    const c = client(engine);
    const before = engine.latestTs;
    await c.mutationError("failures:writeThenThrow");
    expect(engine.latestTs).toBe(before);
    expect(await c.query("messages:latest", { channel: "doomed", n: 10 })).toEqual([]);
    await engine.close();
  });

  it("gives a query one consistent snapshot while other transactions commit", async () => {
    const engine = await startEngine();
    const c = client(engine);
    await c.mutation("counters:create", { name: "left" });
    await c.mutation("counters:create", { name: "right" });
    const slowRead = engine.runQuery("counters:readTwoSlowly", { first: "left", second: "right", pauseMs: 30 }, anonymous);
    await new Promise((resolve) => setTimeout(resolve, 5));
    await c.mutation("counters:setAll", { names: ["left", "right"], value: 7 });
    const run = await slowRead;
    expect(valueOf(run.outcome)).toEqual([0, 0]);
    expect(run.ts).toBeLessThan(engine.latestTs);
    expect(await c.query("counters:readTwoSlowly", { first: "left", second: "right", pauseMs: 0 })).toEqual([7, 7]);
    await engine.close();
  });
});

describe("read sets", () => {
  async function setup() {
    const engine = await startEngine();
    const c = client(engine);
    const commits: CommitEvent[] = [];
    engine.onCommit((event) => commits.push(event));
    const lastCommit = () => commits[commits.length - 1].writes;
    const writeThen = async (write: () => Promise<unknown>, readSet: ReadSet) => {
      await write();
      return readSet.intersects(lastCommit());
    };
    return { engine, c, writeThen };
  }

  it("does not intersect a write to another index range, and does intersect one inside it", async () => {
    const { engine, c, writeThen } = await setup();
    await c.mutation("messages:send", { channel: "a", body: "a1" });
    const { readSet } = await engine.runQuery("messages:latest", { channel: "a", n: 5 }, anonymous);
    expect(await writeThen(() => c.mutation("messages:send", { channel: "b", body: "b1" }), readSet)).toBe(false);
    expect(await writeThen(() => c.mutation("messages:send", { channel: "a", body: "a2" }), readSet)).toBe(true);
    await engine.close();
  });

  it("covers exactly the range a take(n) walked, including old and new keys of patched documents", async () => {
    const { engine, c, writeThen } = await setup();
    await c.mutation("items:insertMany", {
      items: [1, 2, 3, 4, 5, 6, 7, 8].map((rank) => ({ group: "t", rank, label: `t${rank}` })),
    });
    const { readSet, outcome } = await engine.runQuery("items:range", { group: "t", take: 3 }, anonymous);
    expect(valueOf(outcome)).toEqual(["t1", "t2", "t3"]);
    expect(await writeThen(() => c.mutation("items:insertMany", { items: [{ group: "t", rank: 6.5, label: "x" }] }), readSet)).toBe(false);
    expect(await writeThen(() => c.mutation("items:insertMany", { items: [{ group: "u", rank: 1, label: "x" }] }), readSet)).toBe(false);
    expect(await writeThen(() => c.mutation("items:insertMany", { items: [{ group: "t", rank: 2.5, label: "x" }] }), readSet)).toBe(true);
    expect(await writeThen(() => c.mutation("items:insertMany", { items: [{ group: "t", rank: 0, label: "x" }] }), readSet)).toBe(true);
    await engine.close();
  });

  it("tracks point reads by id", async () => {
    const { engine, c, writeThen } = await setup();
    const id = await c.mutation("messages:send", { channel: "a", body: "one" });
    const other = await c.mutation("messages:send", { channel: "a", body: "two" });
    const { readSet } = await engine.runQuery("messages:byId", { id }, anonymous);
    expect(await writeThen(() => c.mutation("messages:edit", { id: other, body: "2" }), readSet)).toBe(false);
    expect(await writeThen(() => c.mutation("messages:edit", { id, body: "1" }), readSet)).toBe(true);
    await engine.close();
  });

  it("sees a document moving into the range and one moving out of it", async () => {
    const { engine, c, writeThen } = await setup();
    const inside = await c.mutation("messages:send", { channel: "a", body: "in" });
    const outside = await c.mutation("messages:send", { channel: "z", body: "out" });
    const { readSet } = await engine.runQuery("messages:latest", { channel: "a", n: 10 }, anonymous);
    expect(await writeThen(() => c.mutation("messages:remove", { id: inside }), readSet)).toBe(true);
    const { readSet: again } = await engine.runQuery("messages:latest", { channel: "a", n: 10 }, anonymous);
    expect(await writeThen(() => c.mutation("messages:edit", { id: outside, body: "still out" }), again)).toBe(false);
    // A patch that changes the indexed field: its new key lands in the range.
    expect(await writeThen(() => c.mutation("messages:move", { id: outside, channel: "a" }), again)).toBe(true);
    const { readSet: third } = await engine.runQuery("messages:latest", { channel: "a", n: 10 }, anonymous);
    // …and back out: its old key was in the range.
    expect(await writeThen(() => c.mutation("messages:move", { id: outside, channel: "q" }), third)).toBe(true);
    await engine.close();
  });
});
