// Whole-run latencies of several reports, merged losslessly: every encoded
// HDR histogram is decoded and added, and the summary is read from the sum.
// A percentile is never derived from other percentiles.
import { decodeHistogram, encodeHistogram, newHistogram, summarize, type Histogram } from "../../metrics/histogram.ts";
import { LATENCY_METRICS, type LatencyMetric } from "../../metrics/metricNames.ts";
import type { LatencyEntry } from "../../metrics/report.ts";

export type LatencyEntries = Partial<Record<LatencyMetric, LatencyEntry>>;

export type MergedLatencies =
  | { ok: true; entries: LatencyEntries; histograms: Map<LatencyMetric, Histogram> }
  | { ok: false; problems: string[] };

/** `where` names each input in messages, e.g. "a.json: metrics". */
export function mergeLatencyEntries(inputs: readonly { where: string; entries: LatencyEntries }[]): MergedLatencies {
  const histograms = new Map<LatencyMetric, Histogram>();
  const problems: string[] = [];
  for (const { where, entries } of inputs) {
    for (const metric of LATENCY_METRICS) {
      const entry = entries[metric];
      if (entry === undefined) continue;
      let decoded: Histogram;
      try {
        decoded = decodeHistogram(entry.histogram);
      } catch {
        problems.push(`${where}.${metric}.histogram is not an encoded HDR histogram, so it cannot be merged`);
        continue;
      }
      let total = histograms.get(metric);
      if (total === undefined) histograms.set(metric, (total = newHistogram()));
      total.add(decoded);
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  const merged: LatencyEntries = {};
  for (const [metric, histogram] of histograms) merged[metric] = latencyEntryOf(histogram);
  return { ok: true, entries: merged, histograms };
}

export function latencyEntryOf(histogram: Histogram): LatencyEntry {
  return { ...summarize(histogram), unit: "us", histogram: encodeHistogram(histogram) };
}
