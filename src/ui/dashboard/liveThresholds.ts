// Each threshold as it stands right now, evaluated by the same code as the
// final verdict (evaluateThresholds) against the live RunMetrics. Unlike the
// verdict, a latency threshold with no samples yet is "waiting", not failed:
// mid-run, no samples only means none have arrived.
import type { RunMetrics } from "../../metrics/runMetrics.ts";
import { isCounterMetric } from "../../metrics/metricNames.ts";
import type { Threshold } from "../../metrics/thresholds.ts";
import { evaluateThresholds, formatActual } from "../../metrics/verdict.ts";

export type ThresholdStatus = "pass" | "fail" | "waiting";

export type ThresholdRow = { expression: string; status: ThresholdStatus; actual: string };

/** `reconnects` is live in the snapshot; RunMetrics gets its counter only when the run ends. */
export function liveThresholds(thresholds: readonly Threshold[], metrics: RunMetrics, reconnects: number): ThresholdRow[] {
  const results = evaluateThresholds(thresholds, {
    histogram: (metric) => metrics.histogram(metric),
    counter: (metric) => (metric === "reconnects" ? Math.max(reconnects, metrics.counter(metric)) : isCounterMetric(metric) ? metrics.counter(metric) : 0),
  });
  return results.map((result, i) => {
    const threshold = thresholds[i];
    const waiting = threshold.kind === "latency" && (metrics.histogram(threshold.metric)?.totalCount ?? 0) === 0;
    return waiting
      ? { expression: result.expression, status: "waiting", actual: "no samples yet" }
      : { expression: result.expression, status: result.pass ? "pass" : "fail", actual: formatActual(result) };
  });
}
