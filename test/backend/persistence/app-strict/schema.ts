// The persistence app with a schema the stored notes no longer satisfy.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  notes: defineTable({ owner: v.string(), rank: v.optional(v.number()), body: v.any(), title: v.string() }),
  batches: defineTable({ batch: v.string(), part: v.number() }),
  events: defineTable({ kind: v.string(), at: v.number() }),
});
