import { beforeEach, describe, expect, test } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import { MAX_SEED_BATCH } from "../../convex/seed";
import { VIEWER_COUNT_SHARDS } from "../../convex/lib/viewerCounts";
import { allRows, asUser, expectRefusal, newDeployment, type Deployment } from "./harness";

let t: Deployment;
beforeEach(() => {
  t = newDeployment();
});

const seededRows = (table: "games" | "content") => t.run(async (ctx) => await ctx.db.query(table).collect());

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

  test("games seeded with a run key are created once: every shard of a run gets the same games", async () => {
    const shardOne = await t.mutation(internal.seed.createGames, { count: 3, key: "chat-burst.seed-7" });
    // A second machine, seeding the same run concurrently or later, and in batches of its own.
    const [shardTwo, rest] = await Promise.all([
      t.mutation(internal.seed.createGames, { count: 2, key: "chat-burst.seed-7" }),
      t.mutation(internal.seed.createGames, { count: 2, offset: 2, key: "chat-burst.seed-7" }),
    ]);
    expect([...shardTwo, rest[0]]).toEqual(shardOne);
    expect(await seededRows("games")).toHaveLength(4);
    // Each game got its viewer-count shards once.
    expect(await allRows(t, "viewer_count_shards")).toHaveLength(4 * VIEWER_COUNT_SHARDS);
    // Another run key (another --seed or scenario) gets games of its own; no key, fresh ones every time.
    const other = await t.mutation(internal.seed.createGames, { count: 1, key: "chat-burst.seed-8" });
    const unkeyed = await t.mutation(internal.seed.createGames, { count: 1 });
    expect(new Set([...shardOne, ...other, ...unkeyed]).size).toBe(5);
  });

  test("content seeded with a run key is created once", async () => {
    const first = await t.mutation(internal.seed.createContent, { count: 3, durationSeconds: 60, key: "progress-sync.seed-1" });
    const again = await t.mutation(internal.seed.createContent, { count: 3, durationSeconds: 60, key: "progress-sync.seed-1" });
    expect(again).toEqual(first);
    expect(await seededRows("content")).toHaveLength(3);
  });

  test("a bad run key is refused before anything is written", async () => {
    await expectRefusal(t.mutation(internal.seed.createGames, { count: 1, key: "spaces are not allowed" }), "InvalidArgument");
    await expectRefusal(t.mutation(internal.seed.createContent, { count: 1, durationSeconds: 5, key: "" }), "InvalidArgument");
    expect(await seededRows("games")).toHaveLength(0);
    expect(await seededRows("content")).toHaveLength(0);
  });

  test("progress seeded with keepExisting never rolls back what a user already wrote", async () => {
    const [userId] = await t.mutation(internal.seed.createUsers, { count: 1 });
    const [seen, fresh] = await t.mutation(internal.seed.createContent, { count: 2, durationSeconds: 100 });
    // The user (running on one shard) writes progress before another shard's seeding reaches them.
    await asUser(t, "sim-user-0").mutation(api.watchProgress.updateProgress, { contentId: seen, positionSeconds: 70, durationSeconds: 100 });
    await t.mutation(internal.seed.createProgress, {
      keepExisting: true,
      entries: [seen, fresh].map((contentId) => ({ userId, contentId, positionSeconds: 5, durationSeconds: 100, watchedAt: 1 })),
    });
    expect(await asUser(t, "sim-user-0").query(api.watchProgress.getProgress, { contentId: seen })).toMatchObject({ positionSeconds: 70 });
    expect(await asUser(t, "sim-user-0").query(api.watchProgress.getProgress, { contentId: fresh })).toMatchObject({ positionSeconds: 5 });
  });

  test("batches beyond the limit are refused", async () => {
    await expectRefusal(t.mutation(internal.seed.createUsers, { count: MAX_SEED_BATCH + 1 }), "InvalidArgument");
    await expectRefusal(t.mutation(internal.seed.createContent, { count: 0, durationSeconds: 10 }), "InvalidArgument");
    expect(await allRows(t, "users")).toHaveLength(0);
  });
});
