// Is the load generator itself keeping up? Each load process samples its
// event-loop delay and CPU once per interval. A generator that lags reports
// receive times late and starts work late; csn-rt then calls the run
// inconclusive instead of blaming (or crediting) the backend.
import { createHistogram, type RecordableHistogram } from "node:perf_hooks";

export type HealthSample = {
  /** Event-loop delay during the interval, ms. */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** CPU time used during the interval, as % of one core. */
  cpuPercent: number;
  /** Event-loop delay p99 over the whole run so far (not per interval), ms. */
  runLagP99Ms: number;
};

// The delay probe fires this often; each firing records how long the loop
// really took to come back (period + lag), fine enough to see 10 ms stalls.
const PROBE_PERIOD_MS = 10;

export class HealthSampler {
  /** Loop periods since the last sample, and over the whole run (ns). */
  private readonly interval: RecordableHistogram = createHistogram();
  private readonly run: RecordableHistogram = createHistogram();
  private readonly probe: NodeJS.Timeout;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor() {
    this.interval.recordDelta();
    this.run.recordDelta();
    this.probe = setInterval(() => {
      this.interval.recordDelta();
      this.run.recordDelta();
    }, PROBE_PERIOD_MS);
    this.probe.unref();
  }

  /** The interval since the previous sample (or construction). */
  sample(): HealthSample {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(1, now - this.lastAt);
    // A period is the probe's own 10 ms plus the lag; report only the lag.
    const lag = (h: RecordableHistogram, value: (h: RecordableHistogram) => number) =>
      h.count > 0 ? Math.max(0, value(h) / 1e6 - PROBE_PERIOD_MS) : 0;
    const result: HealthSample = {
      lagP50Ms: lag(this.interval, (h) => h.percentile(50)),
      lagP99Ms: lag(this.interval, (h) => h.percentile(99)),
      lagMaxMs: lag(this.interval, (h) => h.max),
      cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
      runLagP99Ms: lag(this.run, (h) => h.percentile(99)),
    };
    this.interval.reset();
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    return result;
  }

  stop(): void {
    clearInterval(this.probe);
  }
}

// Limits for calling the generator healthy, with what they protect:
/** p99 event-loop lag above this shifts measured latencies by a tenth of the 500 ms target. */
export const MAX_HEALTHY_LAG_P99_MS = 50;
/** A process above this share of a core for most of the run is saturated and queues work. */
export const MAX_HEALTHY_CPU_PERCENT = 90;

export type HealthVerdict = { healthy: boolean; reasons: string[] };

/**
 * Judges a whole run: `intervals` are every process's per-interval samples
 * (for CPU and the lag median), `runLagP99Ms` each process's last whole-run
 * lag p99 (the lag criterion: the worst process decides).
 */
export function judgeHealth(intervals: readonly HealthSample[], runLagP99Ms: readonly number[], droppedArrivals: number): HealthVerdict & {
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  cpuMeanPercent: number;
  cpuMaxPercent: number;
} {
  const reasons: string[] = [];
  const lagP99Ms = Math.max(0, ...runLagP99Ms);
  const lagP50Ms = quantile(intervals.map((s) => s.lagP50Ms).sort((a, b) => a - b), 0.5);
  const lagMaxMs = Math.max(0, ...intervals.map((s) => s.lagMaxMs));
  const cpu = intervals.map((s) => s.cpuPercent);
  const cpuMeanPercent = cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : 0;
  const cpuMaxPercent = Math.max(0, ...cpu);
  if (droppedArrivals > 0) {
    reasons.push(`${droppedArrivals} arrivals were dropped because too many operations were already in flight`);
  }
  if (lagP99Ms > MAX_HEALTHY_LAG_P99_MS) {
    reasons.push(`event-loop lag p99 over the run was ${lagP99Ms.toFixed(0)} ms (limit ${MAX_HEALTHY_LAG_P99_MS} ms): the generator could not keep up`);
  }
  if (cpuMeanPercent > MAX_HEALTHY_CPU_PERCENT) {
    reasons.push(`load processes averaged ${cpuMeanPercent.toFixed(0)} % of a core (limit ${MAX_HEALTHY_CPU_PERCENT} %): add --workers or lower the load`);
  }
  return { healthy: reasons.length === 0, reasons, lagP50Ms, lagP99Ms, lagMaxMs, cpuMeanPercent, cpuMaxPercent };
}

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}
