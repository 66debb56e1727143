// The lean sync client against the official ConvexClient: both measured the
// same writes, so a gap between them is the lean client's own error.
import { LATENCY_METRICS, type LatencyMetric } from "../../../metrics/metricNames.ts";
import type { LatencyEntry, Report } from "../../../metrics/report.ts";
import { COLORS } from "./chartStyle.ts";
import { renderDistribution } from "./distributionChart.ts";
import { SUMMARY_HEADERS, summaryRow } from "./summaryRow.ts";
import { renderTable } from "./table.ts";

const CLIENTS = ["lean", "official"] as const;

export function renderClients(report: Report): string {
  const byClient = report.metricsByClient;
  const metrics = LATENCY_METRICS.filter((m) => CLIENTS.some((c) => byClient[c]?.[m] !== undefined));
  if (metrics.length === 0) return "";
  const rows = metrics.flatMap((m) => CLIENTS.filter((c) => byClient[c]?.[m] !== undefined).map((c) => [m, c, ...summaryRow(byClient[c]![m]!)]));
  const table = renderTable(["metric", "client", ...SUMMARY_HEADERS], rows, { numeric: [2, 3, 4, 5, 6, 7, 8, 9, 10] });
  const charts = metrics.map((m) => renderDistribution({ id: `distribution-${m}-by-client`, metric: m, entries: entriesOf(byClient, m), colors: { lean: COLORS.lean, official: COLORS.official } })).join("");
  return `<section id="clients"><h2>Lean vs official client</h2>${table}<div class="charts">${charts}</div></section>`;
}

function entriesOf(byClient: Report["metricsByClient"], metric: LatencyMetric): Record<string, LatencyEntry> {
  const entries: Record<string, LatencyEntry> = {};
  for (const c of CLIENTS) {
    const entry = byClient[c]?.[metric];
    if (entry !== undefined) entries[c] = entry;
  }
  return entries;
}
