// Pass/fail rules for a run, in one grammar shared by the CLI, config files
// and the CSN defaults:
//
//   threshold := metric condition
//   metric    := a name from metricNames.ts or one of its aliases
//                ("mutation_to_subscription", "heartbeat", "lost", …)
//   condition := [stat] op number [unit]
//   stat      := "p" NUMBER | "p(" NUMBER ")" | "min" | "max" | "mean" | "avg" | "count"
//                (required for latency metrics; counters take none)
//   op        := "<" | "<=" | ">" | ">=" | "==" | "="
//   unit      := "us" | "µs" | "ms" | "s"      (latency metrics; default ms)
//
// Examples: "mutation_to_subscription p99<500ms", "heartbeat p(99) < 50 ms",
// "deliveries_lost == 0", "query max<=200ms".
import { type LatencySummary } from "./histogram.ts";
import { isCounterMetric, isLatencyMetric, resolveMetricName, type CounterMetric, type LatencyMetric } from "./metricNames.ts";

export type ComparisonOp = "<" | "<=" | ">" | ">=" | "==";

/** Which number of a latency summary a threshold reads; percentiles by their exact value (99.9, not "p99_9"). */
export type LatencyStat = { kind: "percentile"; percentile: number } | { kind: "min" | "max" | "mean" | "count" };

export type Threshold =
  | {
      kind: "latency";
      expression: string;
      metric: LatencyMetric;
      stat: LatencyStat;
      op: ComparisonOp;
      /** In µs, except for the "count" stat. */
      limit: number;
    }
  | { kind: "counter"; expression: string; metric: CounterMetric; op: ComparisonOp; limit: number };

export type ParseResult = { ok: true; threshold: Threshold } | { ok: false; error: string };

const SHAPE = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(p\(\s*[0-9.]+\s*\)|p[0-9.]+|min|max|mean|avg|count)?\s*(<=|>=|==|=|<|>)\s*(-?[0-9]+(?:\.[0-9]+)?)\s*(us|µs|ms|s)?\s*$/;

const UNIT_TO_MICROS = { us: 1, µs: 1, ms: 1_000, s: 1_000_000 } as const;

const EXAMPLE = `e.g. "mutation_to_subscription p99<500ms" or "deliveries_lost == 0"`;

export function parseThreshold(expression: string): ParseResult {
  const match = SHAPE.exec(expression);
  if (match === null) {
    return { ok: false, error: `threshold "${expression}" is not of the form METRIC [STAT] OP NUMBER[UNIT], ${EXAMPLE}` };
  }
  const [, rawMetric, rawStat, rawOp, rawNumber, rawUnit] = match;
  const metric = resolveMetricName(rawMetric);
  if (metric === undefined) {
    return { ok: false, error: `threshold "${expression}": unknown metric "${rawMetric}" (run csn-rt simulate --list-metrics for the names)` };
  }
  const op: ComparisonOp = rawOp === "=" ? "==" : (rawOp as ComparisonOp);
  const number = Number(rawNumber);

  if (isCounterMetric(metric)) {
    if (rawStat !== undefined && rawStat !== "count") {
      return { ok: false, error: `threshold "${expression}": ${metric} is a counter; write it without a statistic, e.g. "${rawMetric} == 0"` };
    }
    if (rawUnit !== undefined) return { ok: false, error: `threshold "${expression}": ${metric} is a counter and takes no unit` };
    return { ok: true, threshold: { kind: "counter", expression: expression.trim(), metric, op, limit: number } };
  }

  if (!isLatencyMetric(metric)) throw new Error(`unreachable: ${metric satisfies never}`);
  if (rawStat === undefined) {
    return { ok: false, error: `threshold "${expression}": ${metric} is a latency; name a statistic such as p99, ${EXAMPLE}` };
  }
  const stat = parseStat(rawStat);
  if (stat === undefined) {
    return { ok: false, error: `threshold "${expression}": percentile must be between 0 and 100` };
  }
  if (stat.kind === "count") {
    if (rawUnit !== undefined) return { ok: false, error: `threshold "${expression}": count takes no unit` };
    return { ok: true, threshold: { kind: "latency", expression: expression.trim(), metric, stat, op, limit: number } };
  }
  const limit = number * UNIT_TO_MICROS[(rawUnit ?? "ms") as keyof typeof UNIT_TO_MICROS];
  return { ok: true, threshold: { kind: "latency", expression: expression.trim(), metric, stat, op, limit } };
}

function parseStat(raw: string): LatencyStat | undefined {
  if (raw === "avg" || raw === "mean") return { kind: "mean" };
  if (raw === "min" || raw === "max" || raw === "count") return { kind: raw };
  const percentile = Number(raw.replace(/^p\(?\s*/, "").replace(/\s*\)$/, ""));
  if (!Number.isFinite(percentile) || percentile <= 0 || percentile > 100) return undefined;
  return { kind: "percentile", percentile };
}

/** Parses many at once, returning every problem rather than the first. */
export function parseThresholds(expressions: readonly string[]): { thresholds: Threshold[]; errors: string[] } {
  const thresholds: Threshold[] = [];
  const errors: string[] = [];
  for (const expression of expressions) {
    const result = parseThreshold(expression);
    if (result.ok) thresholds.push(result.threshold);
    else errors.push(result.error);
  }
  return { thresholds, errors };
}

export function compare(actual: number, op: ComparisonOp, limit: number): boolean {
  switch (op) {
    case "<":
      return actual < limit;
    case "<=":
      return actual <= limit;
    case ">":
      return actual > limit;
    case ">=":
      return actual >= limit;
    case "==":
      return actual === limit;
    default:
      return op satisfies never;
  }
}

/** What a threshold reads from a summary; percentiles come from the histogram when given one. */
export function latencyStatValue(stat: LatencyStat, summary: LatencySummary, valueAtPercentile?: (p: number) => number): number {
  switch (stat.kind) {
    case "percentile":
      return valueAtPercentile?.(stat.percentile) ?? summaryPercentile(summary, stat.percentile);
    case "min":
    case "max":
    case "mean":
    case "count":
      return summary[stat.kind];
    default:
      return stat satisfies never;
  }
}

function summaryPercentile(summary: LatencySummary, percentile: number): number {
  const known: Record<number, number> = { 50: summary.p50, 90: summary.p90, 95: summary.p95, 99: summary.p99, 99.9: summary.p99_9, 100: summary.max };
  const value = known[percentile];
  if (value === undefined) throw new Error(`percentile ${percentile} needs the histogram, not only the summary`);
  return value;
}
