// Samples the backend process once a second for GET /api/csn-rt/health:
// event-loop lag, garbage-collection pauses, CPU and memory. Cheap enough to
// run always: the lag probe is libuv's own timer (no JS callback), GC pauses
// arrive as a handful of performance entries a second.
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from "node:perf_hooks";
import type { BackendHealthSample } from "../../protocol/http/index.ts";

/** The lag probe's period: the histogram records period + lag, so the period is taken off. */
const PROBE_RESOLUTION_MS = 10;

export type HealthMonitorOptions = {
  /** Open sync connections right now. */
  readonly connections: () => number;
  readonly intervalMs?: number;
  /** Samples kept for pollers: an hour at one a second. */
  readonly keep?: number;
};

export class HealthMonitor {
  private readonly samples: BackendHealthSample[] = [];
  private readonly lag: IntervalHistogram = monitorEventLoopDelay({ resolution: PROBE_RESOLUTION_MS });
  private readonly gcObserver: PerformanceObserver;
  private readonly timer: NodeJS.Timeout;
  private readonly intervalMs: number;
  private readonly keep: number;
  private gc = { pauses: 0, totalMs: 0, longestMs: 0 };
  private lastCpu = process.cpuUsage();
  private lastAt = performance.now();

  constructor(private readonly options: HealthMonitorOptions) {
    this.intervalMs = options.intervalMs ?? 1_000;
    this.keep = options.keep ?? 3_600;
    this.lag.enable();
    this.gcObserver = new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) this.recordPause(entry.duration);
    });
    this.gcObserver.observe({ entryTypes: ["gc"] });
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    this.timer.unref();
  }

  /** Samples that ended after `since` (ms since the epoch), oldest first. */
  since(since: number): BackendHealthSample[] {
    return this.samples.filter((sample) => sample.at > since);
  }

  stop(): void {
    clearInterval(this.timer);
    this.gcObserver.disconnect();
    this.lag.disable();
  }

  private recordPause(durationMs: number): void {
    this.gc.pauses += 1;
    this.gc.totalMs += durationMs;
    if (durationMs > this.gc.longestMs) this.gc.longestMs = durationMs;
  }

  private sample(): void {
    const now = performance.now();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMs = Math.max(1, now - this.lastAt);
    const lagMs = (ns: number) => (this.lag.count > 0 ? round(Math.max(0, ns / 1e6 - PROBE_RESOLUTION_MS)) : 0);
    this.samples.push({
      at: Date.now(),
      intervalMs: round(elapsedMs),
      cpuPercent: round(((cpu.user + cpu.system) / 1000 / elapsedMs) * 100),
      eventLoopLagMs: { p99: lagMs(this.lag.percentile(99)), max: lagMs(this.lag.max) },
      gc: { pauses: this.gc.pauses, totalMs: round(this.gc.totalMs), longestMs: round(this.gc.longestMs) },
      rssMb: Math.round(process.memoryUsage.rss() / 2 ** 20),
      connections: this.options.connections(),
    });
    if (this.samples.length > this.keep) this.samples.splice(0, this.samples.length - this.keep);
    this.lag.reset();
    this.gc = { pauses: 0, totalMs: 0, longestMs: 0 };
    this.lastCpu = process.cpuUsage();
    this.lastAt = now;
  }
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}
