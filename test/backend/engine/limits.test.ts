import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { EmbeddedEngine } from "../../../src/backend/engine/index.ts";
import { client, startEngine } from "./harness.ts";

describe("transaction limits", () => {
  let engine: EmbeddedEngine;
  let c: ReturnType<typeof client>;
  beforeAll(async () => {
    // Generous time limit: these tests are about data limits, not speed.
    engine = await startEngine({ functionTimeoutMs: 30_000 });
    c = client(engine);
  });
  afterAll(() => engine.close());

  it("fails a mutation that writes more than 16,000 documents, with Convex's message", async () => {
    const { message } = await c.mutationError("failures:tooManyWrites", { n: 16_001 });
    expect(message).toContain("Uncaught Error: Too many writes in a single function execution (limit: 16000)");
    expect(await c.query("scheduling:events", { kind: "bulk" })).toEqual([]);
  });

  it("fails the mutation even when user code catches the limit error", async () => {
    const { message } = await c.mutationError("failures:swallowLimit");
    expect(message).toContain("Too many writes in a single function execution (limit: 16000)");
  });

  it("refuses documents over 1 MiB and nested deeper than 16 levels", async () => {
    expect((await c.mutationError("failures:tooBig")).message).toMatch(/Value is too large \(1\.0\d MiB > maximum size 1 MiB\)/);
    expect((await c.mutationError("failures:tooDeep")).message).toContain(
      "Document is too nested (nested 21 levels deep > maximum nesting 16)",
    );
  });

  it("fails a query that scans more than 32,000 documents, while an index range over the same table stays cheap", async () => {
    for (let batch = 0; batch < 3; batch++) {
      await c.mutation("items:insertMany", {
        items: Array.from({ length: 11_000 }, (_, i) => ({ group: "bulk", rank: batch * 11_000 + i, label: "b" })),
      });
    }
    await c.mutation("items:insertMany", { items: [{ group: "small", rank: 1, label: "s1" }] });
    const { message } = await c.queryError("items:filtered", { minRank: 1e9 });
    expect(message).toContain(
      "Too many documents read in a single function execution (limit: 32000). Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expressions.",
    );
    // These would fail with the same error if they scanned the table; they read a handful of documents.
    const started = performance.now();
    expect(await c.query("items:range", { group: "small" })).toEqual(["s1"]);
    expect(await c.query("items:range", { group: "bulk", lower: { op: "gte", value: 20_000 }, take: 2 })).toEqual(["b", "b"]);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
