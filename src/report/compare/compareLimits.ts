// What `report compare` counts as a regression, parsed from its options.
// Every problem is returned at once, each a sentence naming the option.
//
//   --max-regression := NUMBER ["%"]                  e.g. "10%" (a bare number is a percentage too)
//   --min-change     := NUMBER ["us" | "µs" | "ms" | "s"]   e.g. "1ms" (default unit ms)
//   --stats          := STAT ("," STAT)*               STAT ∈ min mean p50 p90 p95 p99 p99.9 max
import type { LatencySummary } from "../../metrics/histogram.ts";

export type GatedStat = Exclude<keyof LatencySummary, "count">;

export type CompareLimits = {
  /** A gated latency statistic may grow by at most this many percent. */
  maxRegressionPercent: number;
  /**
   * Changes smaller than this (µs) never count as regressions: at sub-millisecond
   * latencies a 10 % swing is timer and scheduler noise, not a slower backend.
   */
  minChangeUs: number;
  stats: GatedStat[];
};

export const DEFAULT_COMPARE_OPTIONS = { maxRegression: "10%", minChange: "1ms", stats: "p50,p95,p99" } as const;

const STAT_NAMES: Record<string, GatedStat> = {
  min: "min",
  mean: "mean",
  avg: "mean",
  p50: "p50",
  p90: "p90",
  p95: "p95",
  p99: "p99",
  "p99.9": "p99_9",
  p99_9: "p99_9",
  max: "max",
};

const UNIT_TO_MICROS: Record<string, number> = { us: 1, µs: 1, ms: 1_000, s: 1_000_000 };

export function parseCompareLimits(raw: { maxRegression?: string; minChange?: string; stats?: string }): { ok: true; limits: CompareLimits } | { ok: false; errors: string[] } {
  const errors: string[] = [];

  const maxRegressionText = raw.maxRegression ?? DEFAULT_COMPARE_OPTIONS.maxRegression;
  const percentMatch = /^\s*([0-9]+(?:\.[0-9]+)?)\s*%?\s*$/.exec(maxRegressionText);
  const maxRegressionPercent = percentMatch ? Number(percentMatch[1]) : NaN;
  if (!Number.isFinite(maxRegressionPercent)) {
    errors.push(`--max-regression must be a percentage of 0 or more such as 10%, not "${maxRegressionText}"`);
  }

  const minChangeText = raw.minChange ?? DEFAULT_COMPARE_OPTIONS.minChange;
  const durationMatch = /^\s*([0-9]+(?:\.[0-9]+)?)\s*(us|µs|ms|s)?\s*$/.exec(minChangeText);
  const minChangeUs = durationMatch ? Number(durationMatch[1]) * UNIT_TO_MICROS[durationMatch[2] ?? "ms"] : NaN;
  if (!Number.isFinite(minChangeUs)) {
    errors.push(`--min-change must be a duration of 0 or more such as 1ms or 500us, not "${minChangeText}"`);
  }

  const statsText = raw.stats ?? DEFAULT_COMPARE_OPTIONS.stats;
  const stats: GatedStat[] = [];
  for (const name of statsText.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const stat = STAT_NAMES[name];
    if (stat === undefined) errors.push(`--stats: "${name}" is not a statistic; use any of min, mean, p50, p90, p95, p99, p99.9, max`);
    else if (!stats.includes(stat)) stats.push(stat);
  }
  if (stats.length === 0 && errors.length === 0) errors.push("--stats must name at least one statistic, e.g. p50,p95,p99");

  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, limits: { maxRegressionPercent, minChangeUs, stats } };
}
