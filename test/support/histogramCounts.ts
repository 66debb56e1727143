// The exact content of an HDR histogram: every bucket that holds samples,
// as [highest value equivalent to the bucket, count]. Two histograms with the
// same list hold the same samples, whatever their encoded headers say (the
// header carries highestTrackableValue, which depends on how the histogram
// grew, not on what it holds).
import { JsHistogram } from "hdr-histogram-js";
import type { Histogram } from "../../src/metrics/histogram.ts";

export function recordedCounts(histogram: Histogram): [number, number][] {
  if (!(histogram instanceof JsHistogram)) throw new Error("recordedCounts needs a JsHistogram (csn-rt builds only those)");
  const iterator = histogram.recordedValuesIterator;
  iterator.reset();
  const counts: [number, number][] = [];
  while (iterator.hasNext()) {
    const step = iterator.next();
    counts.push([step.valueIteratedTo, step.countAtValueIteratedTo]);
  }
  return counts;
}
