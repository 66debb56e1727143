// Per latency metric: the whole-run summary, latency over time (p50 and p99
// per timeline interval) and the percentile distribution of the whole run.
import { LATENCY_METRICS, type LatencyMetric } from "../../../metrics/metricNames.ts";
import type { Report } from "../../../metrics/report.ts";
import { renderLineChart, type ChartSeries } from "../svg/lineChart.ts";
import { COLORS, formatMs, formatSeconds } from "./chartStyle.ts";
import { renderDistribution } from "./distributionChart.ts";
import { SUMMARY_HEADERS, summaryRow } from "./summaryRow.ts";
import { renderTable } from "./table.ts";

export function renderLatencies(report: Report): string {
  const metrics = LATENCY_METRICS.filter((m) => report.metrics[m] !== undefined);
  if (metrics.length === 0) return `<section id="latencies"><h2>Latencies</h2><p class="empty">This run recorded no latencies.</p></section>`;
  const rows = metrics.map((m) => [m, ...summaryRow(report.metrics[m]!)]);
  const summary = renderTable(["metric", ...SUMMARY_HEADERS], rows, { numeric: [1, 2, 3, 4, 5, 6, 7, 8, 9] });
  const perMetric = metrics.map((m) => `<div class="metric" data-metric="${m}"><h3>${m}</h3><div class="charts">${overTime(report, m)}${renderDistribution({ id: `distribution-${m}`, metric: m, entries: { [m]: report.metrics[m]! } })}</div></div>`).join("");
  return `<section id="latencies"><h2>Latencies</h2>${summary}${perMetric}</section>`;
}

function overTime(report: Report, metric: LatencyMetric): string {
  const points = report.timeline.points;
  const series: ChartSeries[] = [
    { name: "p50", color: COLORS.p50, points: points.map((p) => (p.latencies[metric] ? [p.t, p.latencies[metric]!.p50 / 1000] : null)) },
    { name: "p99", color: COLORS.p99, points: points.map((p) => (p.latencies[metric] ? [p.t, p.latencies[metric]!.p99 / 1000] : null)) },
  ];
  const merged = (report.mergedFrom ?? 1) > 1;
  return renderLineChart({
    id: `over-time-${metric}`,
    title: `${metric}: latency over time`,
    x: { label: "time since start (s)", min: 0, format: formatSeconds },
    y: { label: "latency (ms)", format: formatMs },
    series,
    caption: `Per ${report.timeline.intervalMs / 1000} s interval.${merged ? " In a merged report, intervals several inputs share show the highest input's p50/p99 (an upper bound)." : ""}`,
  });
}
