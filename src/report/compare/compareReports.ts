// The regression gate: two reports side by side, and the sentences that say
// what got worse. Pure data in, data out; the renderers decide how it reads.
//
// A latency statistic regressed when it grew by more than the allowed
// percentage AND by at least the minimum change (see compareLimits.ts).
// A problem counter regressed when it grew from 0, or grew by more than the
// same percentage. A metric present on one side only is shown, never
// counted as a regression: a new metric has nothing to regress from, and a
// metric that vanished is caught by the current report's own thresholds (a
// latency threshold over no samples fails).
import { COUNTER_METRICS, LATENCY_METRICS, type CounterMetric, type LatencyMetric } from "../../metrics/metricNames.ts";
import type { LatencySummary } from "../../metrics/histogram.ts";
import type { Report } from "../../metrics/report.ts";
import { formatCount, formatMicros, formatPercentChange } from "../format/units.ts";
import type { CompareLimits, GatedStat } from "./compareLimits.ts";

export type StatKey = keyof LatencySummary;

/** Counts of things that should not happen in a healthy run. Reconnects are left out: chaos scenarios provoke them on purpose. */
export const PROBLEM_COUNTERS: readonly CounterMetric[] = [
  "deliveries_lost",
  "deliveries_duplicated",
  "deliveries_out_of_order",
  "mutation_errors",
  "query_errors",
  "dropped_arrivals",
  "convergence_failures",
  "count_mismatches",
];

/** Always shown; gated statistics outside this list are shown too. */
const SHOWN_STATS: readonly StatKey[] = ["p50", "p95", "p99", "max", "count"];
const STAT_ORDER: readonly StatKey[] = ["min", "mean", "p50", "p90", "p95", "p99", "p99_9", "max", "count"];

export type StatComparison = {
  stat: StatKey;
  baseline?: number;
  current?: number;
  change?: number;
  /** Undefined when the baseline is 0 or either side is missing. */
  changePercent?: number;
  gated: boolean;
  regressed: boolean;
};

export type LatencyComparison = {
  metric: LatencyMetric;
  presence: "both" | "baseline only" | "current only";
  stats: StatComparison[];
};

export type CounterComparison = {
  metric: CounterMetric;
  /** A counter a report does not carry was 0 there (reports omit zero counters). */
  baseline: number;
  current: number;
  change: number;
  changePercent?: number;
  watched: boolean;
  regressed: boolean;
};

export type Comparison = {
  latencies: LatencyComparison[];
  counters: CounterComparison[];
  /** One sentence per regression; empty when the gate passes. */
  regressions: string[];
  /** Things a reader should know that are not regressions (different scenario, missing metrics). */
  warnings: string[];
};

export function compareReports(baseline: Report, current: Report, limits: CompareLimits): Comparison {
  const stats = STAT_ORDER.filter((s) => SHOWN_STATS.includes(s) || (limits.stats as readonly StatKey[]).includes(s));
  const latencies = LATENCY_METRICS.filter((m) => baseline.metrics[m] !== undefined || current.metrics[m] !== undefined).map((metric) =>
    compareLatency(metric, baseline.metrics[metric], current.metrics[metric], stats, limits),
  );
  const counters = COUNTER_METRICS.filter((m) => baseline.counters[m] !== undefined || current.counters[m] !== undefined).map((metric) =>
    compareCounter(metric, baseline.counters[metric] ?? 0, current.counters[metric] ?? 0, limits),
  );

  const regressions: string[] = [];
  for (const row of latencies) {
    for (const s of row.stats) {
      if (s.regressed) {
        const growth = s.changePercent === undefined ? "from 0" : `by ${formatPercentChange(s.changePercent).slice(1)}`;
        regressions.push(
          `${row.metric} ${statName(s.stat)} grew ${growth} (${formatMicros(s.baseline!)} → ${formatMicros(s.current!)}), more than the ${limits.maxRegressionPercent}% allowed`,
        );
      }
    }
  }
  for (const row of counters) {
    if (!row.regressed) continue;
    regressions.push(
      row.baseline === 0
        ? `${row.metric} grew from 0 to ${formatCount(row.current)}`
        : `${row.metric} grew by ${formatPercentChange(row.changePercent).slice(1)} (${formatCount(row.baseline)} → ${formatCount(row.current)}), more than the ${limits.maxRegressionPercent}% allowed`,
    );
  }

  const warnings: string[] = [];
  if (baseline.scenario !== current.scenario) {
    warnings.push(`the reports are of different scenarios (baseline "${baseline.scenario}", current "${current.scenario}"), so their numbers may not be comparable`);
  }
  for (const row of latencies) {
    if (row.presence === "baseline only") warnings.push(`${row.metric} was measured in the baseline but not in the current report`);
    if (row.presence === "current only") warnings.push(`${row.metric} is new in the current report; it has no baseline to compare with`);
  }
  if (current.status === "partial") warnings.push("the current report is partial: its run was stopped early");
  return { latencies, counters, regressions, warnings };
}

export function statName(stat: StatKey): string {
  return stat === "p99_9" ? "p99.9" : stat;
}

function compareLatency(
  metric: LatencyMetric,
  baseline: LatencySummary | undefined,
  current: LatencySummary | undefined,
  stats: readonly StatKey[],
  limits: CompareLimits,
): LatencyComparison {
  const presence = baseline && current ? "both" : baseline ? "baseline only" : "current only";
  return {
    metric,
    presence,
    stats: stats.map((stat) => {
      const gated = stat !== "count" && limits.stats.includes(stat as GatedStat);
      const before = baseline?.[stat];
      const after = current?.[stat];
      if (before === undefined || after === undefined) return { stat, baseline: before, current: after, gated, regressed: false };
      const change = after - before;
      const regressed = gated && change >= limits.minChangeUs && after > before * (1 + limits.maxRegressionPercent / 100);
      return { stat, baseline: before, current: after, change, changePercent: percentOf(change, before), gated, regressed };
    }),
  };
}

function compareCounter(metric: CounterMetric, baseline: number, current: number, limits: CompareLimits): CounterComparison {
  const watched = PROBLEM_COUNTERS.includes(metric);
  const change = current - baseline;
  const regressed = watched && current > 0 && (baseline === 0 || current > baseline * (1 + limits.maxRegressionPercent / 100));
  return { metric, baseline, current, change, changePercent: percentOf(change, baseline), watched, regressed };
}

function percentOf(change: number, base: number): number | undefined {
  return base === 0 ? undefined : (change / base) * 100;
}
