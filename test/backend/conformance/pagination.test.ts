// Pagination while the data moves: a reader pages through a list (the way
// React's usePaginatedQuery does, through the official client's paginated
// query machinery, and by hand with continueCursor) while another client
// inserts into the very ranges being read. No item may be skipped or shown
// twice.
import type { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { eventually, useConformance } from "./harness.ts";

const api = anyApi;

const t = useConformance({ app: "fixture" });

const PAGE_SIZE = 5;
const SEEDED = 40;

/** Labels sort like their ranks, so "in rank order" is "sorted". */
const label = (rank: number) => String(rank).padStart(5, "0");

async function seed(client: ConvexClient, list: string, ranks: number[]): Promise<void> {
  for (const rank of ranks) await client.mutation(api.items.add, { list, rank, label: label(rank) });
}

function expectStrictlyIncreasing(labels: string[]): void {
  for (let i = 1; i < labels.length; i++) {
    if (!(labels[i - 1] < labels[i])) throw new Error(`out of order or repeated at ${i}: ${labels[i - 1]}, ${labels[i]}`);
  }
}

describe("pagination while inserting", () => {
  it("reactive pages (usePaginatedQuery-style) end with every item exactly once, in order", async () => {
    const writer = t.client();
    const seededRanks = Array.from({ length: SEEDED }, (_, i) => i * 10);
    await seed(writer, "reactive", seededRanks);

    const reader = t.client();
    const snapshots: string[][] = [];
    let status = "LoadingFirstPage";
    const { getCurrentValue } = reader.onPaginatedUpdate_experimental(
      api.items.page,
      { list: "reactive" },
      { initialNumItems: PAGE_SIZE },
      // Typed as PaginationResult in convex 1.48, but what arrives is a PaginatedQueryResult.
      (result) => {
        const current = result as unknown as { results: string[]; status: string };
        snapshots.push(current.results);
        status = current.status;
      },
    );

    // Inserts fall between existing ranks: inside pages already loaded, inside
    // the page being loaded, and beyond it.
    const insertedRanks = seededRanks.map((rank) => rank + 5);
    let insertsDone = false;
    const inserting = seed(writer, "reactive", insertedRanks).then(() => (insertsDone = true));
    let loadsDuringInserts = 0;
    for (let loads = 0; loads < 100 && status !== "Exhausted"; loads++) {
      if (!insertsDone) loadsDuringInserts++;
      await eventually(() => status === "CanLoadMore" || status === "Exhausted", "a page to load");
      if (status === "CanLoadMore") getCurrentValue()!.loadMore(PAGE_SIZE);
      // Let the writer interleave with page loads.
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await inserting;

    const everything = [...seededRanks, ...insertedRanks].sort((a, b) => a - b).map(label);
    await eventually(() => snapshots.at(-1)!.length === everything.length, "every item in the loaded pages");
    expect(snapshots.at(-1)).toEqual(everything);
    expect(status).toBe("Exhausted");
    // The test proves something only if pages were loaded while the writer was busy.
    expect(loadsDuringInserts).toBeGreaterThanOrEqual(2);
    // No intermediate state ever showed an item twice or out of order.
    for (const snapshot of snapshots) expectStrictlyIncreasing(snapshot);
  });

  it("one-shot pages chained by continueCursor skip no item that existed and repeat none", async () => {
    const writer = t.client();
    const seededRanks = Array.from({ length: SEEDED }, (_, i) => i * 10);
    await seed(writer, "cursor", seededRanks);

    const reader = t.http();
    const inserting = seed(writer, "cursor", seededRanks.map((rank) => rank + 5));
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 100; pages++) {
      const result: { page: string[]; isDone: boolean; continueCursor: string } = await reader.query(api.items.page, {
        list: "cursor",
        paginationOpts: { numItems: PAGE_SIZE, cursor },
      });
      seen.push(...result.page);
      if (result.isDone) break;
      cursor = result.continueCursor;
    }
    await inserting;

    expectStrictlyIncreasing(seen);
    // Items inserted behind the cursor are legitimately not seen; every item that existed before paging was.
    expect(seen).toEqual(expect.arrayContaining(seededRanks.map(label)));
  });
});
