// Every metric csn-rt records, as one closed union: a typo is a compile error,
// and the report, thresholds, dashboard and HTML all speak these names.
// Names carry their unit: `_us` latencies are integer microseconds; the rest
// are counts.

export const LATENCY_METRICS = [
  /** A write's intended send time → a passive subscriber first sees it (every receiver counts). */
  "mutation_observed_us",
  /** Intended heartbeat time → the heartbeat mutation is acknowledged. */
  "heartbeat_duration_us",
  /** Intended time → a watch-progress update is acknowledged. */
  "progress_update_us",
  /** Intended time → a chat message send is acknowledged. */
  "chat_send_us",
  /** Intended time → joinStream is acknowledged. */
  "join_duration_us",
  /**
   * A viewer's planned arrival in the ramp → its sync WebSocket is open: a
   * backend slow to admit connections shows here, not as a quick join later.
   */
  "connect_us",
  /** Subscribing → the first result of a query (viewer count, chat page, Continue Watching). */
  "query_duration_us",
  /** A join's or leave's intended time → a probe receives the first published viewer count that includes it. */
  "viewer_count_freshness_us",
  /** A user's newest progress write → every one of their devices shows it. */
  "convergence_us",
  /** verify-cleanup, virtual clock: wall time of one clock step, including the crons and cleanup chain it ran. */
  "clock_advance_us",
  /** verify-cleanup: reading every session's state and every viewer count for one check. */
  "state_check_us",
  /**
   * The generator's own share: an intended time → the moment its load
   * process's timer woke for it. Every latency above that runs from an
   * intended time includes this much delay the backend did not cause.
   */
  "schedule_lateness_us",
] as const;

export type LatencyMetric = (typeof LATENCY_METRICS)[number];

export const COUNTER_METRICS = [
  /** Deliveries a passive receiver should have seen (writes × receivers subscribed at the time). */
  "deliveries_expected",
  "deliveries_received",
  /** Expected but never seen by the end of the run's grace period. */
  "deliveries_lost",
  /** The same write seen twice by one receiver. */
  "deliveries_duplicated",
  /** A write seen after a later write from the same writer. */
  "deliveries_out_of_order",
  "mutations_sent",
  /** A mutation the backend failed or that never got an answer (calls cut off by the end of the run excepted). */
  "mutation_errors",
  /** A subscription the backend answered with an error instead of a result (QueryFailed), or with a result of the wrong shape. */
  "query_errors",
  /** Refusals the scenario expected (e.g. rate limiting it provoked on purpose). */
  "mutations_refused",
  "reconnects",
  /** Arrivals the generator could not start on time (see src/load/arrivals.ts). */
  "dropped_arrivals",
  /** Devices that disagreed with the user's newest write at the end of a progress run. */
  "convergence_failures",
  /** Viewer-count checks that did not equal the true number of active sessions. */
  "count_mismatches",
  /** Windows in which the backend answered no probe (src/load/backendProbe.ts): a crash, restart or network cut. */
  "backend_outages",
  /** Their total length, ms. */
  "backend_outage_ms",
  /** verify-cleanup: viewer counts compared with the true number of active sessions. */
  "count_checks",
  /** verify-cleanup: session states compared with what the session's history allows. */
  "session_checks",
  /** verify-cleanup: sessions made stale at the same moment, to load one cleanup run. */
  "stale_sessions",
  /** verify-cleanup: sessions that went silent and were seen retired within the limit. */
  "sessions_retired",
  /** verify-cleanup: healthy sessions (heartbeat within 2 minutes) found inactive, or refused a heartbeat. */
  "sessions_retired_early",
  /** verify-cleanup: sessions still active more than 3 minutes after their last heartbeat. */
  "sessions_retired_late",
] as const;

export type CounterMetric = (typeof COUNTER_METRICS)[number];

export type MetricName = LatencyMetric | CounterMetric;

const latencySet: ReadonlySet<string> = new Set(LATENCY_METRICS);
const counterSet: ReadonlySet<string> = new Set(COUNTER_METRICS);

export function isLatencyMetric(name: string): name is LatencyMetric {
  return latencySet.has(name);
}

export function isCounterMetric(name: string): name is CounterMetric {
  return counterSet.has(name);
}

/**
 * The short names the CSN targets are written in ("heartbeat p99<50ms"),
 * accepted wherever a metric is named by a person.
 */
export const METRIC_ALIASES: Readonly<Record<string, MetricName>> = {
  mutation_to_subscription: "mutation_observed_us",
  heartbeat: "heartbeat_duration_us",
  progress_update: "progress_update_us",
  chat_send: "chat_send_us",
  join: "join_duration_us",
  connect: "connect_us",
  query: "query_duration_us",
  viewer_count_freshness: "viewer_count_freshness_us",
  convergence: "convergence_us",
  schedule_lateness: "schedule_lateness_us",
  lost: "deliveries_lost",
  duplicated: "deliveries_duplicated",
  out_of_order: "deliveries_out_of_order",
  errors: "mutation_errors",
};

export function resolveMetricName(name: string): MetricName | undefined {
  if (isLatencyMetric(name) || isCounterMetric(name)) return name;
  return METRIC_ALIASES[name];
}

/** `csn-rt simulate --list-metrics`: one line per metric, with its kind and the short names it answers to. */
export function metricNameLines(): string[] {
  const line = (metric: MetricName, kind: string) => {
    const aliases = Object.keys(METRIC_ALIASES).filter((alias) => METRIC_ALIASES[alias] === metric);
    return `${metric.padEnd(28)} ${kind.padEnd(8)}${aliases.length > 0 ? ` also "${aliases.join('", "')}"` : ""}`.trimEnd();
  };
  return [...LATENCY_METRICS.map((metric) => line(metric, "latency")), ...COUNTER_METRICS.map((metric) => line(metric, "counter"))];
}
