import { describe, expect, it } from "vitest";
import { parseCompareLimits, type CompareLimits } from "../../src/report/compare/compareLimits.ts";
import { compareReports } from "../../src/report/compare/compareReports.ts";
import { makeReport } from "../support/makeReport.ts";

const DEFAULTS: CompareLimits = { maxRegressionPercent: 10, minChangeUs: 1_000, stats: ["p50", "p95", "p99"] };

/** A report whose chat_send_us samples are all `ms` milliseconds, so every percentile is (about) that. */
function constant(ms: number, counters = {}) {
  return makeReport({ intervals: [{ latencies: { chat_send_us: Array(100).fill(ms * 1000) }, counters }] });
}

describe("compareLimits", () => {
  it("parses percentages, durations and statistics", () => {
    expect(parseCompareLimits({ maxRegression: "25%", minChange: "500us", stats: "p99, p99.9,max" })).toEqual({
      ok: true,
      limits: { maxRegressionPercent: 25, minChangeUs: 500, stats: ["p99", "p99_9", "max"] },
    });
    expect(parseCompareLimits({})).toEqual({ ok: true, limits: DEFAULTS });
    expect(parseCompareLimits({ maxRegression: "7", minChange: "2" })).toMatchObject({ ok: true, limits: { maxRegressionPercent: 7, minChangeUs: 2_000 } });
  });

  it("returns every problem at once, each naming its option", () => {
    expect(parseCompareLimits({ maxRegression: "ten", minChange: "-1ms", stats: "p99,p42x" })).toEqual({
      ok: false,
      errors: [
        '--max-regression must be a percentage of 0 or more such as 10%, not "ten"',
        '--min-change must be a duration of 0 or more such as 1ms or 500us, not "-1ms"',
        '--stats: "p42x" is not a statistic; use any of min, mean, p50, p90, p95, p99, p99.9, max',
      ],
    });
  });
});

describe("compareReports", () => {
  it("a latency that grew by more than the limit regressed", () => {
    const result = compareReports(constant(100), constant(120), DEFAULTS);
    expect(result.regressions).toHaveLength(3);
    expect(result.regressions[0]).toMatch(/^chat_send_us p50 grew by 20% \(100\.0 ms → 120\.[01] ms\), more than the 10% allowed$/);
    const p99 = result.latencies[0].stats.find((s) => s.stat === "p99")!;
    expect(p99).toMatchObject({ gated: true, regressed: true });
    expect(p99.changePercent).toBeCloseTo(20, 0);
  });

  it("a growth within the limit, or below the minimum change, is not a regression", () => {
    expect(compareReports(constant(100), constant(105), DEFAULTS).regressions).toEqual([]);
    // 0.5 ms → 0.9 ms is +80 %, but under the 1 ms floor: noise.
    expect(compareReports(constant(0.5), constant(0.9), DEFAULTS).regressions).toEqual([]);
    expect(compareReports(constant(0.5), constant(0.9), { ...DEFAULTS, minChangeUs: 100 }).regressions).toHaveLength(3);
  });

  it("only the gated statistics can regress", () => {
    const result = compareReports(constant(100), constant(150), { ...DEFAULTS, stats: ["p99"] });
    expect(result.regressions).toHaveLength(1);
    const max = result.latencies[0].stats.find((s) => s.stat === "max")!;
    expect(max).toMatchObject({ gated: false, regressed: false });
  });

  it("a faster run does not regress", () => {
    expect(compareReports(constant(200), constant(100), DEFAULTS).regressions).toEqual([]);
  });

  it("a problem counter that grew from 0 regressed; one that did not exist before counts as 0", () => {
    const result = compareReports(constant(10), constant(10, { deliveries_lost: 3, reconnects: 4 }), DEFAULTS);
    expect(result.regressions).toEqual(["deliveries_lost grew from 0 to 3"]);
    expect(result.counters.find((c) => c.metric === "reconnects")).toMatchObject({ baseline: 0, current: 4, watched: false, regressed: false });
  });

  it("a problem counter that was already non-zero regresses only past the limit", () => {
    expect(compareReports(constant(10, { mutation_errors: 100 }), constant(10, { mutation_errors: 105 }), DEFAULTS).regressions).toEqual([]);
    expect(compareReports(constant(10, { mutation_errors: 100 }), constant(10, { mutation_errors: 150 }), DEFAULTS).regressions).toEqual([
      "mutation_errors grew by 50% (100 → 150), more than the 10% allowed",
    ]);
  });

  it("shows a metric missing on one side without counting it as a regression", () => {
    const baseline = makeReport({ intervals: [{ latencies: { chat_send_us: [1_000], heartbeat_duration_us: [2_000] } }] });
    const current = makeReport({ intervals: [{ latencies: { chat_send_us: [1_000], query_duration_us: [3_000] } }] });
    const result = compareReports(baseline, current, DEFAULTS);
    expect(result.regressions).toEqual([]);
    expect(result.latencies.map((l) => [l.metric, l.presence])).toEqual([
      ["heartbeat_duration_us", "baseline only"],
      ["chat_send_us", "both"],
      ["query_duration_us", "current only"],
    ]);
    expect(result.latencies[0].stats[0]).toEqual({ stat: "p50", baseline: 2_000, current: undefined, gated: true, regressed: false });
    expect(result.warnings).toEqual([
      "heartbeat_duration_us was measured in the baseline but not in the current report",
      "query_duration_us is new in the current report; it has no baseline to compare with",
    ]);
  });

  it("warns when the scenarios differ", () => {
    const result = compareReports(makeReport({ scenario: "a" }), makeReport({ scenario: "b" }), DEFAULTS);
    expect(result.warnings[0]).toContain('different scenarios (baseline "a", current "b")');
  });
});
