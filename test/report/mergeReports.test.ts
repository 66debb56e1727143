import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { decodeHistogram } from "../../src/metrics/histogram.ts";
import type { Report } from "../../src/metrics/report.ts";
import { summarizeBackendHealth } from "../../src/metrics/backendHealth.ts";
import { mergeReports } from "../../src/report/merge/mergeReports.ts";
import { recordedCounts } from "../support/histogramCounts.ts";
import { healthSecond } from "../support/healthSecond.ts";
import { makeReport } from "../support/makeReport.ts";

function merge(...reports: Report[]): Report {
  const result = mergeReports(reports.map((report, i) => ({ label: `r${i + 1}.json`, report })));
  if (!result.ok) throw new Error(result.problems.join("; "));
  return result.report;
}

// Latencies from 1 µs to beyond the histograms' initial range (1 h), so
// auto-resizing is exercised too; duplicates are likely.
const latency = fc.oneof(fc.integer({ min: 1, max: 2_000 }), fc.integer({ min: 1, max: 50_000_000 }), fc.integer({ min: 1, max: 10_000_000_000 }));

describe("merging reports is lossless", () => {
  it("one stream recorded whole equals the same stream split into two reports and merged (same counts in every bucket, same summary, every percentile)", () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 1, maxLength: 400 }), fc.nat(), (values, cut) => {
        const k = cut % (values.length + 1);
        const whole = makeReport({ intervals: [{ latencies: { mutation_observed_us: values } }] });
        const merged = merge(
          makeReport({ intervals: [{ latencies: { mutation_observed_us: values.slice(0, k) } }] }),
          makeReport({ intervals: [{ latencies: { mutation_observed_us: values.slice(k) } }] }),
        );
        const { histogram: expectedEncoded, ...expected } = whole.metrics.mutation_observed_us!;
        const { histogram: actualEncoded, ...actual } = merged.metrics.mutation_observed_us!;
        expect(actual).toEqual(expected);
        const a = decodeHistogram(expectedEncoded);
        const b = decodeHistogram(actualEncoded);
        expect(recordedCounts(b)).toEqual(recordedCounts(a));
        for (let p = 0; p <= 100; p += 0.25) expect(b.getValueAtPercentile(p)).toBe(a.getValueAtPercentile(p));
        for (const p of [99.9, 99.99, 99.999]) expect(b.getValueAtPercentile(p)).toBe(a.getValueAtPercentile(p));
        expect(b.totalCount).toBe(values.length);
      }),
      { numRuns: 60 },
    );
  });

  it("the bucket comparison used above does tell apart histograms that differ by one sample", () => {
    const a = makeReport({ intervals: [{ latencies: { chat_send_us: [1_000, 2_000] } }] }).metrics.chat_send_us!;
    const b = makeReport({ intervals: [{ latencies: { chat_send_us: [1_000, 2_000, 2_000] } }] }).metrics.chat_send_us!;
    expect(recordedCounts(decodeHistogram(a.histogram))).not.toEqual(recordedCounts(decodeHistogram(b.histogram)));
  });

  it("the per-client histograms merge as losslessly as the totals", () => {
    fc.assert(
      fc.property(fc.array(latency, { minLength: 2, maxLength: 200 }), (values) => {
        const half = values.length >> 1;
        const whole = makeReport({ intervals: [{ byClient: { lean: { mutation_observed_us: values } } }] });
        const merged = merge(
          makeReport({ intervals: [{ byClient: { lean: { mutation_observed_us: values.slice(0, half) } } }] }),
          makeReport({ intervals: [{ byClient: { lean: { mutation_observed_us: values.slice(half) } } }] }),
        );
        const { histogram: expectedEncoded, ...expected } = whole.metricsByClient.lean!.mutation_observed_us!;
        const { histogram: actualEncoded, ...actual } = merged.metricsByClient.lean!.mutation_observed_us!;
        expect(actual).toEqual(expected);
        expect(recordedCounts(decodeHistogram(actualEncoded))).toEqual(recordedCounts(decodeHistogram(expectedEncoded)));
      }),
      { numRuns: 25 },
    );
  });

  it("merging a merge equals merging everything at once, and mergedFrom counts the original runs", () => {
    const runs = [[10_000, 20_000], [30_000], [5_000, 900_000, 70_000]].map((values) => makeReport({ intervals: [{ latencies: { chat_send_us: values } }] }));
    const stepwise = merge(merge(runs[0], runs[1]), runs[2]);
    const atOnce = merge(...runs);
    const { histogram: stepwiseEncoded, ...stepwiseSummary } = stepwise.metrics.chat_send_us!;
    const { histogram: atOnceEncoded, ...atOnceSummary } = atOnce.metrics.chat_send_us!;
    expect(stepwiseSummary).toEqual(atOnceSummary);
    expect(recordedCounts(decodeHistogram(stepwiseEncoded))).toEqual(recordedCounts(decodeHistogram(atOnceEncoded)));
    expect(stepwise.mergedFrom).toBe(3);
    expect(atOnce.mergedFrom).toBe(3);
  });
});

