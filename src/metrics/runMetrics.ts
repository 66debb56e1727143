// The whole run's measurements, merged from every load process's
// IntervalSamples: cumulative histograms (what the report and thresholds
// read), a per-interval timeline (latency over time in the HTML report), and
// a recent window (the dashboard's "last 10 s"). Everything is merged by
// decode-and-add, never by averaging percentiles.
import type { ClientKind, IntervalSample } from "./recorder.ts";
import { COUNTER_METRICS, LATENCY_METRICS, type CounterMetric, type LatencyMetric } from "./metricNames.ts";
import { decodeHistogram, mergeHistograms, newHistogram, summarize, type Histogram, type LatencySummary } from "./histogram.ts";

export type TimelinePoint = {
  /** Seconds since the run started, at the end of the interval. */
  t: number;
  latencies: Partial<Record<LatencyMetric, { count: number; p50: number; p99: number; max: number }>>;
  counters: Partial<Record<CounterMetric, number>>;
};

type Interval = { latencies: Map<LatencyMetric, Histogram>; counters: Map<CounterMetric, number> };

// Interval histograms are kept only this long (they feed the dashboard's recent
// window and absorb late samples from slow workers); older intervals shrink to
// a TimelinePoint, so memory stays flat however long the run.
const RETAINED_INTERVALS = 30;

export class RunMetrics {
  private readonly totals = new Map<LatencyMetric, Histogram>();
  private readonly totalsByClient = new Map<ClientKind, Map<LatencyMetric, Histogram>>();
  private readonly counters = new Map<CounterMetric, number>();
  private readonly intervals = new Map<number, Interval>();
  private readonly points = new Map<number, TimelinePoint>();
  private newestIndex = -1;

  constructor(readonly intervalMs: number) {}

  absorb(sample: IntervalSample): void {
    // A sample for an interval already retired (a very late worker) still
    // counts in the totals, but no longer in the timeline.
    const interval = this.points.has(sample.index) ? undefined : this.intervalAt(sample.index);
    if (sample.index > this.newestIndex) {
      this.newestIndex = sample.index;
      this.retire(sample.index - RETAINED_INTERVALS);
    }
    for (const metric of LATENCY_METRICS) {
      const encoded = sample.latencies[metric];
      if (encoded === undefined) continue;
      const histogram = decodeHistogram(encoded);
      addInto(this.totals, metric, histogram);
      if (interval) addInto(interval.latencies, metric, histogram);
    }
    for (const metric of COUNTER_METRICS) {
      const n = sample.counters[metric];
      if (!n) continue;
      this.counters.set(metric, (this.counters.get(metric) ?? 0) + n);
      interval?.counters.set(metric, (interval.counters.get(metric) ?? 0) + n);
    }
    for (const [client, encodedByMetric] of Object.entries(sample.byClient ?? {}) as [ClientKind, Partial<Record<LatencyMetric, string>>][]) {
      let perClient = this.totalsByClient.get(client);
      if (perClient === undefined) this.totalsByClient.set(client, (perClient = new Map()));
      for (const [metric, encoded] of Object.entries(encodedByMetric) as [LatencyMetric, string][]) {
        addInto(perClient, metric, decodeHistogram(encoded));
      }
    }
  }

  /** Adds to a counter directly (the coordinator's own observations, e.g. reconnects it saw). */
  count(metric: CounterMetric, n = 1): void {
    this.counters.set(metric, (this.counters.get(metric) ?? 0) + n);
  }

  counter(metric: CounterMetric): number {
    return this.counters.get(metric) ?? 0;
  }

  /** Mutation and query errors together: the live views show one number, the report keeps them apart. */
  errors(): number {
    return this.counter("mutation_errors") + this.counter("query_errors");
  }

  allCounters(): Partial<Record<CounterMetric, number>> {
    return Object.fromEntries(COUNTER_METRICS.filter((m) => this.counters.has(m)).map((m) => [m, this.counters.get(m)!]));
  }

  histogram(metric: LatencyMetric): Histogram | undefined {
    return this.totals.get(metric);
  }

  latencyMetrics(): LatencyMetric[] {
    return LATENCY_METRICS.filter((m) => this.totals.has(m));
  }

  histogramByClient(client: ClientKind, metric: LatencyMetric): Histogram | undefined {
    return this.totalsByClient.get(client)?.get(metric);
  }

  summary(metric: LatencyMetric): LatencySummary {
    return summarize(this.totals.get(metric) ?? newHistogram());
  }

  /** Summary over the last `windowMs` of intervals up to (and including) interval `upToIndex`. */
  recentSummary(metric: LatencyMetric, upToIndex: number, windowMs: number): LatencySummary {
    if (!Number.isFinite(upToIndex)) return summarize(newHistogram());
    const span = Math.max(1, Math.round(windowMs / this.intervalMs));
    const parts: Histogram[] = [];
    for (let i = upToIndex - span + 1; i <= upToIndex; i++) {
      const h = this.intervals.get(i)?.latencies.get(metric);
      if (h !== undefined) parts.push(h);
    }
    return summarize(mergeHistograms(parts));
  }

  /** Counter total over the last `windowMs` of intervals (for rates on the dashboard). */
  recentCount(metric: CounterMetric, upToIndex: number, windowMs: number): number {
    if (!Number.isFinite(upToIndex)) return 0;
    const span = Math.max(1, Math.round(windowMs / this.intervalMs));
    let total = 0;
    for (let i = upToIndex - span + 1; i <= upToIndex; i++) total += this.intervals.get(i)?.counters.get(metric) ?? 0;
    return total;
  }

  timeline(): TimelinePoint[] {
    const live = [...this.intervals.keys()].map((index) => this.pointOf(index, this.intervals.get(index)!));
    return [...this.points.values(), ...live].sort((a, b) => a.t - b.t);
  }

  private retire(beforeIndex: number) {
    for (const [index, interval] of this.intervals) {
      if (index >= beforeIndex) continue;
      this.points.set(index, this.pointOf(index, interval));
      this.intervals.delete(index);
    }
  }

  private pointOf(index: number, interval: Interval): TimelinePoint {
    const point: TimelinePoint = { t: ((index + 1) * this.intervalMs) / 1000, latencies: {}, counters: {} };
    for (const [metric, h] of interval.latencies) {
      point.latencies[metric] = { count: h.totalCount, p50: h.getValueAtPercentile(50), p99: h.getValueAtPercentile(99), max: h.maxValue };
    }
    for (const [metric, n] of interval.counters) point.counters[metric] = n;
    return point;
  }

  private intervalAt(index: number): Interval {
    let interval = this.intervals.get(index);
    if (interval === undefined) this.intervals.set(index, (interval = { latencies: new Map(), counters: new Map() }));
    return interval;
  }
}

function addInto(map: Map<LatencyMetric, Histogram>, metric: LatencyMetric, histogram: Histogram) {
  let total = map.get(metric);
  if (total === undefined) map.set(metric, (total = newHistogram()));
  total.add(histogram);
}
