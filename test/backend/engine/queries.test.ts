import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmbeddedEngine } from "../../../src/backend/engine/index.ts";
import { client, startEngine } from "./harness.ts";

describe("index range reads", () => {
  let engine: EmbeddedEngine;
  let c: ReturnType<typeof client>;

  beforeAll(async () => {
    engine = await startEngine();
    c = client(engine);
    // Inserted out of order, so results are ordered by the index and not by insertion.
    const ranks = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10];
    await c.mutation("items:insertMany", {
      items: [
        ...ranks.map((rank) => ({ group: "g", rank, label: `g${rank}` })),
        { group: "g", label: "g-none" },
        { group: "h", rank: 1, label: "h1" },
        { group: "a", rank: 100, label: "a100" },
      ],
    });
  });
  afterAll(() => engine.close());

  it("returns an equality range in index order, missing fields first", async () => {
    expect(await c.query("items:range", { group: "g" })).toEqual([
      "g-none", "g1", "g2", "g3", "g4", "g5", "g6", "g7", "g8", "g9", "g10",
    ]);
  });

  it("applies gt/gte/lt/lte after the equality prefix", async () => {
    type Bound = { op: string; value: number };
    const range = (lower: Bound | undefined, upper: Bound | undefined) =>
      c.query("items:range", { group: "g", ...(lower && { lower }), ...(upper && { upper }) });
    expect(await range({ op: "gt", value: 3 }, { op: "lt", value: 6 })).toEqual(["g4", "g5"]);
    expect(await range({ op: "gte", value: 3 }, { op: "lte", value: 6 })).toEqual(["g3", "g4", "g5", "g6"]);
    expect(await range({ op: "gt", value: 8 }, undefined)).toEqual(["g9", "g10"]);
    expect(await range(undefined, { op: "lt", value: 2 })).toEqual(["g-none", "g1"]);
  });

  it("walks a range backwards with order desc and stops at take(n)", async () => {
    expect(await c.query("items:range", { group: "g", order: "desc", take: 3 })).toEqual(["g10", "g9", "g8"]);
    expect(await c.query("items:range", { group: "g", upper: { op: "lte", value: 4 }, order: "desc", take: 2 })).toEqual(["g4", "g3"]);
  });

  it("orders the whole index by group, then rank", async () => {
    const all = (await c.query("items:range", {})) as string[];
    expect(all[0]).toBe("a100");
    expect(all.at(-1)).toBe("h1");
  });

  it("filters on any field, with missing fields equal to undefined", async () => {
    expect(await c.query("items:filtered", { minRank: 9 })).toEqual(["g9", "g10", "a100"]);
    expect(await c.query("items:missingRank")).toEqual(["g-none"]);
  });

  it("unique() refuses two results and first() takes the lowest", async () => {
    const { message } = await c.queryError("items:uniqueInGroup", { group: "g" });
    expect(message).toMatch(/unique\(\) query returned more than one result from table items/);
    expect(await c.query("items:uniqueInGroup", { group: "h" })).toBe("h1");
    expect(await c.query("items:uniqueInGroup", { group: "nobody" })).toBe(null);
    expect(await c.query("items:firstInGroup", { group: "g" })).toBe("g-none");
  });

  it("rejects a range that skips an index field, with Convex's message", async () => {
    const { message } = await c.queryError("items:badRange");
    expect(message).toContain("Tried to query index items.by_group_rank but the query didn't use the index fields in order.");
    expect(message).toContain("First incorrect field: rank");
  });

  it("counts a table", async () => {
    expect(await c.query("items:countAll")).toBe(13);
  });
});