describe("merging counters, status and generator health", () => {
  it("adds counters, and keeps a counter only one input has", () => {
    const merged = merge(
      makeReport({ intervals: [{ counters: { deliveries_received: 100, deliveries_lost: 2 } }] }),
      makeReport({ intervals: [{ counters: { deliveries_received: 50, reconnects: 1 } }] }),
    );
    expect(merged.counters).toEqual({ deliveries_received: 150, deliveries_lost: 2, reconnects: 1 });
  });

  it("sums processes and dropped arrivals, takes the worst lag and peak CPU, and is healthy only if every input was", () => {
    const merged = merge(
      makeReport({ generator: { processes: 2, eventLoopLagMs: { p50: 1, p99: 30, max: 80 }, cpuPercent: { mean: 40, max: 70 }, droppedArrivals: 3 } }),
      makeReport({
        generator: { processes: 1, eventLoopLagMs: { p50: 2, p99: 10, max: 400 }, cpuPercent: { mean: 100, max: 100 }, droppedArrivals: 5, healthy: false, reasons: ["CPU at 100% for 12 s"] },
      }),
    );
    expect(merged.generator).toEqual({
      processes: 3,
      eventLoopLagMs: { p50: 2, p99: 30, max: 400 },
      cpuPercent: { mean: 60, max: 100 },
      droppedArrivals: 8,
      healthy: false,
      reasons: ["r2.json: CPU at 100% for 12 s"],
    });
    expect(merged.verdict).toBe("inconclusive");
    expect(merged.verdictReasons).toContain("load generator: r2.json: CPU at 100% for 12 s");
  });

  it("keeps each second of backend health once (shards poll the same backend) and summarizes the whole again", () => {
    const second = (at: number, cpuPercent: number) => healthSecond({ at, cpuPercent });

    const a = makeReport({ overrides: { backendHealth: summarizeBackendHealth([second(1000, 20), second(2000, 95)]) } });
    const b = makeReport({ overrides: { backendHealth: summarizeBackendHealth([second(2000, 95), second(3000, 30)]) } });
    const merged = merge(a, b, makeReport());
    expect(merged.backendHealth?.samples.map((s) => s.at)).toEqual([1000, 2000, 3000]);
    expect(merged.backendHealth?.saturatedSeconds).toBe(1);
    expect(merge(makeReport(), makeReport()).backendHealth).toBeUndefined();
  });

  it("is partial, and so inconclusive, when any input was partial", () => {
    const merged = merge(makeReport(), makeReport({ status: "partial" }));
    expect(merged.status).toBe("partial");
    expect(merged.verdict).toBe("inconclusive");
  });

  it("stays inconclusive when an input lost its backend", () => {
    const lost = makeReport({ overrides: { verdict: "inconclusive", verdictReasons: ["the backend could not be reached, so nothing was measured"] } });
    expect(merge(makeReport(), lost).verdict).toBe("inconclusive");
  });
});

describe("thresholds are evaluated again on the merged data", () => {
  it("two shards that each pass can fail together (lost deliveries add up)", () => {
    const shard = () => makeReport({ intervals: [{ counters: { deliveries_lost: 3 } }], thresholds: ["deliveries_lost <= 5"] });
    expect(shard().verdict).toBe("pass");
    const merged = merge(shard(), shard());
    expect(merged.thresholds).toEqual([expect.objectContaining({ expression: "deliveries_lost <= 5", actual: 6, pass: false })]);
    expect(merged.verdict).toBe("fail");
    expect(merged.verdictReasons).toEqual(['threshold "deliveries_lost <= 5" failed: actual 6']);
  });

  it("a latency percentile is read from the merged histogram, not from the inputs' percentiles", () => {
    // Shard a: 99 fast samples; shard b: 99 slow. Merged p50 is slow-ish, and no input's p50 equals it by averaging.
    const fast = makeReport({ intervals: [{ latencies: { heartbeat_duration_us: Array(99).fill(10_000) } }], thresholds: ["heartbeat p50<50ms"] });
    const slow = makeReport({ intervals: [{ latencies: { heartbeat_duration_us: Array(101).fill(90_000) } }], thresholds: ["heartbeat p50<50ms"] });
    const merged = merge(fast, slow);
    const [result] = merged.thresholds;
    expect(result.pass).toBe(false);
    expect(decodeHistogram(merged.metrics.heartbeat_duration_us!.histogram).getValueAtPercentile(50)).toBe(result.actual);
    expect(result.actual).toBeGreaterThanOrEqual(89_000);
  });

  it("takes every input's thresholds once", () => {
    const merged = merge(makeReport({ thresholds: ["deliveries_lost == 0"] }), makeReport({ thresholds: ["deliveries_lost == 0", "mutation_errors == 0"] }));
    expect(merged.thresholds.map((t) => t.expression)).toEqual(["deliveries_lost == 0", "mutation_errors == 0"]);
  });
});

