// How quickly a state change reaches passive subscribers whose result may not
// carry a marker (a viewer count is just a number). Each change this process
// makes is recorded with its commit timestamp; a probe subscriber "has" the
// change once it receives any update valid at or after that timestamp.
// Latency is from the change's intended time. If a later change cancels an
// earlier one (a join and a leave), the subscriber may see nothing until the
// next change: that is measured as late, never as early (honest direction).
import type { MetricsRecorder } from "../metrics/recorder.ts";
import type { LatencyMetric } from "../metrics/metricNames.ts";
import type { ClientKind } from "./virtualClient.ts";

type Change = { ts: bigint; intendedUs: number };

export class FreshnessProbe {
  /** The newest timestamp this probe's view is valid at. */
  lastTs = -1n;
  constructor(readonly kind: ClientKind) {}
}

export class FreshnessTracker {
  private readonly changes: Change[] = [];

  constructor(
    private readonly metric: LatencyMetric,
    private readonly metrics: MetricsRecorder,
  ) {}

  /** A change this process committed at `ts`, intended at `intendedUs`. */
  changed(ts: bigint, intendedUs: number): void {
    // Commits arrive out of order across clients; keep the list sorted by ts.
    let i = this.changes.length;
    while (i > 0 && this.changes[i - 1].ts > ts) i--;
    this.changes.splice(i, 0, { ts, intendedUs });
  }

  /**
   * A probe received an update valid at `ts`: every change in (lastTs, ts]
   * reached it now. A change whose commit became known only after the probe
   * had moved past it is skipped rather than timed (its arrival went unseen).
   */
  observed(probe: FreshnessProbe, ts: bigint, receivedAtUs: number): void {
    if (ts <= probe.lastTs) return;
    for (let i = this.firstAfter(probe.lastTs); i < this.changes.length && this.changes[i].ts <= ts; i++) {
      this.metrics.record(this.metric, receivedAtUs - this.changes[i].intendedUs, probe.kind);
    }
    probe.lastTs = ts;
  }

  /** Changes before the probe's first result are not its to see. */
  startProbe(probe: FreshnessProbe, ts: bigint): void {
    if (ts > probe.lastTs) probe.lastTs = ts;
  }

  private firstAfter(ts: bigint): number {
    let lo = 0;
    let hi = this.changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.changes[mid].ts <= ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
