// The non-TTY / CI progress output: one line per PROGRESS_EVERY_MS, built
// from the coordinator's per-interval snapshot (never per event).
import type { RunSnapshot } from "../load/coordinator.ts";
import { secondIsBusy } from "../metrics/backendHealth.ts";
import type { LatencyMetric } from "../metrics/metricNames.ts";
import { formatClock, formatCount, formatMicros } from "./format.ts";
import { RECENT_WINDOW_MS, recentWindowEnd } from "./recentWindow.ts";

// Every 5 s: enough to watch a CI log move, few enough lines for an hour-long run.
export const PROGRESS_EVERY_MS = 5_000;

export function progressLine(s: RunSnapshot): string {
  const end = recentWindowEnd(s);
  const recent = (metric: LatencyMetric) =>
    end === null ? undefined : s.metrics.recentSummary(metric, end, RECENT_WINDOW_MS);
  const e2e = recent("mutation_observed_us");
  const parts = [
    `[${formatClock(s.elapsedMs)}/${formatClock(s.plannedMs)}]`,
    `viewers ${formatCount(s.gauges.connectedViewers)}/${formatCount(s.gauges.targetViewers)}`,
    `sent ${formatCount(s.metrics.counter("mutations_sent"))}`,
  ];
  if (e2e && e2e.count > 0) parts.push(`e2e p50 ${formatMicros(e2e.p50)} p99 ${formatMicros(e2e.p99)}`);
  for (const metric of ["heartbeat_duration_us", "progress_update_us", "chat_send_us"] as const) {
    const summary = recent(metric);
    if (summary && summary.count > 0) parts.push(`${metric.replace(/_us$/, "")} p99 ${formatMicros(summary.p99)}`);
  }
  parts.push(`errors ${s.metrics.errors()}`, `reconnects ${s.reconnects}`);
  const lag = Math.max(0, ...s.latestHealth.map((h) => h?.lagP99Ms ?? 0));
  const cpu = Math.max(0, ...s.latestHealth.map((h) => h?.cpuPercent ?? 0));
  parts.push(`gen lag ${lag.toFixed(0)} ms cpu ${cpu.toFixed(0)} %`);
  const backend = s.backendHealth;
  if (backend) parts.push(`backend cpu ${backend.cpuPercent.toFixed(0)} % lag max ${backend.eventLoopLagMs.max.toFixed(0)} ms gc ${backend.gc.totalMs.toFixed(0)} ms${secondIsBusy(backend) ? " BUSY" : ""}`);
  return parts.join(" | ");
}