describe("timelines", () => {
  it("points only one input has stay exact; counters at a shared t add up", () => {
    const a = makeReport({ intervals: [{ latencies: { chat_send_us: [1_000] }, counters: { deliveries_received: 4 } }] });
    const b = makeReport({ intervals: [{ counters: { deliveries_received: 6 } }, { latencies: { chat_send_us: [7_000] } }] });
    const merged = merge(a, b);
    expect(merged.timeline.points.map((p) => p.t)).toEqual([1, 2]);
    expect(merged.timeline.points[0].counters.deliveries_received).toBe(10);
    expect(merged.timeline.points[0].latencies.chat_send_us).toEqual(a.timeline.points[0].latencies.chat_send_us);
    expect(merged.timeline.points[1].latencies.chat_send_us).toEqual(b.timeline.points[1].latencies.chat_send_us);
    expect(merged.notes.some((n) => n.includes("upper bound"))).toBe(false);
  });

  it("a point several inputs share adds counts and shows the highest p50/p99 as an upper bound, and says so", () => {
    const a = makeReport({ intervals: [{ latencies: { chat_send_us: [1_000, 2_000, 3_000] } }] });
    const b = makeReport({ intervals: [{ latencies: { chat_send_us: [50_000] } }] });
    const merged = merge(a, b);
    const point = merged.timeline.points[0].latencies.chat_send_us!;
    expect(point.count).toBe(4);
    expect(point.max).toBe(b.timeline.points[0].latencies.chat_send_us!.max);
    expect(point.p99).toBe(b.timeline.points[0].latencies.chat_send_us!.p99);
    expect(point.p50).toBe(b.timeline.points[0].latencies.chat_send_us!.p50);
    expect(merged.notes.find((n) => n.includes("upper bound"))).toMatch(/^timeline p50\/p99 at 1 of 1 points/);
  });
});

describe("refusals", () => {
  it("refuses reports of different scenarios", () => {
    const result = mergeReports([
      { label: "a.json", report: makeReport({ scenario: "chat-burst" }) },
      { label: "b.json", report: makeReport({ scenario: "heartbeat-storm" }) },
    ]);
    expect(result).toEqual({ ok: false, problems: ['cannot merge reports of different scenarios: a.json is "chat-burst", b.json is "heartbeat-storm"'] });
  });

  it("refuses timelines with different intervals", () => {
    const result = mergeReports([
      { label: "a.json", report: makeReport({ intervalMs: 1_000 }) },
      { label: "b.json", report: makeReport({ intervalMs: 5_000 }) },
    ]);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.problems[0]).toContain("different intervals (a.json 1000 ms, b.json 5000 ms)");
  });

  it("refuses a histogram that does not decode, naming where it is", () => {
    const bad = makeReport({ intervals: [{ latencies: { chat_send_us: [5] } }] });
    bad.metrics.chat_send_us!.histogram = "not-a-histogram";
    const result = mergeReports([{ label: "bad.json", report: bad }]);
    expect(result).toEqual({ ok: false, problems: ["bad.json: metrics.chat_send_us.histogram is not an encoded HDR histogram, so it cannot be merged"] });
  });
});

describe("notes", () => {
  it("names the inputs, keeps their notes, and points out missing shards and differing config", () => {
    const merged = merge(
      makeReport({ overrides: { shard: { index: 1, count: 3 }, notes: ["backend restarted"], config: { viewers: 500 } } }),
      makeReport({ overrides: { shard: { index: 2, count: 3 }, config: { viewers: 600 } } }),
    );
    expect(merged.notes).toEqual([
      "merged from 2 reports: r1.json, r2.json",
      "the inputs' config differs in viewers; the merged report shows the first input's",
      "shard 3 of 3 is missing, so the merged report covers only part of the load",
      "r1.json: backend restarted",
    ]);
    expect(merged.shard).toBeUndefined();
  });
});
