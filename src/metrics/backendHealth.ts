// The backend's per-second health samples (protocol/http/health.ts) boiled
// down for the report and the summary, and the rule for saying the backend
// itself was the bottleneck. It never changes the verdict: the backend is
// what is under test, and a saturated backend failing a target is a true
// failure. It explains one.
import type { BackendHealthSample } from "../protocol/http/index.ts";
import type { BackendHealth } from "./report.ts";

/** A second at or above this share of a core is a saturated second: a single-threaded server queues work. */
export const SATURATED_CPU_PERCENT = 90;
/** Busy when at least this share of the run's seconds was saturated… */
const BUSY_SATURATED_SHARE = 0.25;
/** …or the event loop stalled this long at least once: a tenth of the CSN 500 ms target, and twice the 50 ms heartbeat target. */
const BUSY_STALL_MS = 100;

export function summarizeBackendHealth(samples: readonly BackendHealthSample[]): BackendHealth {
  const cpu = samples.map((s) => s.cpuPercent);
  const seconds = samples.reduce((sum, s) => sum + s.intervalMs, 0) / 1000;
  const gcMs = samples.reduce((sum, s) => sum + s.gc.totalMs, 0);
  const saturatedSeconds = samples.filter((s) => s.cpuPercent >= SATURATED_CPU_PERCENT).length;
  const lagMax = max(samples.map((s) => s.eventLoopLagMs.max));
  return {
    samples: [...samples],
    cpuPercent: { mean: round(mean(cpu)), max: round(max(cpu)) },
    saturatedSeconds,
    eventLoopLagMs: { p99Median: round(median(samples.map((s) => s.eventLoopLagMs.p99))), max: round(lagMax) },
    gc: {
      msPerSecond: round(seconds > 0 ? gcMs / seconds : 0),
      longestPauseMs: round(max(samples.map((s) => s.gc.longestMs))),
      pauses: samples.reduce((sum, s) => sum + s.gc.pauses, 0),
    },
    rssMbMax: max(samples.map((s) => s.rssMb)),
    busy: samples.length > 0 && (saturatedSeconds >= BUSY_SATURATED_SHARE * samples.length || lagMax >= BUSY_STALL_MS),
  };
}

/** One second in which the backend was saturated or stalled: its queueing shows in the latencies of that second. */
export function secondIsBusy(sample: BackendHealthSample): boolean {
  return sample.cpuPercent >= SATURATED_CPU_PERCENT || sample.eventLoopLagMs.max >= BUSY_STALL_MS;
}

/** GC pause time of one sample, scaled to a second (a sample's interval is about, not exactly, one). */
export function gcMsPerSecond(sample: BackendHealthSample): number {
  return (sample.gc.totalMs * 1000) / sample.intervalMs;
}

/** The backend's newest second, short enough for one dashboard line (lag and GC in ms, memory as RSS). */
export function describeBackendSecond(sample: BackendHealthSample): string {
  const gcPerSecond = gcMsPerSecond(sample);
  return (
    `cpu ${sample.cpuPercent.toFixed(0)} % · lag p99 ${sample.eventLoopLagMs.p99.toFixed(0)} ms, max ${sample.eventLoopLagMs.max.toFixed(0)} · ` +
    `GC ${gcPerSecond.toFixed(0)} ms/s, longest ${sample.gc.longestMs.toFixed(0)} · ${sample.rssMb} MiB`
  );
}

/** Samples of several reports of one backend (shards) or of several runs: each second once, in order. */
export function mergeBackendSamples(sets: readonly (readonly BackendHealthSample[])[]): BackendHealthSample[] {
  const byEnd = new Map<number, BackendHealthSample>();
  for (const set of sets) for (const sample of set) byEnd.set(sample.at, sample);
  return [...byEnd.values()].sort((a, b) => a.at - b.at);
}

/** One line for the summary. */
export function describeBackendHealth(h: BackendHealth): string {
  return (
    `backend: cpu mean ${h.cpuPercent.mean} % (max ${h.cpuPercent.max} %, ≥${SATURATED_CPU_PERCENT} % in ${h.saturatedSeconds} of ${h.samples.length} s), ` +
    `event-loop lag p99 ${h.eventLoopLagMs.p99Median} ms typical / ${h.eventLoopLagMs.max} ms worst, ` +
    `GC ${h.gc.msPerSecond} ms/s (longest pause ${h.gc.longestPauseMs} ms), RSS max ${h.rssMbMax} MiB`
  );
}

/** A note for the report when the backend's own queueing is part of the latencies; null otherwise. */
export function backendBusyNote(h: BackendHealth): string | null {
  if (!h.busy) return null;
  return (
    `the backend process was busy: ≥${SATURATED_CPU_PERCENT} % of a core in ${h.saturatedSeconds} of ${h.samples.length} s, ` +
    `event-loop stalls up to ${h.eventLoopLagMs.max} ms, GC ${h.gc.msPerSecond} ms a second (longest pause ${h.gc.longestPauseMs} ms); ` +
    `its queueing is part of the latencies above (backendHealth in the report has each second)`
  );
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

function max(values: readonly number[]): number {
  return values.length === 0 ? 0 : Math.max(...values);
}

function median(values: readonly number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
