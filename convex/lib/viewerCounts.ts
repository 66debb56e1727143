// Live viewer counts, twice over (see viewer_count_shards and viewer_counts
// in schema.ts for why):
//   exact      a sharded counter. A session always maps to the same shard, so
//              a shard is incremented on join and decremented on
//              leave/cleanup by the same session and never goes negative.
//   published  what viewers' screens subscribe to: the exact count copied
//              into one row per game on the game's beat: at most once per
//              PUBLISH_INTERVAL_MS, at a moment of the interval fixed by the
//              game's id. Every change waits for the next beat, and all the
//              changes of a beat go out as one.
// Each shard counts its changes (its version). A join or leave returns the
// version it made and a publication records the versions it read, so whoever
// made a change can tell which publication first shows it: a count alone
// cannot say (a join and a leave in one second publish the same number).
import { v, type Infer } from "convex/values";
import { internal } from "../_generated/api";
import type { Doc, Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";

// 16 shards let ~16 joins of one game commit in parallel without conflicting,
// while a count still reads only 16 tiny documents.
export const VIEWER_COUNT_SHARDS = 16;

/** FNV-1a: stable, cheap, and spreads UUIDs and document ids evenly. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export function shardOf(sessionId: string): number {
  return fnv1a(sessionId) % VIEWER_COUNT_SHARDS;
}

async function readShards(ctx: QueryCtx, gameId: Id<"games">): Promise<Doc<"viewer_count_shards">[]> {
  return await ctx.db
    .query("viewer_count_shards")
    .withIndex("by_game_shard", (q) => q.eq("game_id", gameId))
    .collect();
}

const totalOf = (shards: Doc<"viewer_count_shards">[]) => shards.reduce((sum, s) => sum + s.count, 0);

/** Covers indexed by shard number, every shard at version 0: nothing yet. */
const noVersions = () => new Array<number>(VIEWER_COUNT_SHARDS).fill(0);

export async function readViewerCount(ctx: QueryCtx, gameId: Id<"games">): Promise<number> {
  return totalOf(await readShards(ctx, gameId));
}

/** One change of the exact count: the shard it changed and that shard's version after it. */
export const vCountChange = v.object({ shard: v.number(), version: v.number() });
export type CountChange = Infer<typeof vCountChange>;

// A 1,000-viewer game at kick-off sees dozens of joins a second; publishing
// each would send every one of its viewers dozens of messages a second. One
// second is as live as a viewer count on screen needs to be.
export const PUBLISH_INTERVAL_MS = 1_000;

/**
 * The game's beat: the ms within each interval at which it publishes. Were
 * every publication simply due an interval after the previous one, games
 * that kick off together would publish together for the rest of the match,
 * and every game's fan-out would reach the server in the same few
 * milliseconds of each second (10 games of 1,000 viewers: 10,000 messages in
 * one burst, every second). Beats fixed by the id spread them over the second.
 */
export function publicationBeat(gameId: string): number {
  return fnv1a(gameId) % PUBLISH_INTERVAL_MS;
}

/** The first of the game's beats at or after `time`. */
export function nextBeat(gameId: string, time: number): number {
  const wait = (publicationBeat(gameId) - (time % PUBLISH_INTERVAL_MS) + PUBLISH_INTERVAL_MS) % PUBLISH_INTERVAL_MS;
  return time + wait;
}

// A publication this late never ran (a backend restored without its
// schedule): the next change schedules a new one rather than waiting forever.
const OVERDUE_MS = 30_000;

/** Adds `delta` (not 0) viewers to the exact count and makes sure a publication of it is on its way. */
export async function addViewers(ctx: MutationCtx, gameId: Id<"games">, shard: number, delta: number): Promise<CountChange> {
  const row = await ctx.db
    .query("viewer_count_shards")
    .withIndex("by_game_shard", (q) => q.eq("game_id", gameId).eq("shard", shard))
    .unique();
  const version = (row?.version ?? 0) + 1;
  if (row === null) {
    await ctx.db.insert("viewer_count_shards", { game_id: gameId, shard, count: delta, version });
  } else {
    await ctx.db.patch(row._id, { count: row.count + delta, version });
  }
  await schedulePublication(ctx, gameId);
  return { shard, version };
}

async function findPublished(ctx: QueryCtx, gameId: Id<"games">): Promise<Doc<"viewer_counts"> | null> {
  return await ctx.db
    .query("viewer_counts")
    .withIndex("by_game", (q) => q.eq("game_id", gameId))
    .unique();
}

/**
 * At most one publication per game is pending: the first change schedules
 * one for the game's next beat after its last publication, and every later
 * change finds it pending.
 */
async function schedulePublication(ctx: MutationCtx, gameId: Id<"games">) {
  const published = await findPublished(ctx, gameId);
  const now = Date.now();
  if (published?.next_publish_at !== undefined && now < published.next_publish_at + OVERDUE_MS) return;
  // Strictly after the last publication, which ran on (or just after) a beat: one publication per beat.
  const publishAt = nextBeat(gameId, Math.max(now, (published?.published_at ?? 0) + 1));
  await ctx.scheduler.runAt(publishAt, internal.liveSessions.publishViewerCount, { gameId });
  if (published === null) {
    // A game seeded before published counts existed: start from its exact count.
    await ctx.db.insert("viewer_counts", { game_id: gameId, count: await readViewerCount(ctx, gameId), published_at: 0, next_publish_at: publishAt });
  } else {
    await ctx.db.patch(published._id, { next_publish_at: publishAt });
  }
}

/** The scheduled publication: copies the exact count, and the versions it read, into the published row and ends the pending state. */
export async function publishExactCount(ctx: MutationCtx, gameId: Id<"games">) {
  const published = await findPublished(ctx, gameId);
  const shards = await readShards(ctx, gameId);
  const covers = noVersions();
  for (const s of shards) covers[s.shard] = s.version ?? 0;
  const row = { count: totalOf(shards), covers, published_at: Date.now(), next_publish_at: undefined };
  if (published === null) await ctx.db.insert("viewer_counts", { game_id: gameId, ...row });
  else await ctx.db.patch(published._id, row);
}

/** The count viewers watch: at most one publication interval behind the exact count. */
export async function readPublishedViewerCount(ctx: QueryCtx, gameId: Id<"games">): Promise<number> {
  const published = await findPublished(ctx, gameId);
  // Games from before published counts have no row until their first join or leave.
  return published === null ? await readViewerCount(ctx, gameId) : published.count;
}

export const vPublication = v.object({ count: v.number(), publishedAt: v.number(), covers: v.array(v.number()) });
export type Publication = Infer<typeof vPublication>;

/**
 * The published count with the shard versions it includes: a change
 * {shard, version} is on screen once covers[shard] >= version. A game not
 * yet published covers nothing (every shard at 0).
 */
export async function readPublication(ctx: QueryCtx, gameId: Id<"games">): Promise<Publication> {
  const published = await findPublished(ctx, gameId);
  if (published === null) return { count: await readViewerCount(ctx, gameId), publishedAt: 0, covers: noVersions() };
  return { count: published.count, publishedAt: published.published_at, covers: published.covers ?? noVersions() };
}

/** Creates every shard and the published row of a new game up front, so the first joins don't race to create them. */
export async function createViewerCounts(ctx: MutationCtx, gameId: Id<"games">) {
  for (let shard = 0; shard < VIEWER_COUNT_SHARDS; shard++) {
    await ctx.db.insert("viewer_count_shards", { game_id: gameId, shard, count: 0 });
  }
  await ctx.db.insert("viewer_counts", { game_id: gameId, count: 0, published_at: 0 });
}
