// The percentile distribution of a histogram as HdrHistogram plots it: value
// against percentile on a log axis of 1/(1 − p), so 90 %, 99 %, 99.9 % … sit
// one decade apart and the tail gets as much room as the median.
import type { Histogram } from "../../metrics/histogram.ts";

/** Points per decade of 1/(1 − p): smooth enough to show steps in the tail. */
const STEPS_PER_DECADE = 20;

/** [x = 1/(1 − p), value in µs] from p = 0 up to the largest recorded value. */
export function percentileCurve(histogram: Histogram): [number, number][] {
  const count = histogram.totalCount;
  if (count === 0) return [];
  const points: [number, number][] = [];
  // Past x = count every percentile lands on the last recorded value; stop there.
  for (let i = 0; ; i++) {
    const x = 10 ** (i / STEPS_PER_DECADE);
    if (x >= count) break;
    points.push([x, histogram.getValueAtPercentile(100 * (1 - 1 / x))]);
  }
  points.push([Math.max(count, 1), histogram.maxValue]);
  return points;
}

/** The x-axis end: the decade that holds every curve's last point, at least 90 %. */
export function percentileAxisMax(curves: readonly (readonly (readonly [number, number])[])[]): number {
  const largest = Math.max(10, ...curves.flatMap((c) => c.map((p) => p[0])));
  return 10 ** Math.ceil(Math.log10(largest));
}

/** Ticks at each decade of 1/(1 − p): 0 %, 90 %, 99 %, 99.9 %, … */
export function percentileAxisTicks(max: number): { value: number; label: string }[] {
  const ticks: { value: number; label: string }[] = [];
  for (let k = 0; 10 ** k <= max; k++) ticks.push({ value: 10 ** k, label: k === 0 ? "0%" : `${trimPercent(100 * (1 - 10 ** -k), k)}%` });
  return ticks;
}

function trimPercent(percent: number, nines: number): string {
  return percent.toFixed(Math.max(0, nines - 2));
}
