// Benchmark functions. Values are strings so a lean receiver can find a
// write's nonce in a frame without parsing it.
import {
  mutationGeneric,
  queryGeneric,
  type DataModelFromSchemaDefinition,
  type MutationBuilder,
  type QueryBuilder,
} from "convex/server";
import { v } from "convex/values";
import type schema from "./schema.ts";

type DataModel = DataModelFromSchemaDefinition<typeof schema>;
const query = queryGeneric as QueryBuilder<DataModel, "public">;
const mutation = mutationGeneric as MutationBuilder<DataModel, "public">;

/** Seeding happens in batches this size: far under Convex's 16,000 writes per transaction. */
export const SEED_BATCH = 1_000;

export const bump = mutation({
  args: { name: v.string(), value: v.string() },
  returns: v.null(),
  handler: async (ctx, { name, value }) => {
    const cell = await ctx.db
      .query("cells")
      .withIndex("by_name", (q) => q.eq("name", name))
      .unique();
    if (cell === null) await ctx.db.insert("cells", { name, value });
    else await ctx.db.patch(cell._id, { value });
    return null;
  },
});

export const read = query({
  args: { name: v.string() },
  returns: v.union(v.string(), v.null()),
  handler: async (ctx, { name }) =>
    (
      await ctx.db
        .query("cells")
        .withIndex("by_name", (q) => q.eq("name", name))
        .unique()
    )?.value ?? null,
});

export const seedDocs = mutation({
  args: { from: v.number(), count: v.number() },
  returns: v.null(),
  handler: async (ctx, { from, count }) => {
    if (count > SEED_BATCH) throw new Error(`seed at most ${SEED_BATCH} documents per call`);
    for (let n = from; n < from + count; n++) {
      await ctx.db.insert("docs", { n, group: `g${n % 10}`, payload: `document ${n}` });
    }
    return null;
  },
});

/** Documents with lo <= n < hi, read through the by_n index. */
export const range = query({
  args: { lo: v.number(), hi: v.number() },
  returns: v.object({ rows: v.number(), sum: v.number() }),
  handler: async (ctx, { lo, hi }) => {
    const docs = await ctx.db
      .query("docs")
      .withIndex("by_n", (q) => q.gte("n", lo).lt("n", hi))
      .collect();
    return { rows: docs.length, sum: docs.reduce((total, doc) => total + doc.n, 0) };
  },
});
