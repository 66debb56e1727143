// From measurements to a verdict. A run proves something only if the
// generator kept its schedule: when it fell behind, latencies are not
// trustworthy in either direction, so the verdict is "inconclusive" whatever
// the thresholds say.
import type { LatencyMetric } from "./metricNames.ts";
import { compare, latencyStatValue, type LatencyStat, type Threshold } from "./thresholds.ts";
import { summarize, newHistogram, type Histogram } from "./histogram.ts";
import type { GeneratorHealth, ThresholdResult, Verdict } from "./report.ts";

export type ThresholdInputs = {
  histogram(metric: LatencyMetric): Histogram | undefined;
  counter(metric: Threshold["metric"] & string): number;
};

export function statLabel(stat: LatencyStat): string {
  return stat.kind === "percentile" ? `p${stat.percentile}` : stat.kind;
}

export function evaluateThresholds(thresholds: readonly Threshold[], inputs: ThresholdInputs): ThresholdResult[] {
  return thresholds.map((threshold) => {
    if (threshold.kind === "counter") {
      const actual = inputs.counter(threshold.metric);
      return { expression: threshold.expression, metric: threshold.metric, stat: "value", op: threshold.op, limit: threshold.limit, actual, pass: compare(actual, threshold.op, threshold.limit) };
    }
    const histogram = inputs.histogram(threshold.metric) ?? newHistogram();
    const actual = latencyStatValue(threshold.stat, summarize(histogram), (p) => histogram.getValueAtPercentile(p));
    // A latency threshold over no samples proves nothing: it fails, so a
    // scenario that silently stopped measuring cannot pass.
    const samples = histogram.totalCount;
    const pass = samples > 0 && compare(actual, threshold.op, threshold.limit);
    return { expression: threshold.expression, metric: threshold.metric, stat: statLabel(threshold.stat), op: threshold.op, limit: threshold.limit, actual, samples, pass };
  });
}

export function decideVerdict(input: {
  thresholds: readonly ThresholdResult[];
  generator: GeneratorHealth;
  partial: boolean;
  backendUnreachable?: boolean;
}): { verdict: Verdict; reasons: string[] } {
  const reasons: string[] = [];
  if (input.backendUnreachable) reasons.push("the backend could not be reached, so nothing was measured");
  if (input.partial) reasons.push("the run was stopped before its planned end");
  if (!input.generator.healthy) reasons.push(...input.generator.reasons.map((r) => `load generator: ${r}`));
  if (reasons.length > 0) return { verdict: "inconclusive", reasons };

  const failed = input.thresholds.filter((t) => !t.pass);
  if (failed.length > 0) {
    return { verdict: "fail", reasons: failed.map((t) => `threshold "${t.expression}" failed: ${t.samples === 0 ? "no samples were recorded, so nothing was measured" : `actual ${formatActual(t)}`}`) };
  }
  return { verdict: "pass", reasons: [`all ${input.thresholds.length} thresholds passed with a healthy generator`] };
}

export function formatActual(t: Pick<ThresholdResult, "metric" | "stat" | "actual" | "samples">): string {
  // A 0 from an empty histogram is not a measurement; saying "0.0 ms" would read as a fast one.
  if (t.samples === 0) return "no samples";
  if (t.metric.endsWith("_us") && t.stat !== "count") return `${(t.actual / 1000).toFixed(1)} ms`;
  return String(t.actual);
}
