import { beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { allRows, asUser, expectRefusal, newDeployment, useFakeClock, seedContent, seedGame, type Deployment } from "./harness";

useFakeClock();
let t: Deployment;
beforeEach(() => {
  t = newDeployment();
});

describe("updateProgress", () => {
  test("creates the caller's row with completion computed on the server", async () => {
    const [contentId] = await seedContent(t, 1, 1000);
    const alice = asUser(t, "alice");
    const result = await alice.mutation(api.watchProgress.updateProgress, {
      contentId,
      positionSeconds: 250,
      durationSeconds: 1000,
      deviceType: "web",
    });
    expect(result).toEqual({ applied: true, completionPercentage: 25, completed: false });
    const progress = await alice.query(api.watchProgress.getProgress, { contentId });
    expect(progress).toMatchObject({ positionSeconds: 250, completionPercentage: 25, deviceType: "web" });
  });

  test("an item is completed at exactly 90 % and not just below", async () => {
    const [a, b] = await seedContent(t, 2, 1000);
    const alice = asUser(t, "alice");
    const below = await alice.mutation(api.watchProgress.updateProgress, { contentId: a, positionSeconds: 899.9, durationSeconds: 1000 });
    const at = await alice.mutation(api.watchProgress.updateProgress, { contentId: b, positionSeconds: 900, durationSeconds: 1000 });
    expect(below.completed).toBe(false);
    expect(at.completed).toBe(true);
  });

  test("three devices writing out of order converge on the newest device clock", async () => {
    const [contentId] = await seedContent(t);
    const alice = asUser(t, "alice");
    const base = Date.now() - 60_000;
    // Device writes in device-time order: phone@+1s, tv@+2s, web@+3s; they arrive web, phone, tv.
    const web = { contentId, positionSeconds: 300, durationSeconds: 1000, deviceType: "web", clientUpdatedAt: base + 3000 };
    const phone = { contentId, positionSeconds: 100, durationSeconds: 1000, deviceType: "ios", clientUpdatedAt: base + 1000 };
    const tv = { contentId, positionSeconds: 200, durationSeconds: 1000, deviceType: "tv", clientUpdatedAt: base + 2000 };
    expect((await alice.mutation(api.watchProgress.updateProgress, web)).applied).toBe(true);
    expect((await alice.mutation(api.watchProgress.updateProgress, phone)).applied).toBe(false);
    expect((await alice.mutation(api.watchProgress.updateProgress, tv)).applied).toBe(false);
    const progress = await alice.query(api.watchProgress.getProgress, { contentId });
    expect(progress).toMatchObject({ positionSeconds: 300, deviceType: "web" });
    expect(await allRows(t, "user_watch_progress")).toHaveLength(1);
  });

  test("a newer device write replaces an older one from another device", async () => {
    const [contentId] = await seedContent(t);
    const alice = asUser(t, "alice");
    const base = Date.now() - 60_000;
    await alice.mutation(api.watchProgress.updateProgress, { contentId, positionSeconds: 100, durationSeconds: 1000, deviceType: "tv", clientUpdatedAt: base });
    const r = await alice.mutation(api.watchProgress.updateProgress, { contentId, positionSeconds: 50, durationSeconds: 1000, deviceType: "ios", clientUpdatedAt: base + 1 });
    expect(r.applied).toBe(true);
    expect(await alice.query(api.watchProgress.getProgress, { contentId })).toMatchObject({ positionSeconds: 50, deviceType: "ios" });
  });

  test("users never see or overwrite each other's progress", async () => {
    const [contentId] = await seedContent(t);
    await asUser(t, "alice").mutation(api.watchProgress.updateProgress, { contentId, positionSeconds: 10, durationSeconds: 1000 });
    await asUser(t, "bob").mutation(api.watchProgress.updateProgress, { contentId, positionSeconds: 20, durationSeconds: 1000 });
    expect(await asUser(t, "alice").query(api.watchProgress.getProgress, { contentId })).toMatchObject({ positionSeconds: 10 });
    expect(await asUser(t, "bob").query(api.watchProgress.getProgress, { contentId })).toMatchObject({ positionSeconds: 20 });
    expect(await asUser(t, "carol").query(api.watchProgress.getProgress, { contentId })).toBeNull();
  });

  test.each([
    ["a negative position", { positionSeconds: -1, durationSeconds: 100 }],
    ["a position past the end", { positionSeconds: 101, durationSeconds: 100 }],
    ["a NaN position", { positionSeconds: Number.NaN, durationSeconds: 100 }],
    ["an infinite duration", { positionSeconds: 1, durationSeconds: Number.POSITIVE_INFINITY }],
    ["a zero duration", { positionSeconds: 0, durationSeconds: 0 }],
    ["a device clock far in the future", { positionSeconds: 1, durationSeconds: 100, clientUpdatedAt: Date.parse("2027-01-01") }],
    ["a malformed device type", { positionSeconds: 1, durationSeconds: 100, deviceType: "  " }],
  ])("refuses %s and writes nothing", async (_name, numbers) => {
    const [contentId] = await seedContent(t);
    const message = await expectRefusal(
      asUser(t, "alice").mutation(api.watchProgress.updateProgress, { contentId, ...numbers }),
      "InvalidArgument",
    );
    expect(message.length).toBeGreaterThan(10);
    expect(await allRows(t, "user_watch_progress")).toHaveLength(0);
  });

  test("refuses content that does not exist", async () => {
    const [contentId] = await seedContent(t);
    await t.run(async (ctx) => ctx.db.delete(contentId));
    await expectRefusal(
      asUser(t, "alice").mutation(api.watchProgress.updateProgress, { contentId, positionSeconds: 1, durationSeconds: 10 }),
      "NotFound",
    );
  });

  test("refuses an anonymous caller and writes nothing", async () => {
    const [contentId] = await seedContent(t);
    await expectRefusal(
      t.mutation(api.watchProgress.updateProgress, { contentId, positionSeconds: 1, durationSeconds: 10 }),
      "Unauthenticated",
    );
    expect(await allRows(t, "users")).toHaveLength(0);
  });

  test("refuses an id of another table before running", async () => {
    const gameId = await seedGame(t);
    await expect(
      asUser(t, "alice").mutation(api.watchProgress.updateProgress, {
        contentId: gameId as unknown as Id<"content">,
        positionSeconds: 1,
        durationSeconds: 10,
      }),
    ).rejects.toThrow(/content/);
    expect(await allRows(t, "user_watch_progress")).toHaveLength(0);
  });
});

describe("getContinueWatching", () => {
  test("lists the 10 most recent unfinished items, newest first, with titles", async () => {
    const contentIds = await seedContent(t, 14, 1000);
    const alice = asUser(t, "alice");
    for (const [i, contentId] of contentIds.entries()) {
      vi.advanceTimersByTime(1000);
      // Items 3 and 12 are finished and must not appear.
      const positionSeconds = i === 3 || i === 12 ? 950 : 100 + i;
      await alice.mutation(api.watchProgress.updateProgress, { contentId, positionSeconds, durationSeconds: 1000 });
    }
    const list = await alice.query(api.watchProgress.getContinueWatching, {});
    expect(list).toHaveLength(10);
    const expectedOrder = [13, 11, 10, 9, 8, 7, 6, 5, 4, 2].map((i) => contentIds[i]);
    expect(list.map((item) => item.contentId)).toEqual(expectedOrder);
    expect(list[0].title).toMatch(/Simulated title/);
    expect(list.every((item) => !item.completed)).toBe(true);
  });

  test("re-watching an item moves it to the front", async () => {
    const [a, b] = await seedContent(t, 2);
    const alice = asUser(t, "alice");
    await alice.mutation(api.watchProgress.updateProgress, { contentId: a, positionSeconds: 1, durationSeconds: 1000 });
    vi.advanceTimersByTime(1000);
    await alice.mutation(api.watchProgress.updateProgress, { contentId: b, positionSeconds: 1, durationSeconds: 1000 });
    vi.advanceTimersByTime(1000);
    await alice.mutation(api.watchProgress.updateProgress, { contentId: a, positionSeconds: 2, durationSeconds: 1000 });
    const list = await alice.query(api.watchProgress.getContinueWatching, {});
    expect(list.map((item) => item.contentId)).toEqual([a, b]);
  });

  test("is empty for a first-time user and refused without a token", async () => {
    expect(await asUser(t, "newcomer").query(api.watchProgress.getContinueWatching, {})).toEqual([]);
    await expectRefusal(t.query(api.watchProgress.getContinueWatching, {}), "Unauthenticated");
  });
});