describe("pagination", () => {
  it("pages through a range while documents are inserted, with no skips and no duplicates", async () => {
    const engine = await startEngine();
    const c = client(engine);
    const label = (n: number) => `p${String(n).padStart(4, "0")}`;
    await c.mutation("items:insertMany", { items: Array.from({ length: 30 }, (_, i) => ({ group: "p", rank: i * 10, label: label(i * 10) })) });

    const seen: string[] = [];
    let cursor: string | null = null;
    const behindLabels: string[] = [];
    const aheadLabels: string[] = [];
    for (let pageNumber = 0; pageNumber < 50; pageNumber++) {
      const result = (await c.query("items:page", { group: "p", paginationOpts: { numItems: 4, cursor } })) as {
        page: string[]; isDone: boolean; continueCursor: string;
      };
      seen.push(...result.page);
      if (result.isDone) break;
      cursor = result.continueCursor;
      // Insert both behind the cursor (must not show up) and ahead of it (must show up exactly once).
      const behind = Number(result.page.at(-1)!.slice(1)) - 1;
      const ahead = Number(result.page.at(-1)!.slice(1)) + 5;
      await c.mutation("items:insertMany", {
        items: [
          { group: "p", rank: behind, label: label(behind) },
          { group: "p", rank: ahead, label: label(ahead) },
        ],
      });
      behindLabels.push(label(behind));
      aheadLabels.push(label(ahead));
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual([...seen].sort());
    const all = (await c.query("items:range", { group: "p" })) as string[];
    // Everything except what was inserted behind the cursor, each exactly once.
    expect(seen).toEqual(all.filter((l) => !behindLabels.includes(l)));
    for (const l of aheadLabels) expect(seen).toContain(l);
    expect(behindLabels.length).toBeGreaterThan(3);
    await engine.close();
  });

  it("keeps a reactive page's boundaries through its journal and reports pageStatus", async () => {
    const engine = await startEngine();
    const c = client(engine);
    await c.mutation("items:insertMany", { items: [1, 2, 3, 4, 5, 6].map((rank) => ({ group: "j", rank, label: `j${rank}` })) });
    const first = await engine.runQuery("items:page", { group: "j", paginationOpts: { numItems: 3, cursor: null } }, { kind: "anonymous" });
    const page1 = first.outcome.ok ? (first.outcome.value as { page: string[]; continueCursor: string }) : null;
    expect(page1?.page).toEqual(["j1", "j2", "j3"]);
    expect(first.journal).not.toBeNull();

    await c.mutation("items:insertMany", { items: [{ group: "j", rank: 2.5, label: "j2.5" }] });
    const rerun = await engine.runQuery("items:page", { group: "j", paginationOpts: { numItems: 3, cursor: null } }, { kind: "anonymous" }, first.journal);
    const page1again = rerun.outcome.ok ? (rerun.outcome.value as { page: string[]; continueCursor: string }) : null;
    expect(page1again?.page).toEqual(["j1", "j2", "j2.5", "j3"]);
    expect(page1again?.continueCursor).toBe(page1?.continueCursor);

    const limited = (await c.query("items:page", { group: "j", paginationOpts: { numItems: 5, cursor: null, maximumRowsRead: 2 } })) as {
      page: string[]; pageStatus: string | null; isDone: boolean;
    };
    expect(limited.page).toEqual(["j1", "j2"]);
    expect(limited.pageStatus).toBe("SplitRequired");
    expect(limited.isDone).toBe(false);
    await engine.close();
  });

  it("rejects a cursor from a different query as InvalidCursor", async () => {
    const engine = await startEngine();
    const c = client(engine);
    await c.mutation("items:insertMany", { items: [{ group: "x", rank: 1, label: "x1" }, { group: "x", rank: 2, label: "x2" }] });
    const { continueCursor } = (await c.query("items:page", { group: "x", paginationOpts: { numItems: 1, cursor: null } })) as { continueCursor: string };
    const bogus = Buffer.from(JSON.stringify({ i: "messages.by_channel", o: "asc", end: true })).toString("base64url");
    const { message, data } = await c.queryError("items:page", { group: "x", paginationOpts: { numItems: 1, cursor: bogus } });
    expect(message).toContain("InvalidCursor");
    expect(data).toEqual({ isConvexSystemError: true, paginationError: "InvalidCursor" });
    expect(continueCursor).toEqual(expect.any(String));
    await engine.close();
  });
});
