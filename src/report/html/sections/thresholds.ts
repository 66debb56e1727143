// The thresholds the verdict was decided on, with what was measured.
import type { Report, ThresholdResult } from "../../../metrics/report.ts";
import { formatCount, formatMicros } from "../../format/units.ts";
import { badge, renderTable } from "./table.ts";

export function renderThresholds(report: Report): string {
  if (report.thresholds.length === 0) return section(`<p class="empty">This run had no thresholds.</p>`);
  const rows = report.thresholds.map((t) => [t.expression, `${t.metric} ${t.stat}`, t.samples === 0 ? "no samples" : value(t, t.actual), `${t.op} ${value(t, t.limit)}`, badge(t.pass ? "pass" : "fail", t.pass ? "pass" : "fail")]);
  return section(renderTable(["threshold", "reads", "actual", "limit", "result"], rows, { className: "thresholds", numeric: [2, 3] }));
}

/** Latency statistics are µs in the report and ms to a reader; counts stay counts. */
function value(t: ThresholdResult, n: number): string {
  return t.metric.endsWith("_us") && t.stat !== "count" ? formatMicros(n) : formatCount(n);
}

function section(body: string): string {
  return `<section id="thresholds"><h2>Thresholds</h2>${body}</section>`;
}
