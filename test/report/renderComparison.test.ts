import { describe, expect, it } from "vitest";
import type { CompareLimits } from "../../src/report/compare/compareLimits.ts";
import { compareReports } from "../../src/report/compare/compareReports.ts";
import { renderComparisonJson } from "../../src/report/compare/renderComparisonJson.ts";
import { renderComparisonMarkdown } from "../../src/report/compare/renderComparisonMarkdown.ts";
import { renderComparisonText } from "../../src/report/compare/renderComparisonText.ts";
import { makeReport } from "../support/makeReport.ts";

const LIMITS: CompareLimits = { maxRegressionPercent: 10, minChangeUs: 1_000, stats: ["p50", "p95", "p99"] };
const FILES = { baseline: "reports/baseline.json", current: "reports/new.json" };

const baseline = makeReport({ intervals: [{ latencies: { chat_send_us: Array(100).fill(100_000) }, counters: { deliveries_received: 1000 } }] });
const slower = makeReport({ intervals: [{ latencies: { chat_send_us: Array(100).fill(130_000) }, counters: { deliveries_received: 990, deliveries_lost: 10 } }] });

describe("markdown (a pull-request comment)", () => {
  it("leads with the regressions, then a table row per metric statistic and counter", () => {
    const md = renderComparisonMarkdown(compareReports(baseline, slower, LIMITS), LIMITS, FILES, "chat-burst");
    const lines = md.split("\n");
    expect(lines[0]).toBe("### csn-rt report compare: `chat-burst`");
    expect(lines[2]).toBe("**❌ 4 regressions:**");
    expect(lines).toContain("- chat_send_us p99 grew by 30% (100.0 ms → 130.0 ms), more than the 10% allowed");
    expect(lines).toContain("- deliveries_lost grew from 0 to 10");
    expect(lines).toContain("| latency | stat | baseline | current | change | |");
    expect(lines).toContain("| `chat_send_us` | **p50** | 100.0 ms | 130.0 ms | +30.0 ms (+30%) | ❌ |");
    expect(lines).toContain("|  | max | 100.0 ms | 130.0 ms | +30.0 ms (+30%) |  |");
    expect(lines).toContain("| `deliveries_lost` | 0 | 10 | +10 (n/a) | ❌ |");
    expect(lines).toContain("| `deliveries_received` | 1,000 | 990 | -10 (-1.0%) |  |");
  });

  it("says so plainly when nothing regressed", () => {
    const md = renderComparisonMarkdown(compareReports(baseline, baseline, LIMITS), LIMITS, FILES, "chat-burst");
    expect(md.split("\n")[2]).toBe("**✅ No regressions.**");
  });

  it("keeps report text from breaking the table or the code span", () => {
    const md = renderComparisonMarkdown(compareReports(baseline, baseline, LIMITS), LIMITS, { baseline: "a|b`c.json", current: "x.json" }, "odd|name`");
    expect(md).toContain("### csn-rt report compare: `odd\\|name'`");
    expect(md).toContain("Baseline `a\\|b'c.json`");
  });
});

describe("table and json", () => {
  it("the table marks each regressed statistic and ends with the list of regressions", () => {
    const text = renderComparisonText(compareReports(baseline, slower, LIMITS), LIMITS, FILES);
    expect(text).toMatch(/^chat_send_us +p50 +100\.0 ms +130\.0 ms +\+30\.0 ms +\+30% +REGRESSED$/m);
    expect(text).toMatch(/^ +max +100\.0 ms +130\.0 ms +\+30\.0 ms +\+30%$/m);
    expect(text.trimEnd().split("\n").slice(-5)).toEqual([
      "4 regressions:",
      "  - chat_send_us p50 grew by 30% (100.0 ms → 130.0 ms), more than the 10% allowed",
      "  - chat_send_us p95 grew by 30% (100.0 ms → 130.0 ms), more than the 10% allowed",
      "  - chat_send_us p99 grew by 30% (100.0 ms → 130.0 ms), more than the 10% allowed",
      "  - deliveries_lost grew from 0 to 10",
    ]);
  });

  it("json carries the numbers in µs and whether anything regressed", () => {
    const json = JSON.parse(renderComparisonJson(compareReports(baseline, slower, LIMITS), LIMITS, FILES));
    expect(json).toMatchObject({ baseline: "reports/baseline.json", regressed: true, limits: { maxRegressionPercent: 10, minChangeUs: 1000 } });
    expect(json.latencies[0].stats[0]).toMatchObject({ stat: "p50", baseline: 100_031, current: 130_047, regressed: true });
    expect(json.regressions).toHaveLength(4);
  });
});
