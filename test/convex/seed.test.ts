import { beforeEach, describe, expect, test } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import { MAX_SEED_BATCH } from "../../convex/seed";
import { VIEWER_COUNT_SHARDS } from "../../convex/lib/viewerCounts";
import { allRows, asUser, expectRefusal, newDeployment, type Deployment } from "./harness";

let t: Deployment;
beforeEach(() => {
  t = newDeployment();
});

describe("seeding", () => {
  test("createUsers is idempotent over the same range and matches token subjects", async () => {
    const first = await t.mutation(internal.seed.createUsers, { count: 5 });
    const again = await t.mutation(internal.seed.createUsers, { count: 3, offset: 2 });
    expect(again).toEqual(first.slice(2, 5));
    expect(await allRows(t, "users")).toHaveLength(5);
    // A token for sim-user-3 acts as the seeded user: no second row.
    const [contentId] = await t.mutation(internal.seed.createContent, { count: 1, durationSeconds: 60 });
    await asUser(t, "sim-user-3").mutation(api.watchProgress.updateProgress, { contentId, positionSeconds: 1, durationSeconds: 60 });
    expect(await allRows(t, "users")).toHaveLength(5);
  });

  test("createGames creates live games with every viewer-count shard at zero", async () => {
    const games = await t.mutation(internal.seed.createGames, { count: 2 });
    const shards = await allRows(t, "viewer_count_shards");
    expect(shards).toHaveLength(2 * VIEWER_COUNT_SHARDS);
    expect(shards.every((s) => s.count === 0)).toBe(true);
    expect(await t.query(api.liveSessions.getViewerCount, { gameId: games[0] })).toBe(0);
  });

  test("createProgress seeds Continue Watching for a user", async () => {
    const [userId] = await t.mutation(internal.seed.createUsers, { count: 1 });
    const contentIds = await t.mutation(internal.seed.createContent, { count: 3, durationSeconds: 100 });
    await t.mutation(internal.seed.createProgress, {
      entries: contentIds.map((contentId, i) => ({ userId, contentId, positionSeconds: 10 * (i + 1), durationSeconds: 100, watchedAt: 1000 + i })),
    });
    const list = await asUser(t, "sim-user-0").query(api.watchProgress.getContinueWatching, {});
    expect(list.map((p) => p.positionSeconds)).toEqual([30, 20, 10]);
  });

  test("batches beyond the limit are refused", async () => {
    await expectRefusal(t.mutation(internal.seed.createUsers, { count: MAX_SEED_BATCH + 1 }), "InvalidArgument");
    await expectRefusal(t.mutation(internal.seed.createContent, { count: 0, durationSeconds: 10 }), "InvalidArgument");
    expect(await allRows(t, "users")).toHaveLength(0);
  });
});
