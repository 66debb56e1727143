// Builds valid reports from recorded values through the real measurement
// path (MetricsRecorder → IntervalSample → RunMetrics → thresholds →
// verdict), so report fixtures are what `simulate` would write, not
// hand-typed JSON that drifts from the schema.
import { MetricsRecorder, type ClientKind } from "../../src/metrics/recorder.ts";
import { RunMetrics } from "../../src/metrics/runMetrics.ts";
import { encodeHistogram, summarize, type Histogram } from "../../src/metrics/histogram.ts";
import { LATENCY_METRICS, type CounterMetric, type LatencyMetric } from "../../src/metrics/metricNames.ts";
import { parseReport, REPORT_SCHEMA_ID, REPORT_SCHEMA_VERSION, type GeneratorHealth, type Report } from "../../src/metrics/report.ts";
import { parseThresholds } from "../../src/metrics/thresholds.ts";
import { decideVerdict, evaluateThresholds } from "../../src/metrics/verdict.ts";

/** What happened in one timeline interval: latencies in µs, counter increments. */
export type IntervalInput = {
  latencies?: Partial<Record<LatencyMetric, readonly number[]>>;
  /** Latencies recorded by a particular client kind (they count in the totals too). */
  byClient?: Partial<Record<ClientKind, Partial<Record<LatencyMetric, readonly number[]>>>>;
  counters?: Partial<Record<CounterMetric, number>>;
};

export type MakeReportInput = {
  scenario?: string;
  intervalMs?: number;
  /** Interval i covers [i × intervalMs, (i + 1) × intervalMs); a hole is skipped (undefined). */
  intervals?: readonly (IntervalInput | undefined)[];
  thresholds?: readonly string[];
  generator?: Partial<GeneratorHealth>;
  status?: Report["status"];
  /** Fields set after everything is computed (e.g. config, shard, notes). */
  overrides?: Partial<Report>;
};

export const HEALTHY_GENERATOR: GeneratorHealth = {
  processes: 1,
  eventLoopLagMs: { p50: 1, p99: 4, max: 9 },
  cpuPercent: { mean: 35, max: 60 },
  droppedArrivals: 0,
  healthy: true,
  reasons: [],
};

export function makeReport(input: MakeReportInput = {}): Report {
  const intervalMs = input.intervalMs ?? 1_000;
  const recorder = new MetricsRecorder();
  const run = new RunMetrics(intervalMs);
  (input.intervals ?? []).forEach((interval, index) => {
    if (interval === undefined) return;
    for (const [metric, values] of entriesOf(interval.latencies)) for (const v of values) recorder.record(metric, v);
    for (const [client, byMetric] of Object.entries(interval.byClient ?? {}) as [ClientKind, Partial<Record<LatencyMetric, readonly number[]>>][]) {
      for (const [metric, values] of entriesOf(byMetric)) for (const v of values) recorder.record(metric, v, client);
    }
    for (const [counter, n] of Object.entries(interval.counters ?? {}) as [CounterMetric, number][]) recorder.add(counter, n);
    run.absorb(recorder.flush(index));
  });

  const parsed = parseThresholds(input.thresholds ?? []);
  if (parsed.errors.length > 0) throw new Error(`makeReport: ${parsed.errors.join("; ")}`);
  const thresholds = evaluateThresholds(parsed.thresholds, { histogram: (m) => run.histogram(m), counter: (m) => run.counter(m as CounterMetric) });
  const generator = { ...HEALTHY_GENERATOR, ...input.generator };
  const status = input.status ?? "complete";
  const verdict = decideVerdict({ thresholds, generator, partial: status === "partial" });
  const intervals = input.intervals?.length ?? 0;

  const report: Report = {
    schema: REPORT_SCHEMA_ID,
    version: REPORT_SCHEMA_VERSION,
    tool: { name: "csn-rt", version: "0.1.0" },
    command: "simulate",
    scenario: input.scenario ?? "chat-burst",
    status,
    startedAt: "2026-01-10T20:00:00.000Z",
    endedAt: new Date(Date.parse("2026-01-10T20:00:00.000Z") + intervals * intervalMs).toISOString(),
    durationMs: intervals * intervalMs,
    config: { viewers: 1000, chatRate: 50, durationS: (intervals * intervalMs) / 1000 },
    environment: { node: "v20.20.2", platform: "linux", arch: "x64", cpus: 2, cpuModel: "Test CPU", totalMemoryMb: 24_000, backend: { kind: "embedded", url: "http://127.0.0.1:3210" } },
    metrics: latencyEntries((m) => run.histogram(m)),
    metricsByClient: clientEntries(run),
    counters: run.allCounters(),
    timeline: { intervalMs, points: run.timeline() },
    thresholds,
    generator,
    notes: [],
    verdict: verdict.verdict,
    verdictReasons: verdict.reasons,
    ...input.overrides,
  };
  const checked = parseReport(JSON.parse(JSON.stringify(report)));
  if (!checked.ok) throw new Error(`makeReport built an invalid report: ${checked.errors.join("; ")}`);
  return checked.report;
}

function latencyEntries(histogramOf: (m: LatencyMetric) => Histogram | undefined): Report["metrics"] {
  const entries: Report["metrics"] = {};
  for (const metric of LATENCY_METRICS) {
    const h = histogramOf(metric);
    if (h !== undefined && h.totalCount > 0) entries[metric] = { ...summarize(h), unit: "us", histogram: encodeHistogram(h) };
  }
  return entries;
}

function clientEntries(run: RunMetrics): Report["metricsByClient"] {
  const byClient: Report["metricsByClient"] = {};
  for (const client of ["lean", "official"] as const) {
    const entries = latencyEntries((m) => run.histogramByClient(client, m));
    if (Object.keys(entries).length > 0) byClient[client] = entries;
  }
  return byClient;
}

function entriesOf(record: Partial<Record<LatencyMetric, readonly number[]>> | undefined): [LatencyMetric, readonly number[]][] {
  return Object.entries(record ?? {}) as [LatencyMetric, readonly number[]][];
}
