// Whether the load generator kept its schedule: if it did not, no latency
// above proves anything, which is why this sits next to the verdict's inputs.
import type { Report } from "../../../metrics/report.ts";
import { escapeHtml } from "../escape.ts";
import { badge, renderTable } from "./table.ts";

export function renderGenerator(report: Report): string {
  const g = report.generator;
  const rows = [
    ["health", badge(g.healthy ? "pass" : "inconclusive", g.healthy ? "healthy" : "fell behind")],
    ["processes", String(g.processes)],
    ["event-loop lag p50 / p99 / max", `${ms(g.eventLoopLagMs.p50)} / ${ms(g.eventLoopLagMs.p99)} / ${ms(g.eventLoopLagMs.max)}`],
    ["CPU mean / max (% of one core per process)", `${g.cpuPercent.mean.toFixed(0)}% / ${g.cpuPercent.max.toFixed(0)}%`],
    ["dropped arrivals", String(g.droppedArrivals)],
  ];
  const reasons = g.reasons.length > 0 ? `<ul class="reasons">${g.reasons.map((r) => `<li>${escapeHtml(r)}</li>`).join("")}</ul>` : "";
  return `<section id="generator"><h2>Load generator health</h2>${renderTable(["", ""], rows, { className: "kv" })}${reasons}</section>`;
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}
