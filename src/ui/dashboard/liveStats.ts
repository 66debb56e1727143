// Everything the dashboard shows about a run, computed once per snapshot
// (once a second) — the components only lay these numbers out.
import type { RunSnapshot } from "../../load/coordinator.ts";
import type { BackendHealthSample } from "../../protocol/http/index.ts";
import type { Threshold } from "../../metrics/thresholds.ts";
import { recentWindowEnd } from "../recentWindow.ts";
import { generatorStatus, type GeneratorStatus } from "./generatorStatus.ts";
import { latencyRows, type LatencyRow } from "./latencyRows.ts";
import { liveThresholds, type ThresholdRow } from "./liveThresholds.ts";
import { p99Series } from "./p99Series.ts";
import { sendRates, type SendRates } from "./sendRates.ts";

export type DeliveryCounts = { lost: number; duplicated: number; outOfOrder: number; errors: number; reconnects: number };

export type LiveStats = {
  elapsedMs: number;
  plannedMs: number;
  viewers: { connected: number; target: number };
  rates: SendRates;
  latencies: LatencyRow[];
  /** mutation → subscription p99 per second, oldest first (µs; null: no samples that second). */
  p99PerSecond: (number | null)[];
  /** The limit of a "mutation_to_subscription p99<…" threshold, µs, if one is set. */
  p99Limit?: number;
  deliveries: DeliveryCounts;
  thresholds: ThresholdRow[];
  generator: GeneratorStatus;
  /** The backend's newest second, when it reports its health (csn-rt serve). */
  backend: BackendHealthSample | null;
};

export function liveStats(snapshot: RunSnapshot, thresholds: readonly Threshold[]): LiveStats {
  const { metrics } = snapshot;
  const windowEnd = recentWindowEnd(snapshot);
  return {
    elapsedMs: snapshot.elapsedMs,
    plannedMs: snapshot.plannedMs,
    viewers: { connected: snapshot.gauges.connectedViewers, target: snapshot.gauges.targetViewers },
    rates: sendRates(metrics, windowEnd),
    latencies: latencyRows(metrics, windowEnd),
    p99PerSecond: p99Series(metrics, "mutation_observed_us", windowEnd),
    p99Limit: thresholds.find((t) => t.kind === "latency" && t.metric === "mutation_observed_us" && t.stat.kind === "percentile" && t.stat.percentile === 99)?.limit,
    deliveries: {
      lost: metrics.counter("deliveries_lost"),
      duplicated: metrics.counter("deliveries_duplicated"),
      outOfOrder: metrics.counter("deliveries_out_of_order"),
      errors: metrics.errors(),
      reconnects: snapshot.reconnects,
    },
    thresholds: liveThresholds(thresholds, metrics, snapshot.reconnects),
    generator: generatorStatus(snapshot.latestHealth, metrics.counter("dropped_arrivals")),
    backend: snapshot.backendHealth ?? null,
  };
}
