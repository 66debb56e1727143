// Exact live viewer counts as a sharded counter (see viewer_count_shards in
// schema.ts for why). A session always maps to the same shard, so a shard is
// incremented on join and decremented on leave/cleanup by the same session
// and never goes negative.
import type { Id } from "../_generated/dataModel";
import type { MutationCtx, QueryCtx } from "../_generated/server";

// 16 shards let ~16 joins of one game commit in parallel without conflicting,
// while a count still reads only 16 tiny documents.
export const VIEWER_COUNT_SHARDS = 16;

/** FNV-1a of the session id: stable, cheap, and spreads UUIDs evenly. */
export function shardOf(sessionId: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < sessionId.length; i++) {
    hash ^= sessionId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) % VIEWER_COUNT_SHARDS;
}

export async function readViewerCount(ctx: QueryCtx, gameId: Id<"games">): Promise<number> {
  const shards = await ctx.db
    .query("viewer_count_shards")
    .withIndex("by_game_shard", (q) => q.eq("game_id", gameId))
    .collect();
  return shards.reduce((sum, s) => sum + s.count, 0);
}

export async function addViewers(ctx: MutationCtx, gameId: Id<"games">, shard: number, delta: number) {
  if (delta === 0) return;
  const row = await ctx.db
    .query("viewer_count_shards")
    .withIndex("by_game_shard", (q) => q.eq("game_id", gameId).eq("shard", shard))
    .unique();
  if (row === null) {
    await ctx.db.insert("viewer_count_shards", { game_id: gameId, shard, count: delta });
  } else {
    await ctx.db.patch(row._id, { count: row.count + delta });
  }
}

/** Creates every shard of a new game up front, so the first joins don't race to create them. */
export async function createViewerCountShards(ctx: MutationCtx, gameId: Id<"games">) {
  for (let shard = 0; shard < VIEWER_COUNT_SHARDS; shard++) {
    await ctx.db.insert("viewer_count_shards", { game_id: gameId, shard, count: 0 });
  }
}
