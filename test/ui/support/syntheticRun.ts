// A run made of real measurements without a backend: MetricsRecorder samples
// absorbed into a real RunMetrics, wrapped in the RunSnapshot the coordinator
// would publish. Numbers are chosen so the dashboard's figures are easy to check.
import type { RunSnapshot } from "../../../src/load/coordinator.ts";
import type { HealthSample } from "../../../src/load/generatorHealth.ts";
import { MetricsRecorder } from "../../../src/metrics/recorder.ts";
import { RunMetrics } from "../../../src/metrics/runMetrics.ts";

export type SecondPlan = {
  /** mutation → subscription samples this second, µs. */
  observedUs?: number[];
  chatSendUs?: number[];
  sent?: number;
  dropped?: number;
  lost?: number;
  duplicated?: number;
  errors?: number;
  queryErrors?: number;
};

export class SyntheticRun {
  readonly metrics = new RunMetrics(1000);
  private readonly recorder = new MetricsRecorder();
  private index = -1;

  /** Records one interval's measurements and absorbs them, as a load process's flush would. */
  second(plan: SecondPlan): this {
    for (const us of plan.observedUs ?? []) this.recorder.record("mutation_observed_us", us, "lean");
    for (const us of plan.chatSendUs ?? []) this.recorder.record("chat_send_us", us, "lean");
    if (plan.sent) this.recorder.add("mutations_sent", plan.sent);
    if (plan.dropped) this.recorder.add("dropped_arrivals", plan.dropped);
    if (plan.lost) this.recorder.add("deliveries_lost", plan.lost);
    if (plan.duplicated) this.recorder.add("deliveries_duplicated", plan.duplicated);
    if (plan.errors) this.recorder.add("mutation_errors", plan.errors);
    if (plan.queryErrors) this.recorder.add("query_errors", plan.queryErrors);
    this.metrics.absorb(this.recorder.flush(++this.index));
    return this;
  }

  snapshot(overrides: Partial<Omit<RunSnapshot, "metrics">> = {}): RunSnapshot {
    return {
      elapsedMs: (this.index + 1) * 1000,
      plannedMs: 60_000,
      gauges: { connectedViewers: 20, targetViewers: 20 },
      reconnects: 0,
      intervalIndex: this.index,
      metrics: this.metrics,
      latestHealth: [healthy()],
      ...overrides,
    };
  }
}

export function healthy(overrides: Partial<HealthSample> = {}): HealthSample {
  return { lagP50Ms: 1, lagP99Ms: 4, lagMaxMs: 9, cpuPercent: 35, runLagP99Ms: 4, ...overrides };
}

/** 1, 2, …, n ms in µs: p50 ≈ n/2 ms, p99 ≈ 0.99·n ms, max n ms. */
export function spreadMs(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i + 1) * 1000);
}
