// The app the persistence suites write with: values of every Convex type, a
// compound index with an optional field, and a table written in batches
// (one mutation, several documents: all of a batch or none of it survives).
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  // notes.ts `byOwner`: range reads over (owner, rank).
  notes: defineTable({ owner: v.string(), rank: v.optional(v.number()), body: v.any() }).index("by_owner_rank", ["owner", "rank"]),
  // batches.ts `members`: every document of one batch.
  batches: defineTable({ batch: v.string(), part: v.number() }).index("by_batch", ["batch"]),
  events: defineTable({ kind: v.string(), at: v.number() }),
});
