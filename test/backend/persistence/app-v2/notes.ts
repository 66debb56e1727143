import { mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

export { all, get, byOwner } from "../app/notes.ts";

export const byRank = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query("notes").withIndex("by_rank").collect()).map((d) => d._id),
});

export const tag = mutationGeneric({
  args: { name: v.string() },
  returns: v.id("tags"),
  handler: async (ctx, { name }) => ctx.db.insert("tags", { name }),
});
