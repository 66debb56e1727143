// `report merge`: shard reports of one run, or repeated runs of one scenario,
// combined into one report as if a single run had measured it all.
//
//   latencies (metrics, metricsByClient)  decode-and-add HDR histograms: exact
//   counters                              summed: exact
//   timeline                              overlaid on t, see mergeTimelines.ts
//   generator                             worst case, see mergeGenerator.ts
//   backendHealth                         every second once (shards of one run poll the
//                                         same backend), summarized again
//   thresholds                            every input's expressions, re-parsed and
//                                         evaluated against the merged data
//   verdict                               decided again by decideVerdict
//   mergedFrom                            the number of original runs (inputs that
//                                         were merges count as many as they merged)
//
// Reports of different scenarios, commands or timeline intervals are refused:
// their sum would measure nothing in particular.
import { mergeBackendSamples, summarizeBackendHealth } from "../../metrics/backendHealth.ts";
import { COUNTER_METRICS, type CounterMetric } from "../../metrics/metricNames.ts";
import type { Report } from "../../metrics/report.ts";
import { parseThreshold, type Threshold } from "../../metrics/thresholds.ts";
import { decideVerdict, evaluateThresholds } from "../../metrics/verdict.ts";
import { mergeGeneratorHealth } from "./mergeGenerator.ts";
import { mergeLatencyEntries } from "./mergeLatencies.ts";
import { mergeNotes, type LabelledReport } from "./mergeNotes.ts";
import { mergeTimelines } from "./mergeTimelines.ts";

export type MergeResult = { ok: true; report: Report } | { ok: false; problems: string[] };

type ClientKind = keyof Report["metricsByClient"];
const CLIENT_KINDS: readonly ClientKind[] = ["lean", "official"];

export function mergeReports(inputs: readonly LabelledReport[]): MergeResult {
  if (inputs.length === 0) return { ok: false, problems: ["there are no reports to merge"] };
  const refusal = refuseUnlike(inputs);
  if (refusal.length > 0) return { ok: false, problems: refusal };
  const first = inputs[0].report;

  const metrics = mergeLatencyEntries(inputs.map(({ label, report }) => ({ where: `${label}: metrics`, entries: report.metrics })));
  if (!metrics.ok) return metrics;
  const metricsByClient: Report["metricsByClient"] = {};
  for (const client of CLIENT_KINDS) {
    const parts = inputs.filter((i) => i.report.metricsByClient[client] !== undefined);
    if (parts.length === 0) continue;
    const merged = mergeLatencyEntries(parts.map(({ label, report }) => ({ where: `${label}: metricsByClient.${client}`, entries: report.metricsByClient[client]! })));
    if (!merged.ok) return merged;
    metricsByClient[client] = merged.entries;
  }

  const counters: Report["counters"] = {};
  for (const metric of COUNTER_METRICS) {
    const present = inputs.filter((i) => i.report.counters[metric] !== undefined);
    if (present.length > 0) counters[metric] = present.reduce((total, i) => total + i.report.counters[metric]!, 0);
  }

  const timeline = mergeTimelines(inputs.map(({ label, report }) => ({ label, timeline: report.timeline })));
  if (!timeline.ok) return timeline;

  const parsed = reparseThresholds(inputs);
  if (!parsed.ok) return parsed;
  const thresholds = evaluateThresholds(parsed.thresholds, {
    histogram: (metric) => metrics.histograms.get(metric),
    counter: (metric) => counters[metric as CounterMetric] ?? 0,
  });

  const generator = mergeGeneratorHealth(inputs.map(({ label, report }) => ({ label, generator: report.generator })));
  const partial = inputs.some((i) => i.report.status === "partial");
  // decideVerdict knows three causes of "inconclusive": a partial run, an
  // unhealthy generator and an unreachable backend. An input inconclusive for
  // neither of the first two can only have lost its backend.
  const backendUnreachable = inputs.some((i) => i.report.verdict === "inconclusive" && i.report.status === "complete" && i.report.generator.healthy);
  const verdict = decideVerdict({ thresholds, generator, partial, backendUnreachable });

  const healthSets = inputs.flatMap((i) => (i.report.backendHealth ? [i.report.backendHealth.samples] : []));
  const backendHealth = healthSets.length > 0 ? summarizeBackendHealth(mergeBackendSamples(healthSets)) : undefined;

  const notes = mergeNotes(inputs);
  if (timeline.upperBoundPoints > 0) {
    notes.push(
      `timeline p50/p99 at ${timeline.upperBoundPoints} of ${timeline.timeline.points.length} points combine several inputs and show the highest input's value, an upper bound (percentiles cannot be merged from per-point summaries); whole-run latencies and thresholds come from merged histograms and are exact`,
    );
  }

  const report: Report = {
    schema: first.schema,
    version: first.version,
    tool: first.tool,
    command: first.command,
    scenario: first.scenario,
    status: partial ? "partial" : "complete",
    startedAt: earliest(inputs.map((i) => i.report.startedAt)),
    endedAt: latest(inputs.map((i) => i.report.endedAt)),
    // Runs are overlaid from their starts (as the timeline is), so the merged run lasts as long as the longest input.
    durationMs: Math.max(...inputs.map((i) => i.report.durationMs)),
    config: first.config,
    environment: first.environment,
    mergedFrom: inputs.reduce((n, i) => n + (i.report.mergedFrom ?? 1), 0),
    metrics: metrics.entries,
    metricsByClient,
    counters,
    timeline: timeline.timeline,
    thresholds,
    generator,
    ...(backendHealth ? { backendHealth } : {}),
    notes,
    verdict: verdict.verdict,
    verdictReasons: verdict.reasons,
  };
  return { ok: true, report };
}

function refuseUnlike(inputs: readonly LabelledReport[]): string[] {
  const problems: string[] = [];
  for (const field of ["scenario", "command"] as const) {
    const values = new Set(inputs.map((i) => i.report[field]));
    if (values.size > 1) {
      problems.push(`cannot merge reports of different ${field}s: ${inputs.map((i) => `${i.label} is "${i.report[field]}"`).join(", ")}`);
    }
  }
  return problems;
}

/** Every input's threshold expressions, once each, in first-seen order. */
function reparseThresholds(inputs: readonly LabelledReport[]): { ok: true; thresholds: Threshold[] } | { ok: false; problems: string[] } {
  const seen = new Set<string>();
  const thresholds: Threshold[] = [];
  const problems: string[] = [];
  for (const { label, report } of inputs) {
    for (const { expression } of report.thresholds) {
      if (seen.has(expression)) continue;
      seen.add(expression);
      const parsed = parseThreshold(expression);
      if (parsed.ok) thresholds.push(parsed.threshold);
      else problems.push(`${label}: ${parsed.error}`);
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, thresholds };
}

function earliest(times: readonly string[]): string {
  return extreme(times, (a, b) => a < b);
}

function latest(times: readonly string[]): string {
  return extreme(times, (a, b) => a > b);
}

/** The time `better` prefers; unparseable times are passed over while a readable one exists. */
function extreme(times: readonly string[], better: (a: number, b: number) => boolean): string {
  const readable = times.filter((t) => !Number.isNaN(Date.parse(t)));
  if (readable.length === 0) return times[0];
  return readable.reduce((best, t) => (better(Date.parse(t), Date.parse(best)) ? t : best));
}
