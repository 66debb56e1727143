// The backend process's own health, second by second (csn-rt serve only): a
// latency spike next to a CPU plateau, a GC burst or an event-loop stall
// says the server, not the network or the generator, made viewers wait.
import type { Report } from "../../../metrics/report.ts";
import { gcMsPerSecond, SATURATED_CPU_PERCENT } from "../../../metrics/backendHealth.ts";
import { renderLineChart } from "../svg/lineChart.ts";
import { COLORS, formatMs, formatSeconds } from "./chartStyle.ts";
import { badge, renderTable } from "./table.ts";

export function renderBackendHealth(report: Report): string {
  const h = report.backendHealth;
  if (h === undefined) return "";
  const rows = [
    ["state", badge(h.busy ? "inconclusive" : "pass", h.busy ? "busy" : "kept up")],
    ["CPU mean / max (% of one core)", `${h.cpuPercent.mean.toFixed(0)}% / ${h.cpuPercent.max.toFixed(0)}%`],
    [`seconds at ≥ ${SATURATED_CPU_PERCENT}% of a core`, `${h.saturatedSeconds} of ${h.samples.length}`],
    ["event-loop lag p99 (median second) / worst stall", `${formatMs(h.eventLoopLagMs.p99Median)} ms / ${formatMs(h.eventLoopLagMs.max)} ms`],
    ["GC per second / longest pause / pauses", `${formatMs(h.gc.msPerSecond)} ms / ${formatMs(h.gc.longestPauseMs)} ms / ${h.gc.pauses}`],
    ["peak RSS", `${h.rssMbMax} MiB`],
  ];
  const first = h.samples[0]?.at ?? 0;
  const t = (at: number) => (at - first) / 1000;
  const x = { label: "seconds since the load began", min: 0, format: formatSeconds };
  const load = renderLineChart({
    id: "backend-load",
    title: "backend CPU and garbage collection",
    x,
    y: { label: "% of a core  ·  GC ms per second", min: 0, format: formatMs },
    series: [
      { name: "CPU %", color: COLORS.p50, points: h.samples.map((s) => [t(s.at), s.cpuPercent]) },
      { name: "GC ms per s", color: COLORS.dropped_arrivals, points: h.samples.map((s) => [t(s.at), gcMsPerSecond(s)]) },
    ],
    caption: "One point per second, as the backend sampled itself; CPU counts every thread of the process (GC and I/O threads too).",
  });
  const lag = renderLineChart({
    id: "backend-lag",
    title: "backend event-loop lag",
    x,
    y: { label: "lag (ms)", min: 0, format: formatMs },
    series: [
      { name: "p99", color: COLORS.p99, points: h.samples.map((s) => [t(s.at), s.eventLoopLagMs.p99]) },
      { name: "max", color: COLORS.deliveries_lost, dashed: true, points: h.samples.map((s) => [t(s.at), s.eventLoopLagMs.max]) },
    ],
    caption: "How late the backend's event loop answered a 10 ms timer: what a request arriving then waited before the server could look at it.",
  });
  return `<section id="backend"><h2>Backend health</h2>${renderTable(["", ""], rows, { className: "kv" })}<div class="charts">${load}${lag}</div></section>`;
}
