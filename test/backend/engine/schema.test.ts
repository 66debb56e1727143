import { cronJobs, defineSchema, defineTable, makeFunctionReference } from "convex/server";
import { v } from "convex/values";
import { describe, expect, it } from "vitest";
import { schemaFromExport } from "../../../src/backend/engine/runtime/schema.ts";
import { nextRunTime, parseCron, nextCronTime } from "../../../src/backend/engine/scheduler/cronSchedule.ts";

/** `export()` is what the Convex CLI pushes; it is marked internal in the published types. */
const load = (tables: Parameters<typeof defineSchema>[0]) => () =>
  schemaFromExport((defineSchema(tables) as unknown as { export(): string }).export());

describe("schema loading", () => {
  it("accepts the tables and indexes of a valid schema", () => {
    const schema = load({ t: defineTable({ a: v.string(), b: v.object({ c: v.number() }) }).index("by_a_c", ["a", "b.c"]) })();
    expect(schema.tables[0]).toMatchObject({ name: "t", indexes: [{ name: "by_a_c", fields: ["a", "b.c"] }] });
  });

  it("rejects index definitions Convex rejects, with Convex's wording", () => {
    expect(load({ t: defineTable({ a: v.string() }).index("by_id", ["a"]) })).toThrow(
      'In table "t" cannot name an index "by_id" because the name is reserved.',
    );
    expect(load({ t: defineTable({ a: v.string() }).index("1bad", ["a"]) })).toThrow('Invalid index name: "1bad".');
    expect(load({ t: defineTable({ a: v.string() }).index("by_time", ["_creationTime" as "a"]) })).toThrow(
      "`_creationTime` is automatically added to the end of each index.",
    );
    expect(load({ t: defineTable({ a: v.string() }).index("by_b", ["b" as "a"]) })).toThrow(
      'In table "t" the index "by_b" is invalid because it references the field b that does not exist.',
    );
    expect(load({ t: defineTable({ a: v.string() }).index("one", ["a"]).index("two", ["a"]) })).toThrow(
      'In table "t" index "one" and index "two" have the same fields.',
    );
  });
});

describe("cron schedules", () => {
  const at = (iso: string) => Date.parse(iso);

  it("find the next match of a cron string in UTC", () => {
    expect(nextCronTime(parseCron("*/15 * * * *"), at("2026-01-01T10:07:00Z"))).toBe(at("2026-01-01T10:15:00Z"));
    expect(nextCronTime(parseCron("0 9 * * MON-FRI"), at("2026-01-02T09:00:00Z"))).toBe(at("2026-01-05T09:00:00Z"));
    expect(nextCronTime(parseCron("30 2 31 * *"), at("2026-04-01T00:00:00Z"))).toBe(at("2026-05-31T02:30:00Z"));
    expect(() => parseCron("61 * * * *")).toThrow(/outside 0-59/);
  });

  it("compute daily, weekly, monthly and interval runs", () => {
    const crons = cronJobs();
    const ref = makeFunctionReference<"mutation">("m:f");
    crons.daily("d", { hourUTC: 3, minuteUTC: 5 }, ref);
    crons.weekly("w", { dayOfWeek: "sunday", hourUTC: 0, minuteUTC: 0 }, ref);
    crons.monthly("m", { day: 1, hourUTC: 12, minuteUTC: 0 }, ref);
    crons.interval("i", { seconds: 90 }, ref);
    const now = at("2026-03-04T05:06:07Z"); // a Wednesday
    const next = (id: string) => nextRunTime(crons.crons[id].schedule, id, now, now);
    expect(next("d")).toBe(at("2026-03-05T03:05:00Z"));
    expect(next("w")).toBe(at("2026-03-08T00:00:00Z"));
    expect(next("m")).toBe(at("2026-04-01T12:00:00Z"));
    expect(next("i")).toBe(now + 90_000);
  });
});
