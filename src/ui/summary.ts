// The final summary printed after a run: every latency metric, the counters,
// each threshold with its actual value, generator and backend health, and the verdict with its reasons.
import { describeBackendHealth } from "../metrics/backendHealth.ts";
import type { Report } from "../metrics/report.ts";
import { LATENCY_METRICS, COUNTER_METRICS } from "../metrics/metricNames.ts";
import { formatActual } from "../metrics/verdict.ts";
import { formatCount, formatMicros, table } from "./format.ts";

export function summaryText(report: Report, reportPath: string | null): string {
  const lines: string[] = [];
  lines.push(`${report.scenario}: ${report.status === "partial" ? "PARTIAL run, " : ""}${(report.durationMs / 1000).toFixed(1)} s`);
  const latencyRows: string[][] = [["latency", "count", "p50", "p95", "p99", "p99.9", "max"]];
  for (const metric of LATENCY_METRICS) {
    const m = report.metrics[metric];
    if (!m) continue;
    latencyRows.push([metric, formatCount(m.count), formatMicros(m.p50), formatMicros(m.p95), formatMicros(m.p99), formatMicros(m.p99_9), formatMicros(m.max)]);
  }
  if (latencyRows.length > 1) lines.push("", table(latencyRows));
  for (const [client, metrics] of Object.entries(report.metricsByClient)) {
    const e2e = metrics?.mutation_observed_us;
    if (e2e) lines.push(`  ${client} clients: mutation_observed p50 ${formatMicros(e2e.p50)} p99 ${formatMicros(e2e.p99)} (${formatCount(e2e.count)} samples)`);
  }
  const counterRows: string[][] = [["counter", "value"]];
  for (const counter of COUNTER_METRICS) {
    const value = report.counters[counter];
    if (value !== undefined) counterRows.push([counter, formatCount(value)]);
  }
  if (counterRows.length > 1) lines.push("", table(counterRows));
  if (report.thresholds.length > 0) {
    const rows = [["threshold", "actual", "result"], ...report.thresholds.map((t) => [t.expression, formatActual(t), t.pass ? "pass" : "FAIL"])];
    lines.push("", table(rows));
  }
  const g = report.generator;
  lines.push("", `generator: ${g.processes} process(es), event-loop lag p99 ${g.eventLoopLagMs.p99} ms, cpu mean ${g.cpuPercent.mean} %${g.healthy ? "" : " — NOT HEALTHY"}`);
  if (report.backendHealth) lines.push(describeBackendHealth(report.backendHealth));
  for (const note of report.notes) lines.push(`note: ${note}`);
  lines.push("", `verdict: ${report.verdict.toUpperCase()}`);
  for (const reason of report.verdictReasons) lines.push(`  - ${reason}`);
  if (reportPath) lines.push(`report: ${reportPath}`);
  return lines.join("\n") + "\n";
}
