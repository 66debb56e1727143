// The latency table's rows: each metric the run has measured, summarised
// over the recent window and over the whole run (both straight from merged
// HDR histograms, never from averaged percentiles).
import type { LatencySummary } from "../../metrics/histogram.ts";
import { LATENCY_METRICS, type LatencyMetric } from "../../metrics/metricNames.ts";
import type { RunMetrics } from "../../metrics/runMetrics.ts";
import { RECENT_WINDOW_MS } from "../recentWindow.ts";

export type LatencyRow = {
  metric: LatencyMetric;
  label: string;
  recent: LatencySummary;
  total: LatencySummary;
};

/** What a person calls each metric (the CSN targets' wording). */
const LATENCY_LABELS: Record<LatencyMetric, string> = {
  mutation_observed_us: "mutation → subscription",
  heartbeat_duration_us: "heartbeat",
  progress_update_us: "progress update",
  chat_send_us: "chat send",
  join_duration_us: "join",
  connect_us: "connect",
  query_duration_us: "first query result",
  viewer_count_freshness_us: "viewer count freshness",
  convergence_us: "device convergence",
  clock_advance_us: "virtual clock step",
  state_check_us: "session state check",
  schedule_lateness_us: "generator lateness",
};

// The headline number of every scenario: shown from the start, even before its first sample.
const ALWAYS_SHOWN: LatencyMetric = "mutation_observed_us";

const EMPTY: LatencySummary = { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p99_9: 0, max: 0 };

/** `windowEnd` null: no interval is complete yet, so the recent column is empty. */
export function latencyRows(metrics: RunMetrics, windowEnd: number | null): LatencyRow[] {
  const measured = new Set(metrics.latencyMetrics());
  return LATENCY_METRICS.filter((metric) => metric === ALWAYS_SHOWN || measured.has(metric)).map((metric) => ({
    metric,
    label: LATENCY_LABELS[metric],
    recent: windowEnd === null ? EMPTY : metrics.recentSummary(metric, windowEnd, RECENT_WINDOW_MS),
    total: metrics.summary(metric),
  }));
}
