import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

export const insert = mutationGeneric({
  args: { owner: v.string(), rank: v.optional(v.number()), body: v.any() },
  returns: v.id("notes"),
  handler: async (ctx, note) => ctx.db.insert("notes", note),
});

export const patch = mutationGeneric({
  args: { id: v.id("notes"), rank: v.optional(v.number()), body: v.optional(v.any()) },
  handler: async (ctx, { id, ...changes }) => {
    await ctx.db.patch(id, changes);
    return null;
  },
});

export const replace = mutationGeneric({
  args: { id: v.id("notes"), owner: v.string(), body: v.any() },
  handler: async (ctx, { id, owner, body }) => {
    await ctx.db.replace(id, { owner, body });
    return null;
  },
});

export const remove = mutationGeneric({
  args: { id: v.id("notes") },
  handler: async (ctx, { id }) => {
    await ctx.db.delete(id);
    return null;
  },
});

export const get = queryGeneric({
  args: { id: v.id("notes") },
  handler: async (ctx, { id }) => ctx.db.get(id),
});

/** Every note, system fields included, in creation order. */
export const all = queryGeneric({
  args: {},
  handler: async (ctx) => ctx.db.query("notes").collect(),
});

export const byOwner = queryGeneric({
  args: { owner: v.string(), minRank: v.optional(v.number()), order: v.optional(v.union(v.literal("asc"), v.literal("desc"))) },
  handler: async (ctx, { owner, minRank, order }) => {
    const docs = await ctx.db
      .query("notes")
      .withIndex("by_owner_rank", (q) => {
        // Schema-less (generic) range builders do not type a second field.
        const range: any = q.eq("owner", owner);
        return minRank === undefined ? range : range.gte("rank", minRank);
      })
      .order(order ?? "asc")
      .collect();
    return docs.map((d) => d._id);
  },
});

export const count = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query("notes").collect()).length,
});

/** Bulk load for the restore-time measurement: `count` notes shaped like a watch-progress row. */
export const insertMany = mutationGeneric({
  args: { owner: v.string(), count: v.number(), from: v.number() },
  handler: async (ctx, { owner, count, from }) => {
    for (let i = from; i < from + count; i++) {
      await ctx.db.insert("notes", {
        owner,
        rank: i % 1000,
        body: { videoId: `video-${i % 5000}`, positionSec: i % 3600, durationSec: 3600, device: "tv", completed: false, updatedAt: 1_700_000_000_000 + i },
      });
    }
    return null;
  },
});
