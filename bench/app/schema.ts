// The functions `npm run bench:backend` loads (bench/backend.ts): one
// counter table for latency runs and one document table for index ranges.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";

export default defineSchema({
  // bump / read: one row per name, the value a writer sets and viewers watch.
  cells: defineTable({ name: v.string(), value: v.string() }).index("by_name", ["name"]),
  // range: documents ordered by n, read as an index range.
  docs: defineTable({ n: v.number(), group: v.string(), payload: v.string() }).index("by_n", ["n"]),
});
