// The JSON report: what `simulate` and `verify-cleanup` write, what
// `report compare|merge|html` read, and what CI gates on. Defined once here
// (zod) — the TypeScript type is inferred from it, and every reader
// validates with it, so a report from another version fails loudly.
//
// Units: every latency is integer microseconds (field `unit: "us"`); times of
// day are ISO-8601 strings; durations are milliseconds.
import { z } from "zod";
import { BackendHealthSampleSchema } from "../protocol/http/index.ts";
import { COUNTER_METRICS, LATENCY_METRICS } from "./metricNames.ts";

export const REPORT_SCHEMA_ID = "csn-rt/report";
/** Bump on any incompatible change; readers refuse other versions. */
export const REPORT_SCHEMA_VERSION = 1;

const micros = z.number().int().nonnegative();

export const LatencySummarySchema = z.object({
  count: z.number().int().nonnegative(),
  min: micros,
  mean: micros,
  p50: micros,
  p90: micros,
  p95: micros,
  p99: micros,
  p99_9: micros,
  max: micros,
});

export const LatencyEntrySchema = LatencySummarySchema.extend({
  unit: z.literal("us"),
  /** hdr-histogram-js encodeIntoCompressedBase64: merge by decode-and-add. */
  histogram: z.string().min(1),
});

const latencyMetric = z.enum(LATENCY_METRICS);
const counterMetric = z.enum(COUNTER_METRICS);

export const ThresholdResultSchema = z.object({
  expression: z.string(),
  metric: z.union([latencyMetric, counterMetric]),
  /** "p99", "max", … for latencies; "value" for counters. */
  stat: z.string(),
  op: z.enum(["<", "<=", ">", ">=", "=="]),
  /** µs for latency statistics, a plain number for counters and counts. */
  limit: z.number(),
  actual: z.number(),
  /** Latency thresholds: how many samples `actual` comes from (0: nothing was measured, so it fails). */
  samples: z.number().int().nonnegative().optional(),
  pass: z.boolean(),
});

export const GeneratorHealthSchema = z.object({
  processes: z.number().int().positive(),
  /** Event-loop lag across the generator's processes, ms. */
  eventLoopLagMs: z.object({ p50: z.number(), p99: z.number(), max: z.number() }),
  /** CPU use of the generator's processes, % of one core each, averaged over processes. */
  cpuPercent: z.object({ mean: z.number(), max: z.number() }),
  droppedArrivals: z.number().int().nonnegative(),
  healthy: z.boolean(),
  /** Why the generator is not healthy, each a sentence. */
  reasons: z.array(z.string()),
});

/** The backend process's own health over the run (csn-rt serve only; see backendHealth.ts). */
export const BackendHealthSchema = z.object({
  /** One per second, as the backend sampled itself (protocol/http/health.ts). */
  samples: z.array(BackendHealthSampleSchema),
  /** % of one core. */
  cpuPercent: z.object({ mean: z.number(), max: z.number() }),
  /** Seconds in which the process used at least SATURATED_CPU_PERCENT of a core. */
  saturatedSeconds: z.number().int().nonnegative(),
  /** Event-loop lag, ms: the median second's p99 (what a request usually waits) and the longest stall. */
  eventLoopLagMs: z.object({ p99Median: z.number(), max: z.number() }),
  gc: z.object({ msPerSecond: z.number(), longestPauseMs: z.number(), pauses: z.number().int().nonnegative() }),
  rssMbMax: z.number(),
  /** The backend was saturated or stalled enough that its queueing shows in the latencies (backendHealth.ts). */
  busy: z.boolean(),
});

export const TimelinePointSchema = z.object({
  t: z.number(),
  latencies: z.partialRecord(latencyMetric, z.object({ count: z.number(), p50: micros, p99: micros, max: micros })),
  counters: z.partialRecord(counterMetric, z.number()),
});

export const VerdictSchema = z.enum(["pass", "fail", "inconclusive"]);

export const ReportSchema = z.object({
  schema: z.literal(REPORT_SCHEMA_ID),
  version: z.literal(REPORT_SCHEMA_VERSION),
  tool: z.object({ name: z.literal("csn-rt"), version: z.string() }),
  /** "simulate" or "verify-cleanup". */
  command: z.string(),
  scenario: z.string(),
  /** "partial" when the run was stopped early (Ctrl-C, q, fatal backend loss). */
  status: z.enum(["complete", "partial"]),
  startedAt: z.string(),
  endedAt: z.string(),
  durationMs: z.number().nonnegative(),
  /** The scenario configuration exactly as run (defaults filled in). */
  config: z.record(z.string(), z.unknown()),
  environment: z.object({
    node: z.string(),
    platform: z.string(),
    arch: z.string(),
    cpus: z.number().int(),
    cpuModel: z.string(),
    totalMemoryMb: z.number(),
    backend: z.object({ kind: z.enum(["embedded", "remote"]), url: z.string() }),
  }),
  shard: z.object({ index: z.number().int().positive(), count: z.number().int().positive() }).optional(),
  /** When this report merges several (shards, repeated runs): how many. */
  mergedFrom: z.number().int().positive().optional(),
  metrics: z.partialRecord(latencyMetric, LatencyEntrySchema),
  /** The same latencies split by client implementation (lean sync client vs official ConvexClient). */
  metricsByClient: z.partialRecord(z.enum(["lean", "official"]), z.partialRecord(latencyMetric, LatencyEntrySchema)),
  counters: z.partialRecord(counterMetric, z.number().int().nonnegative()),
  timeline: z.object({ intervalMs: z.number().int().positive(), points: z.array(TimelinePointSchema) }),
  thresholds: z.array(ThresholdResultSchema),
  generator: GeneratorHealthSchema,
  /** Absent when the backend does not report it (a Convex deployment) or the report predates it. */
  backendHealth: BackendHealthSchema.optional(),
  /** Notes a person should read: outages, reconnect storms, what was skipped. */
  notes: z.array(z.string()),
  verdict: VerdictSchema,
  /** Why the verdict is what it is, each a sentence. */
  verdictReasons: z.array(z.string()),
});

export type Report = z.infer<typeof ReportSchema>;
export type LatencyEntry = z.infer<typeof LatencyEntrySchema>;
export type ThresholdResult = z.infer<typeof ThresholdResultSchema>;
export type GeneratorHealth = z.infer<typeof GeneratorHealthSchema>;
export type BackendHealth = z.infer<typeof BackendHealthSchema>;
export type Verdict = z.infer<typeof VerdictSchema>;

/** Validates untrusted JSON as a report, or explains in one line per problem why it is not one. */
export function parseReport(json: unknown): { ok: true; report: Report } | { ok: false; errors: string[] } {
  if (typeof json === "object" && json !== null) {
    const { schema, version } = json as { schema?: unknown; version?: unknown };
    if (schema === REPORT_SCHEMA_ID && version !== REPORT_SCHEMA_VERSION) {
      return { ok: false, errors: [`report schema version ${String(version)} is not supported; this csn-rt reads version ${REPORT_SCHEMA_VERSION}`] };
    }
  }
  const result = ReportSchema.safeParse(json);
  if (result.success) return { ok: true, report: result.data };
  return {
    ok: false,
    errors: result.error.issues.slice(0, 10).map((issue) => `${issue.path.join(".") || "(root)"}: ${issue.message}`),
  };
}
