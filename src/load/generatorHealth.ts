// Is the load generator itself keeping up? Each load process samples its
// event-loop delay and CPU once per interval. A generator that lags reports
// receive times late and starts work late; csn-rt then calls the run
// inconclusive instead of blaming (or crediting) the backend.
import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

export type HealthSample = {
  /** Event-loop delay during the interval, ms. */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  /** CPU time used during the interval, as % of one core. */
  cpuPercent: number;
};

// Resolution of the delay monitor: fine enough to see 10 ms stalls.
const LAG_RESOLUTION_MS = 10;

export class HealthSampler {
  private readonly delay: IntervalHistogram;
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor() {
    this.delay = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    this.delay.enable();
  }

  /** The interval since the previous sample (or construction). */
  sample(): HealthSample {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(1, now - this.lastAt);
    const nsToMs = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
    // The monitor's values include its own resolution as a floor; subtract it
    // so an idle loop reads ~0 rather than ~10 ms.
    const lag = (ns: number) => Math.max(0, nsToMs(ns) - LAG_RESOLUTION_MS);
    const result: HealthSample = {
      lagP50Ms: lag(this.delay.percentile(50)),
      lagP99Ms: lag(this.delay.percentile(99)),
      lagMaxMs: lag(this.delay.max),
      cpuPercent: ((cpu.user + cpu.system) / 1000 / elapsedMs) * 100,
    };
    this.delay.reset();
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
    return result;
  }

  stop(): void {
    this.delay.disable();
  }
}

// Limits for calling the generator healthy, with what they protect:
/** p99 event-loop lag above this shifts measured latencies by a tenth of the 500 ms target. */
export const MAX_HEALTHY_LAG_P99_MS = 50;
/** A process above this share of a core for most of the run is saturated and queues work. */
export const MAX_HEALTHY_CPU_PERCENT = 90;

export type HealthVerdict = { healthy: boolean; reasons: string[] };

/** Judges a whole run from every process's samples and the dropped-arrival count. */
export function judgeHealth(samples: readonly HealthSample[], droppedArrivals: number): HealthVerdict & {
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  cpuMeanPercent: number;
  cpuMaxPercent: number;
} {
  const reasons: string[] = [];
  const sortedP99 = samples.map((s) => s.lagP99Ms).sort((a, b) => a - b);
  // The run's lag p99 is the 99th percentile over intervals of each interval's p99:
  // a few isolated GC pauses don't condemn a run, a sustained stall does.
  const lagP99Ms = quantile(sortedP99, 0.99);
  const lagP50Ms = quantile(samples.map((s) => s.lagP50Ms).sort((a, b) => a - b), 0.5);
  const lagMaxMs = Math.max(0, ...samples.map((s) => s.lagMaxMs));
  const cpu = samples.map((s) => s.cpuPercent);
  const cpuMeanPercent = cpu.length ? cpu.reduce((a, b) => a + b, 0) / cpu.length : 0;
  const cpuMaxPercent = Math.max(0, ...cpu);
  if (droppedArrivals > 0) {
    reasons.push(`${droppedArrivals} arrivals were dropped because too many operations were already in flight`);
  }
  if (lagP99Ms > MAX_HEALTHY_LAG_P99_MS) {
    reasons.push(`event-loop lag p99 was ${lagP99Ms.toFixed(0)} ms (limit ${MAX_HEALTHY_LAG_P99_MS} ms): the generator could not keep up`);
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
