// The persistence app after a schema change: a new table listed first (it
// would take the first table number if numbers followed schema order), the
// old tables reordered, and a new index over existing documents.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  tags: defineTable({ name: v.string() }),
  events: defineTable({ kind: v.string(), at: v.number() }),
  // notes.ts `byRank`: every note by rank, whoever owns it.
  notes: defineTable({ owner: v.string(), rank: v.optional(v.number()), body: v.any() })
    .index("by_owner_rank", ["owner", "rank"])
    .index("by_rank", ["rank"]),
  batches: defineTable({ batch: v.string(), part: v.number() }).index("by_batch", ["batch"]),
});
