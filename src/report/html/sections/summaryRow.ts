// One row of a latency summary table, in the column order every table uses.
import type { LatencyEntry } from "../../../metrics/report.ts";
import { formatCount, formatMicros } from "../../format/units.ts";

export const SUMMARY_HEADERS = ["count", "min", "mean", "p50", "p90", "p95", "p99", "p99.9", "max"] as const;

export function summaryRow(e: LatencyEntry): string[] {
  return [formatCount(e.count), ...[e.min, e.mean, e.p50, e.p90, e.p95, e.p99, e.p99_9, e.max].map(formatMicros)];
}
