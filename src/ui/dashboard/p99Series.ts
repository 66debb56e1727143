// The sparkline's data: mutation → subscription p99 of each second over the
// last minute, read from the run's timeline (one point per interval).
import type { LatencyMetric } from "../../metrics/metricNames.ts";
import type { RunMetrics } from "../../metrics/runMetrics.ts";

// A minute shows a burst-and-pause cycle or two and fits an 80-column line.
const SERIES_SECONDS = 60;

/** One entry per interval ending at `windowEnd`, oldest first; null where nothing was measured. */
export function p99Series(metrics: RunMetrics, metric: LatencyMetric, windowEnd: number | null): (number | null)[] {
  if (windowEnd === null) return [];
  const first = Math.max(0, windowEnd - SERIES_SECONDS + 1);
  const byIndex = new Map<number, number>();
  for (const point of metrics.timeline()) {
    const index = Math.round((point.t * 1000) / metrics.intervalMs) - 1;
    const latency = point.latencies[metric];
    if (index >= first && index <= windowEnd && latency && latency.count > 0) byIndex.set(index, latency.p99);
  }
  return Array.from({ length: windowEnd - first + 1 }, (_, i) => byIndex.get(first + i) ?? null);
}
