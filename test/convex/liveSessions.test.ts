import { beforeEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { CLEANUP_BATCH_SIZE, HEARTBEAT_INTERVAL_MS, STALE_AFTER_MS } from "../../convex/liveSessions";
import { PUBLISH_INTERVAL_MS, VIEWER_COUNT_SHARDS, nextBeat, publicationBeat, shardOf, type CountChange } from "../../convex/lib/viewerCounts";
import { allRows, asUser, expectRefusal, newDeployment, useFakeClock, seedGame, type Deployment } from "./harness";

useFakeClock();
let t: Deployment;
beforeEach(() => {
  t = newDeployment();
});

const viewerCount = (gameId: Id<"games">) => t.query(api.liveSessions.getViewerCount, { gameId });
const liveCount = (gameId: Id<"games">) => t.query(api.liveSessions.getLiveViewerCount, { gameId });
const join = (gameId: Id<"games">) => t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" });
const publication = (gameId: Id<"games">) => t.query(api.liveSessions.getViewerCountPublication, { gameId });
/** Whether a publication's covers include a change. */
const covered = (covers: number[], change: CountChange | null) => change !== null && covers[change.shard] >= change.version;

/** Every publication the scheduler holds, run or not. */
async function scheduledPublications() {
  const scheduled = await t.run((ctx) => ctx.db.system.query("_scheduled_functions").collect());
  return scheduled.filter((f) => f.name.includes("publishViewerCount"));
}

/** Publications still waiting to run. */
async function pendingPublications() {
  return (await scheduledPublications()).filter((f) => f.state.kind === "pending").length;
}

/** Milliseconds from now to the game's next publication beat (0 when now is one). */
const untilBeat = (gameId: Id<"games">) => nextBeat(gameId, Date.now()) - Date.now();

/** Lets fake time pass and runs the publications that fell due. */
async function passTime(ms: number) {
  vi.advanceTimersByTime(ms);
  await t.finishInProgressScheduledFunctions();
}

async function activeSessions(gameId: Id<"games">) {
  return (await allRows(t, "live_stream_sessions")).filter((s) => s.active && s.game_id === gameId).length;
}

describe("joining and leaving", () => {
  test("viewer counts follow joins and leaves exactly", async () => {
    const gameId = await seedGame(t);
    const alice = asUser(t, "alice");
    const a = await alice.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" });
    const b = await asUser(t, "bob").mutation(api.liveSessions.joinStream, { gameId, deviceType: "tv", quality: "1080p" });
    const anon = await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "ios" });
    expect(await viewerCount(gameId)).toBe(3);
    await alice.mutation(api.liveSessions.leaveStream, { sessionId: a.sessionId });
    expect(await viewerCount(gameId)).toBe(2);
    // Leaving twice is harmless and does not count twice.
    await alice.mutation(api.liveSessions.leaveStream, { sessionId: a.sessionId });
    await t.mutation(api.liveSessions.leaveStream, { sessionId: anon.sessionId });
    expect(await viewerCount(gameId)).toBe(1);
    expect(await activeSessions(gameId)).toBe(1);
    expect(b.sessionId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test("joining with a client-chosen session id is idempotent", async () => {
    const gameId = await seedGame(t);
    const sessionId = "3f0a6a52-5d0c-4bd4-9d7c-4c2f3a1e9b10";
    const alice = asUser(t, "alice");
    await alice.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web", sessionId });
    await alice.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web", sessionId });
    expect(await viewerCount(gameId)).toBe(1);
    expect(await allRows(t, "live_stream_sessions")).toHaveLength(1);
  });

  test("counts of different games are independent", async () => {
    const g1 = await seedGame(t);
    const g2 = await seedGame(t);
    for (let i = 0; i < 5; i++) await t.mutation(api.liveSessions.joinStream, { gameId: g1, deviceType: "web" });
    await t.mutation(api.liveSessions.joinStream, { gameId: g2, deviceType: "web" });
    expect(await viewerCount(g1)).toBe(5);
    expect(await viewerCount(g2)).toBe(1);
  });

  test("many viewers spread over the count shards and still sum exactly", async () => {
    const gameId = await seedGame(t);
    const ids = [];
    for (let i = 0; i < 60; i++) ids.push((await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" })).sessionId);
    for (const sessionId of ids.slice(0, 25)) await t.mutation(api.liveSessions.leaveStream, { sessionId });
    expect(await viewerCount(gameId)).toBe(35);
    const shards = (await allRows(t, "viewer_count_shards")).filter((s) => s.game_id === gameId);
    expect(shards.filter((s) => s.count > 0).length).toBeGreaterThan(4);
    expect(shards.every((s) => s.count >= 0)).toBe(true);
  });

  test("an ended game and an unknown game are refused", async () => {
    const ended = await seedGame(t, "ended");
    await expectRefusal(t.mutation(api.liveSessions.joinStream, { gameId: ended, deviceType: "web" }), "InvalidArgument");
    const gone = await seedGame(t);
    await t.run(async (ctx) => ctx.db.delete(gone));
    await expectRefusal(t.mutation(api.liveSessions.joinStream, { gameId: gone, deviceType: "web" }), "NotFound");
    await expectRefusal(t.query(api.liveSessions.getViewerCount, { gameId: gone }), "NotFound");
    expect(await allRows(t, "live_stream_sessions")).toHaveLength(0);
  });

  test.each([
    ["a session id that is not a UUID", { sessionId: "not-a-uuid" }],
    ["an empty device type", { deviceType: "" }],
    ["an over-long quality", { quality: "x".repeat(100) }],
  ])("refuses %s and writes nothing", async (_name, override) => {
    const gameId = await seedGame(t);
    await expectRefusal(
      t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web", ...override }),
      "InvalidArgument",
    );
    expect(await allRows(t, "live_stream_sessions")).toHaveLength(0);
  });
});

describe("ownership", () => {
  test("nobody else can heartbeat or end a user's session", async () => {
    const gameId = await seedGame(t);
    const { sessionId } = await asUser(t, "alice").mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" });
    await expectRefusal(asUser(t, "mallory").mutation(api.liveSessions.heartbeat, { sessionId }), "Forbidden");
    await expectRefusal(asUser(t, "mallory").mutation(api.liveSessions.leaveStream, { sessionId }), "Forbidden");
    await expectRefusal(t.mutation(api.liveSessions.leaveStream, { sessionId }), "Forbidden");
    await expectRefusal(
      asUser(t, "mallory").mutation(api.liveSessions.joinStream, { gameId, deviceType: "web", sessionId }),
      "Forbidden",
    );
    expect(await viewerCount(gameId)).toBe(1);
  });

  test("a session id cannot be moved to another game", async () => {
    const g1 = await seedGame(t);
    const g2 = await seedGame(t);
    const alice = asUser(t, "alice");
    const { sessionId } = await alice.mutation(api.liveSessions.joinStream, { gameId: g1, deviceType: "web" });
    await expectRefusal(alice.mutation(api.liveSessions.joinStream, { gameId: g2, deviceType: "web", sessionId }), "InvalidArgument");
    expect(await viewerCount(g2)).toBe(0);
  });

  test("an unknown session is NotFound", async () => {
    await expectRefusal(
      t.mutation(api.liveSessions.heartbeat, { sessionId: "3f0a6a52-5d0c-4bd4-9d7c-4c2f3a1e9b10" }),
      "NotFound",
    );
  });
});

describe("heartbeats and stale-session cleanup", () => {
  test("a heartbeat refreshes last_heartbeat and leaves the count alone", async () => {
    const gameId = await seedGame(t);
    const { sessionId } = await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" });
    vi.advanceTimersByTime(HEARTBEAT_INTERVAL_MS);
    await t.mutation(api.liveSessions.heartbeat, { sessionId });
    const [session] = await allRows(t, "live_stream_sessions");
    expect(session.last_heartbeat).toBe(Date.now());
    const shardsBefore = await allRows(t, "viewer_count_shards");
    await t.mutation(api.liveSessions.heartbeat, { sessionId });
    expect(await allRows(t, "viewer_count_shards")).toEqual(shardsBefore);
  });

  test("cleanup retires sessions silent for over 2 minutes and keeps healthy ones", async () => {
    const gameId = await seedGame(t);
    const healthy = await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" });
    await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" }); // crashes: never heartbeats
    for (let elapsed = 0; elapsed < STALE_AFTER_MS; elapsed += HEARTBEAT_INTERVAL_MS) {
      vi.advanceTimersByTime(HEARTBEAT_INTERVAL_MS);
      await t.mutation(api.liveSessions.heartbeat, { sessionId: healthy.sessionId });
    }
    // Exactly at the threshold the crashed session is not yet stale.
    expect(await t.mutation(internal.liveSessions.cleanupStaleSessions, {})).toEqual({ deactivated: 0, more: false });
    vi.advanceTimersByTime(1);
    expect(await t.mutation(internal.liveSessions.cleanupStaleSessions, {})).toEqual({ deactivated: 1, more: false });
    expect(await viewerCount(gameId)).toBe(1);
    expect(await activeSessions(gameId)).toBe(1);
    await t.mutation(api.liveSessions.heartbeat, { sessionId: healthy.sessionId });
  });

  test("a retired session's heartbeat is refused until it re-joins, which counts it again", async () => {
    const gameId = await seedGame(t);
    const { sessionId } = await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" });
    vi.advanceTimersByTime(STALE_AFTER_MS + 1);
    await t.mutation(internal.liveSessions.cleanupStaleSessions, {});
    expect(await viewerCount(gameId)).toBe(0);
    await expectRefusal(t.mutation(api.liveSessions.heartbeat, { sessionId }), "SessionInactive");
    await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web", sessionId });
    expect(await viewerCount(gameId)).toBe(1);
    await t.mutation(api.liveSessions.heartbeat, { sessionId });
  });

  test("a large backlog is retired in bounded batches that chain until done", async () => {
    const gameId = await seedGame(t);
    const total = CLEANUP_BATCH_SIZE * 2 + 7;
    await t.run(async (ctx) => {
      const now = Date.now();
      for (let i = 0; i < total; i++) {
        await ctx.db.insert("live_stream_sessions", {
          game_id: gameId,
          session_id: crypto.randomUUID(),
          joined_at: now,
          last_heartbeat: now,
          active: true,
          device_type: "web",
        });
      }
      const shards = await ctx.db.query("viewer_count_shards").collect();
      // Seeded directly, so put the whole count on shard rows the way joins would have.
      const sessions = await ctx.db.query("live_stream_sessions").collect();
      const { shardOf } = await import("../../convex/lib/viewerCounts");
      for (const shard of shards) {
        const count = sessions.filter((s) => shardOf(s.session_id) === shard.shard).length;
        await ctx.db.patch(shard._id, { count });
      }
    });
    expect(await viewerCount(gameId)).toBe(total);
    vi.advanceTimersByTime(STALE_AFTER_MS + 1);
    const first = await t.mutation(internal.liveSessions.cleanupStaleSessions, {});
    expect(first).toEqual({ deactivated: CLEANUP_BATCH_SIZE, more: true });
    await t.finishAllScheduledFunctions(vi.runAllTimers);
    expect(await viewerCount(gameId)).toBe(0);
    expect(await activeSessions(gameId)).toBe(0);
  });

  test("the cron runs the cleanup every minute", async () => {
    const crons = (await import("../../convex/crons")).default;
    const job = Object.values(crons.crons).find((c) => c.name.includes("cleanupStaleSessions"));
    expect(job).toBeDefined();
    expect(job!.schedule).toEqual({ type: "interval", minutes: 1 });
  });
});

describe("the published viewer count viewers watch", () => {
  test("a change is published on the game's next beat, not before", async () => {
    const gameId = await seedGame(t);
    expect(await liveCount(gameId)).toBe(0);
    // Just past one of the game's beats: the change waits almost a whole interval.
    await passTime(untilBeat(gameId) + 1);
    await join(gameId);
    // Scheduled, not yet run: the exact count has it, the published one not yet.
    expect(await viewerCount(gameId)).toBe(1);
    await passTime(PUBLISH_INTERVAL_MS - 2);
    expect(await liveCount(gameId)).toBe(0);
    await passTime(1);
    expect(await liveCount(gameId)).toBe(1);
    expect(Date.now() % PUBLISH_INTERVAL_MS).toBe(publicationBeat(gameId));
  });

  test("a burst goes out as one publication, and the next change waits for the next beat", async () => {
    const gameId = await seedGame(t);
    await passTime(untilBeat(gameId) + 1);
    await join(gameId);
    await passTime(100);
    for (let i = 0; i < 5; i++) await join(gameId);
    expect(await pendingPublications()).toBe(1);
    await passTime(PUBLISH_INTERVAL_MS - 102);
    expect(await liveCount(gameId)).toBe(0);
    await passTime(1);
    expect(await liveCount(gameId)).toBe(6);
    expect(await pendingPublications()).toBe(0);
    // A change right after a publication: one publication per beat, so a whole interval.
    await join(gameId);
    await passTime(PUBLISH_INTERVAL_MS - 1);
    expect(await liveCount(gameId)).toBe(6);
    await passTime(1);
    expect(await liveCount(gameId)).toBe(7);
  });

  test("games that kick off together publish on beats spread over the interval", async () => {
    const games = [];
    for (let i = 0; i < 10; i++) games.push(await seedGame(t));
    for (const gameId of games) await join(gameId);
    const due = await scheduledPublications();
    expect(due.map((f) => f.scheduledTime % PUBLISH_INTERVAL_MS).sort()).toEqual(games.map(publicationBeat).sort());
    await passTime(PUBLISH_INTERVAL_MS);
    for (const gameId of games) expect(await liveCount(gameId)).toBe(1);
    // The beats themselves: 1,000 ids of the shape Convex gives, each tenth of the interval gets its share.
    const tenths = new Array<number>(10).fill(0);
    for (let i = 0; i < 1_000; i++) tenths[Math.floor(publicationBeat(`k57${(i * 7919).toString(36).padStart(8, "0")}h2x0vq8m9a1`) / (PUBLISH_INTERVAL_MS / 10))] += 1;
    for (const count of tenths) expect(count).toBeGreaterThan(50);
  });

  test("leaves and stale-session cleanup are published too", async () => {
    const gameId = await seedGame(t);
    const { sessionId } = await join(gameId);
    await join(gameId);
    await passTime(PUBLISH_INTERVAL_MS);
    expect(await liveCount(gameId)).toBe(2);
    await t.mutation(api.liveSessions.leaveStream, { sessionId });
    await passTime(PUBLISH_INTERVAL_MS);
    expect(await liveCount(gameId)).toBe(1);
    vi.advanceTimersByTime(STALE_AFTER_MS + 1);
    await t.mutation(internal.liveSessions.cleanupStaleSessions, {});
    await passTime(PUBLISH_INTERVAL_MS);
    expect(await liveCount(gameId)).toBe(0);
  });

  test("heartbeats publish nothing", async () => {
    const gameId = await seedGame(t);
    const { sessionId } = await join(gameId);
    await passTime(PUBLISH_INTERVAL_MS);
    const before = await allRows(t, "viewer_counts");
    await t.mutation(api.liveSessions.heartbeat, { sessionId });
    expect(await pendingPublications()).toBe(0);
    expect(await allRows(t, "viewer_counts")).toEqual(before);
  });

  test("a game without a published row shows its exact count and gets a row with its next change", async () => {
    const gameId = await seedGame(t);
    await join(gameId);
    await passTime(PUBLISH_INTERVAL_MS);
    await t.run(async (ctx) => {
      for (const row of await ctx.db.query("viewer_counts").collect()) await ctx.db.delete(row._id);
    });
    expect(await liveCount(gameId)).toBe(1);
    await join(gameId);
    await passTime(PUBLISH_INTERVAL_MS);
    expect(await liveCount(gameId)).toBe(2);
    expect(await allRows(t, "viewer_counts")).toHaveLength(1);
  });

  test("a publication that never ran does not freeze the count", async () => {
    const gameId = await seedGame(t);
    // As if the backend lost its schedule right after a join marked a publication pending.
    await t.run(async (ctx) => {
      const row = (await ctx.db.query("viewer_counts").collect())[0];
      await ctx.db.patch(row._id, { next_publish_at: Date.now() });
    });
    await join(gameId);
    expect(await pendingPublications()).toBe(0);
    await passTime(60_000);
    await join(gameId);
    await passTime(PUBLISH_INTERVAL_MS);
    expect(await liveCount(gameId)).toBe(2);
  });

  test("an unknown game is NotFound", async () => {
    const gone = await seedGame(t);
    await t.run(async (ctx) => ctx.db.delete(gone));
    await expectRefusal(t.query(api.liveSessions.getLiveViewerCount, { gameId: gone }), "NotFound");
  });
});

describe("what a publication covers", () => {
  test("joins and leaves return the change they made; a repeat that changes nothing returns none", async () => {
    const gameId = await seedGame(t);
    const sessionId = "3f0a6a52-5d0c-4bd4-9d7c-4c2f3a1e9b10";
    const shard = shardOf(sessionId);
    const joined = await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web", sessionId });
    expect(joined.countChange).toEqual({ shard, version: 1 });
    // Already counted: joining again is a heartbeat.
    expect((await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web", sessionId })).countChange).toBeNull();
    expect(await t.mutation(api.liveSessions.leaveStream, { sessionId })).toEqual({ countChange: { shard, version: 2 } });
    expect(await t.mutation(api.liveSessions.leaveStream, { sessionId })).toEqual({ countChange: null });
    expect((await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web", sessionId })).countChange).toEqual({ shard, version: 3 });
  });

  test("a publication covers the changes committed before it and none after", async () => {
    const gameId = await seedGame(t);
    expect(await publication(gameId)).toEqual({ count: 0, publishedAt: 0, covers: new Array(VIEWER_COUNT_SHARDS).fill(0) });
    const before = [];
    for (let i = 0; i < 40; i++) before.push((await join(gameId)).countChange);
    await passTime(untilBeat(gameId));
    const first = await publication(gameId);
    expect(first.count).toBe(40);
    expect(first.publishedAt).toBe(Date.now());
    expect(before.filter((change) => !covered(first.covers, change))).toEqual([]);
    const after = (await join(gameId)).countChange;
    expect(covered((await publication(gameId)).covers, after)).toBe(false);
    await passTime(PUBLISH_INTERVAL_MS);
    expect(covered((await publication(gameId)).covers, after)).toBe(true);
  });

  test("a join and a leave that cancel out leave the count as it was but still move the covers", async () => {
    const gameId = await seedGame(t);
    await join(gameId);
    await passTime(PUBLISH_INTERVAL_MS);
    const before = await publication(gameId);
    const { sessionId, countChange: joined } = await join(gameId);
    const { countChange: left } = await t.mutation(api.liveSessions.leaveStream, { sessionId });
    await passTime(PUBLISH_INTERVAL_MS);
    const after = await publication(gameId);
    expect(after.count).toBe(before.count);
    expect(await liveCount(gameId)).toBe(before.count);
    expect(covered(before.covers, joined) || covered(before.covers, left)).toBe(false);
    expect(covered(after.covers, joined) && covered(after.covers, left)).toBe(true);
    expect(after.publishedAt).toBeGreaterThan(before.publishedAt);
  });

  test("cleanup is one change of each shard it retires sessions from", async () => {
    const gameId = await seedGame(t);
    const joins = [];
    for (let i = 0; i < 30; i++) joins.push((await join(gameId)).countChange!);
    vi.advanceTimersByTime(STALE_AFTER_MS + 1);
    await t.mutation(internal.liveSessions.cleanupStaleSessions, {});
    await passTime(PUBLISH_INTERVAL_MS);
    const { count, covers } = await publication(gameId);
    expect(count).toBe(0);
    const joinedBy = new Map<number, number>();
    for (const change of joins) joinedBy.set(change.shard, Math.max(joinedBy.get(change.shard) ?? 0, change.version));
    for (let shard = 0; shard < VIEWER_COUNT_SHARDS; shard++) {
      expect(covers[shard]).toBe(joinedBy.has(shard) ? joinedBy.get(shard)! + 1 : 0);
    }
  });

  test("an unknown game is NotFound", async () => {
    const gone = await seedGame(t);
    await t.run(async (ctx) => ctx.db.delete(gone));
    await expectRefusal(t.query(api.liveSessions.getViewerCountPublication, { gameId: gone }), "NotFound");
  });
});
