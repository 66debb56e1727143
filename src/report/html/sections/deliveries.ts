// Deliveries and problems per timeline interval. Two charts, because
// received deliveries run to thousands per interval while a handful of lost
// deliveries or errors must still be visible above zero.
import type { CounterMetric } from "../../../metrics/metricNames.ts";
import type { Report } from "../../../metrics/report.ts";
import { renderLineChart, type ChartSeries } from "../svg/lineChart.ts";
import { COLORS, formatSeconds } from "./chartStyle.ts";

const VOLUME: readonly CounterMetric[] = ["deliveries_expected", "deliveries_received"];
const PROBLEMS: readonly CounterMetric[] = ["deliveries_lost", "mutation_errors", "query_errors", "reconnects", "dropped_arrivals"];

export function renderDeliveries(report: Report): string {
  const intervalS = report.timeline.intervalMs / 1000;
  const chart = (id: string, title: string, counters: readonly CounterMetric[], always: boolean) =>
    renderLineChart({
      id,
      title,
      x: { label: "time since start (s)", min: 0, format: formatSeconds },
      y: { label: `per ${intervalS} s interval`, format: (v) => String(Math.round(v * 100) / 100) },
      series: counters.filter((c) => always || report.timeline.points.some((p) => p.counters[c] !== undefined)).map((c) => series(report, c)),
    });
  return (
    `<section id="deliveries"><h2>Deliveries and errors over time</h2><div class="charts">` +
    chart("deliveries", "Deliveries", VOLUME, false) +
    // Problems are drawn even when they never happened: a flat zero line is the good news.
    chart("problems", "Lost deliveries, mutation and query errors, reconnects, dropped arrivals", PROBLEMS, true) +
    `</div></section>`
  );
}

function series(report: Report, counter: CounterMetric): ChartSeries {
  const color = COLORS[counter as keyof typeof COLORS] ?? "#475569";
  // Reports omit counters that were 0 in an interval.
  return { name: counter, color, dashed: counter === "deliveries_expected", points: report.timeline.points.map((p) => [p.t, p.counters[counter] ?? 0] as const) };
}
