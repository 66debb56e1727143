// The percentile distribution chart: one curve per histogram (one metric, or
// one metric per client kind), on HdrHistogram's 1/(1 − p) axis.
import { decodeHistogram } from "../../../metrics/histogram.ts";
import type { LatencyMetric } from "../../../metrics/metricNames.ts";
import type { LatencyEntry } from "../../../metrics/report.ts";
import { escapeHtml } from "../escape.ts";
import { percentileAxisMax, percentileAxisTicks, percentileCurve } from "../percentileCurve.ts";
import { renderLineChart, type ChartSeries } from "../svg/lineChart.ts";
import { COLORS, formatMs } from "./chartStyle.ts";

export type DistributionSpec = {
  id: string;
  metric: LatencyMetric;
  /** One curve per entry, keyed by the series name. */
  entries: Record<string, LatencyEntry>;
  colors?: Record<string, string>;
};

export function renderDistribution({ id, metric, entries, colors = {} }: DistributionSpec): string {
  const series: ChartSeries[] = [];
  const failed: string[] = [];
  for (const [name, entry] of Object.entries(entries)) {
    try {
      const curve = percentileCurve(decodeHistogram(entry.histogram));
      series.push({ name, color: colors[name] ?? COLORS.distribution, points: curve.map(([x, us]) => [x, us / 1000] as const) });
    } catch {
      failed.push(name);
    }
  }
  const max = percentileAxisMax(series.map((s) => s.points.filter((p) => p !== null)));
  const chart = renderLineChart({
    id,
    title: `${metric}: percentile distribution`,
    x: { label: "percentile", log: true, min: 1, max, ticks: percentileAxisTicks(max), format: (x) => `${(100 * (1 - 1 / x)).toFixed(3)}%` },
    y: { label: "latency (ms)", format: formatMs },
    series,
    caption: "Whole run, from the recorded HDR histogram.",
  });
  return failed.length === 0 ? chart : `${chart}<p class="warning">The histogram of ${escapeHtml(failed.join(", "))} could not be decoded.</p>`;
}
