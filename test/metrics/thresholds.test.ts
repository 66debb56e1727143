import { describe, expect, test } from "vitest";
import { parseThreshold, parseThresholds } from "../../src/metrics/thresholds.ts";
import { evaluateThresholds, decideVerdict, formatActual } from "../../src/metrics/verdict.ts";
import { newHistogram } from "../../src/metrics/histogram.ts";
import type { GeneratorHealth } from "../../src/metrics/report.ts";

describe("threshold grammar", () => {
  test.each([
    ["mutation_to_subscription p99<500ms", { metric: "mutation_observed_us", op: "<", limit: 500_000, stat: { kind: "percentile", percentile: 99 } }],
    ["heartbeat p(99) < 50 ms", { metric: "heartbeat_duration_us", op: "<", limit: 50_000 }],
    ["query_duration_us p99.9<=2s", { metric: "query_duration_us", op: "<=", limit: 2_000_000, stat: { kind: "percentile", percentile: 99.9 } }],
    ["progress_update max<100", { metric: "progress_update_us", limit: 100_000, stat: { kind: "max" } }],
    ["join avg<250us", { metric: "join_duration_us", limit: 250, stat: { kind: "mean" } }],
    ["lost == 0", { kind: "counter", metric: "deliveries_lost", op: "==", limit: 0 }],
    ["mutation_errors=0", { kind: "counter", metric: "mutation_errors", op: "==", limit: 0 }],
  ])("parses %s", (expression, expected) => {
    const result = parseThreshold(expression);
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.threshold).toMatchObject(expected);
  });

  test.each([
    ["p99<500ms", /unknown metric "p99"/],
    ["latency p99<500ms", /unknown metric "latency"/],
    ["heartbeat < 50ms", /name a statistic/],
    ["heartbeat p101<50ms", /percentile/],
    ["lost p99 == 0", /counter/],
    ["lost == 0ms", /no unit/],
    ["heartbeat p99 ~ 50ms", /not of the form/],
  ])("refuses %s with a sentence saying why", (expression, message) => {
    const result = parseThreshold(expression);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  test("every problem is reported at once", () => {
    const { thresholds, errors } = parseThresholds(["lost == 0", "bogus p99<1ms", "heartbeat<3"]);
    expect(thresholds).toHaveLength(1);
    expect(errors).toHaveLength(2);
  });
});

const healthy: GeneratorHealth = {
  processes: 1,
  eventLoopLagMs: { p50: 0, p99: 1, max: 2 },
  cpuPercent: { mean: 10, max: 20 },
  droppedArrivals: 0,
  healthy: true,
  reasons: [],
};

describe("evaluation and verdict", () => {
  const h = newHistogram();
  for (let i = 1; i <= 1000; i++) h.recordValue(i * 1000); // 1..1000 ms
  const inputs = { histogram: () => h, counter: (m: string) => (m === "deliveries_lost" ? 3 : 0) };

  test("thresholds read the histogram's percentile and the counters", () => {
    const { thresholds } = parseThresholds(["mutation_to_subscription p99<500ms", "mutation_to_subscription p50<600ms", "lost == 0", "errors == 0"]);
    const results = evaluateThresholds(thresholds, inputs);
    expect(results.map((r) => r.pass)).toEqual([false, true, false, true]);
    expect(results[0].actual).toBeGreaterThan(980_000);
    expect(results[2].actual).toBe(3);
  });

  test("a latency threshold over no samples fails rather than passing vacuously", () => {
    const { thresholds } = parseThresholds(["heartbeat p99<50ms"]);
    const [result] = evaluateThresholds(thresholds, { histogram: () => undefined, counter: () => 0 });
    expect(result.pass).toBe(false);
    // …and says so, instead of an "actual 0.0 ms" that reads like a fast result.
    expect(result.samples).toBe(0);
    expect(formatActual(result)).toBe("no samples");
    expect(decideVerdict({ thresholds: [result], generator: healthy, partial: false }).reasons).toEqual([
      'threshold "heartbeat p99<50ms" failed: no samples were recorded, so nothing was measured',
    ]);
  });

  test("failed thresholds fail the run; an unhealthy generator makes it inconclusive; a stopped run too", () => {
    const { thresholds } = parseThresholds(["lost == 0"]);
    const results = evaluateThresholds(thresholds, inputs);
    expect(decideVerdict({ thresholds: results, generator: healthy, partial: false }).verdict).toBe("fail");
    const sick = { ...healthy, healthy: false, reasons: ["event-loop lag p99 was 300 ms"] };
    expect(decideVerdict({ thresholds: results, generator: sick, partial: false })).toMatchObject({ verdict: "inconclusive" });
    expect(decideVerdict({ thresholds: [], generator: healthy, partial: true }).verdict).toBe("inconclusive");
    const passing = evaluateThresholds(parseThresholds(["errors == 0"]).thresholds, inputs);
    expect(decideVerdict({ thresholds: passing, generator: healthy, partial: false }).verdict).toBe("pass");
  });
});
