// HDR histograms in integer microseconds, 3 significant digits. Reports carry
// them encoded so shards and repeated runs merge losslessly by decode-and-add;
// percentiles are always read from a histogram, never averaged.
import * as hdr from "hdr-histogram-js";

export type Histogram = hdr.Histogram;

// One hour in µs: anything slower is a hung run, and the histogram still
// auto-resizes rather than dropping it.
const HIGHEST_TRACKABLE_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return hdr.build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
    autoResize: true,
  });
}

export function encodeHistogram(histogram: Histogram): string {
  return hdr.encodeIntoCompressedBase64(histogram);
}

export function decodeHistogram(encoded: string): Histogram {
  const decoded = hdr.decodeFromCompressedBase64(encoded, 32, false);
  // Decoded histograms come back sized to their content; re-home them in a
  // standard one so further adds can grow it.
  const histogram = newHistogram();
  histogram.add(decoded);
  return histogram;
}

/** Sum of histograms; the inputs are left untouched. */
export function mergeHistograms(histograms: Iterable<Histogram>): Histogram {
  const merged = newHistogram();
  for (const h of histograms) merged.add(h);
  return merged;
}

export type LatencySummary = {
  count: number;
  min: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  p99_9: number;
  max: number;
};

export const PERCENTILE_KEYS = ["p50", "p90", "p95", "p99", "p99_9"] as const;
export const PERCENTILE_OF: Record<(typeof PERCENTILE_KEYS)[number], number> = {
  p50: 50,
  p90: 90,
  p95: 95,
  p99: 99,
  p99_9: 99.9,
};

/** All values in µs; an empty histogram summarises to zeros with count 0. */
export function summarize(histogram: Histogram): LatencySummary {
  const count = histogram.totalCount;
  if (count === 0) return { count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p99_9: 0, max: 0 };
  return {
    count,
    min: histogram.getValueAtPercentile(0),
    mean: Math.round(histogram.mean),
    p50: histogram.getValueAtPercentile(50),
    p90: histogram.getValueAtPercentile(90),
    p95: histogram.getValueAtPercentile(95),
    p99: histogram.getValueAtPercentile(99),
    p99_9: histogram.getValueAtPercentile(99.9),
    // min and max are read as bucket bounds (percentile 0 and 100), not the
    // raw extremes: the encoded form keeps only buckets, so this way a summary
    // computed before encoding equals one computed after a decode or a merge.
    max: histogram.getValueAtPercentile(100),
  };
}

/** Clamps a measured duration to a recordable integer: clocks can step back by a µs or two. */
export function toRecordableMicros(micros: number): number {
  return micros < 1 ? 1 : Math.round(micros);
}
