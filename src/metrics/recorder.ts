// The measurement side of a run, as seen from the process generating load.
// Recording is a hot path: integers into a histogram, increments into a
// counter, no allocation. Once per interval the recorder hands over what it
// collected as an IntervalSample (encoded histograms + counter deltas), which
// crosses process boundaries as plain JSON and is merged by RunMetrics.
import { COUNTER_METRICS, type CounterMetric, type LatencyMetric } from "./metricNames.ts";
import { encodeHistogram, newHistogram, toRecordableMicros, type Histogram } from "./histogram.ts";

export type IntervalSample = {
  /** Which interval of the run this is: floor((end - runStart) / intervalMs). */
  index: number;
  latencies: Partial<Record<LatencyMetric, string>>;
  counters: Partial<Record<CounterMetric, number>>;
  /** Latencies split by client kind, for the lean-vs-official comparison. */
  byClient?: Partial<Record<ClientKind, Partial<Record<LatencyMetric, string>>>>;
};

export type ClientKind = "lean" | "official";

export class MetricsRecorder {
  private latencies = new Map<LatencyMetric, Histogram>();
  private byClient = new Map<ClientKind, Map<LatencyMetric, Histogram>>();
  private counters = new Map<CounterMetric, number>();

  record(metric: LatencyMetric, micros: number, client?: ClientKind): void {
    const value = toRecordableMicros(micros);
    histogramIn(this.latencies, metric).recordValue(value);
    if (client !== undefined) {
      let perClient = this.byClient.get(client);
      if (perClient === undefined) this.byClient.set(client, (perClient = new Map()));
      histogramIn(perClient, metric).recordValue(value);
    }
  }

  add(counter: CounterMetric, n = 1): void {
    this.counters.set(counter, (this.counters.get(counter) ?? 0) + n);
  }

  /** Hands over everything recorded since the last flush and starts afresh. */
  flush(index: number): IntervalSample {
    const sample: IntervalSample = { index, latencies: encodeAll(this.latencies), counters: {} };
    for (const name of COUNTER_METRICS) {
      const n = this.counters.get(name);
      if (n) sample.counters[name] = n;
    }
    if (this.byClient.size > 0) {
      sample.byClient = {};
      for (const [client, histograms] of this.byClient) sample.byClient[client] = encodeAll(histograms);
    }
    this.latencies.clear();
    this.byClient.clear();
    this.counters.clear();
    return sample;
  }
}

function histogramIn(map: Map<LatencyMetric, Histogram>, metric: LatencyMetric): Histogram {
  let histogram = map.get(metric);
  if (histogram === undefined) map.set(metric, (histogram = newHistogram()));
  return histogram;
}

function encodeAll(map: Map<LatencyMetric, Histogram>): Partial<Record<LatencyMetric, string>> {
  const encoded: Partial<Record<LatencyMetric, string>> = {};
  for (const [metric, histogram] of map) {
    if (histogram.totalCount > 0) encoded[metric] = encodeHistogram(histogram);
  }
  return encoded;
}
