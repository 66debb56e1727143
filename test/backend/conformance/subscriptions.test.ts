// Subscriptions through the official ConvexClient against the real backend:
// a write by one client reaches another client's live query, and only
// results that changed are pushed.
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { eventually, useConformance } from "./harness.ts";

const api = anyApi;

const t = useConformance({ app: "fixture" });

describe("subscriptions", () => {
  it("a passive subscriber sees the value another client's mutation wrote", async () => {
    const writer = t.client();
    const viewer = t.client();
    await writer.mutation(api.counters.create, { name: "seen" });
    const values: Array<number | null> = [];
    viewer.onUpdate(api.counters.get, { name: "seen" }, (value: number | null) => values.push(value));
    await eventually(() => values.length === 1, "the first result");
    expect(values).toEqual([0]);

    await expect(writer.mutation(api.counters.increment, { name: "seen" })).resolves.toBe(1);
    await eventually(() => values.at(-1) === 1, "the update");
    expect(values).toEqual([0, 1]);
  });

  it("a mutation resolves only once its own write is visible to the writer's subscriptions", async () => {
    const client = t.client();
    await client.mutation(api.counters.create, { name: "ryw" });
    let latest: number | null | undefined;
    client.onUpdate(api.counters.get, { name: "ryw" }, (value: number | null) => (latest = value));
    await eventually(() => latest === 0, "the first result");

    await client.mutation(api.counters.increment, { name: "ryw" });
    expect(client.client.localQueryResult("counters:get", { name: "ryw" })).toBe(1);
  });

  it("a write the query did not read pushes nothing to its subscribers", async () => {
    const writer = t.client();
    const viewer = t.client();
    await writer.mutation(api.counters.create, { name: "watched" });
    await writer.mutation(api.counters.create, { name: "other" });
    const values: Array<number | null> = [];
    viewer.onUpdate(api.counters.get, { name: "watched" }, (value: number | null) => values.push(value));
    await eventually(() => values.length === 1, "the first result");

    for (let i = 0; i < 3; i++) await writer.mutation(api.counters.increment, { name: "other" });
    await writer.mutation(api.counters.increment, { name: "watched" });
    await eventually(() => values.at(-1) === 1, "the update");
    expect(values).toEqual([0, 1]);
  });
});
