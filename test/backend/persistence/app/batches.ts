import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

/** Writes `parts` documents of one batch in one transaction. */
export const write = mutationGeneric({
  args: { batch: v.string(), parts: v.number() },
  handler: async (ctx, { batch, parts }) => {
    for (let part = 0; part < parts; part++) await ctx.db.insert("batches", { batch, part });
    return null;
  },
});

/** batch name → number of its documents present. */
export const sizes = queryGeneric({
  args: {},
  handler: async (ctx) => {
    const sizes: Record<string, number> = {};
    for (const doc of await ctx.db.query("batches").collect()) sizes[doc.batch] = (sizes[doc.batch] ?? 0) + 1;
    return sizes;
  },
});

export const members = queryGeneric({
  args: { batch: v.string() },
  handler: async (ctx, { batch }) => (await ctx.db.query("batches").withIndex("by_batch", (q) => q.eq("batch", batch)).collect()).length,
});
