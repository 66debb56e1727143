// Assembles the JSON report from a finished run. The verdict is decided here,
// from the same histograms the report carries, so `report merge` recomputing
// it from merged data reaches the same rules.
import os from "node:os";
import { judgeHealth, type HealthSample } from "../load/generatorHealth.ts";
import type { ClientKind } from "./recorder.ts";
import { encodeHistogram, summarize, type Histogram } from "./histogram.ts";
import { LATENCY_METRICS, type LatencyMetric } from "./metricNames.ts";
import { REPORT_SCHEMA_ID, REPORT_SCHEMA_VERSION, type BackendHealth, type GeneratorHealth, type LatencyEntry, type Report } from "./report.ts";
import type { RunMetrics } from "./runMetrics.ts";
import type { Threshold } from "./thresholds.ts";
import { decideVerdict, evaluateThresholds } from "./verdict.ts";

export type ReportInput = {
  toolVersion: string;
  command: string;
  scenario: string;
  config: Record<string, unknown>;
  metrics: RunMetrics;
  healthSamples: readonly HealthSample[];
  /** Each load process's whole-run event-loop lag p99, ms. */
  runLagP99Ms: readonly number[];
  processes: number;
  thresholds: readonly Threshold[];
  backend: Report["environment"]["backend"];
  startedAt: Date;
  endedAt: Date;
  partial: boolean;
  backendUnreachable?: boolean;
  shard?: { index: number; count: number };
  notes: string[];
  /**
   * The generator's health when the command judges it by its own rule
   * (verify-cleanup: were its steps on time?) instead of event-loop lag.
   */
  generator?: GeneratorHealth;
  /** The backend process's health over the run, when it reports one (backendHealth.ts). */
  backendHealth?: BackendHealth;
};

export function latencyEntry(histogram: Histogram): LatencyEntry {
  return { unit: "us", ...summarize(histogram), histogram: encodeHistogram(histogram) };
}

export function generatorHealthOf(samples: readonly HealthSample[], runLagP99Ms: readonly number[], processes: number, droppedArrivals: number): GeneratorHealth {
  const judged = judgeHealth(samples, runLagP99Ms, droppedArrivals);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    processes,
    eventLoopLagMs: { p50: round(judged.lagP50Ms), p99: round(judged.lagP99Ms), max: round(judged.lagMaxMs) },
    cpuPercent: { mean: round(judged.cpuMeanPercent), max: round(judged.cpuMaxPercent) },
    droppedArrivals,
    healthy: judged.healthy,
    reasons: judged.reasons,
  };
}

export function buildReport(input: ReportInput): Report {
  const { metrics } = input;
  const latencies: Report["metrics"] = {};
  for (const metric of metrics.latencyMetrics()) latencies[metric] = latencyEntry(metrics.histogram(metric)!);
  const byClient: Report["metricsByClient"] = {};
  for (const client of ["lean", "official"] as ClientKind[]) {
    const entries: Partial<Record<LatencyMetric, LatencyEntry>> = {};
    for (const metric of LATENCY_METRICS) {
      const h = metrics.histogramByClient(client, metric);
      if (h && h.totalCount > 0) entries[metric] = latencyEntry(h);
    }
    if (Object.keys(entries).length > 0) byClient[client] = entries;
  }
  const generator = input.generator ?? generatorHealthOf(input.healthSamples, input.runLagP99Ms, input.processes, metrics.counter("dropped_arrivals"));
  const thresholds = evaluateThresholds(input.thresholds, {
    histogram: (m) => metrics.histogram(m),
    counter: (m) => metrics.counter(m as never),
  });
  const { verdict, reasons } = decideVerdict({ thresholds, generator, partial: input.partial, backendUnreachable: input.backendUnreachable });
  const cpus = os.cpus();
  return {
    schema: REPORT_SCHEMA_ID,
    version: REPORT_SCHEMA_VERSION,
    tool: { name: "csn-rt", version: input.toolVersion },
    command: input.command,
    scenario: input.scenario,
    status: input.partial ? "partial" : "complete",
    startedAt: input.startedAt.toISOString(),
    endedAt: input.endedAt.toISOString(),
    durationMs: input.endedAt.getTime() - input.startedAt.getTime(),
    config: input.config,
    environment: {
      node: process.version,
      platform: process.platform,
      arch: process.arch,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? "unknown",
      totalMemoryMb: Math.round(os.totalmem() / 2 ** 20),
      backend: input.backend,
    },
    ...(input.shard ? { shard: input.shard } : {}),
    metrics: latencies,
    metricsByClient: byClient,
    counters: metrics.allCounters(),
    timeline: { intervalMs: metrics.intervalMs, points: metrics.timeline() },
    thresholds,
    generator,
    ...(input.backendHealth ? { backendHealth: input.backendHealth } : {}),
    notes: input.notes,
    verdict,
    verdictReasons: reasons,
  };
}
