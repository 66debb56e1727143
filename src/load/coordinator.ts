// Runs a scenario across load processes and merges what they measure. The
// coordinator does no load itself: it assigns slices, absorbs one
// IntervalSample per process per interval into RunMetrics, keeps the latest
// gauges, and publishes a snapshot per interval for the dashboard.
import type { JSONValue } from "convex/values";
import { RunMetrics } from "../metrics/runMetrics.ts";
import type { ScenarioConfig } from "../scenarios/config.ts";
import { NO_GAUGES, sumGauges, type Gauges, type Scenario } from "../scenarios/scenario.ts";
import type { BackendHealthSample } from "../protocol/http/index.ts";
import type { HealthSample } from "./generatorHealth.ts";
import type { SigningKey } from "./keys.ts";
import { WorkerPool } from "./workerPool.ts";

export const INTERVAL_MS = 1000;
// Time for every process, once loaded, to receive its assignment and connect before the schedule starts.
const START_DELAY_MS = 1500;
// Beyond the planned end (ramp + duration + grace), how long a run may take to
// wind down before its processes are stopped by force.
const WIND_DOWN_MS = 30_000;

export type RunSnapshot = {
  elapsedMs: number;
  plannedMs: number;
  gauges: Gauges;
  reconnects: number;
  /** Latest interval index every process has reported. */
  intervalIndex: number;
  metrics: RunMetrics;
  latestHealth: HealthSample[];
  /** The backend's newest health sample, when it reports one (added by simulation.ts, which polls it). */
  backendHealth?: BackendHealthSample | null;
};

export type LoadResult = {
  metrics: RunMetrics;
  healthSamples: HealthSample[];
  /** Each process's event-loop lag p99 over its whole run, ms. */
  runLagP99Ms: number[];
  processes: number;
  gauges: Gauges;
  reconnects: number;
  partial: boolean;
  errors: string[];
  logs: string[];
  startedAt: Date;
  endedAt: Date;
  /** When load ran, wall-clock ms: from the first planned arrival to the end of ramp + duration (or an earlier stop). */
  loadWindow: { startMs: number; endMs: number };
};

export type LoadOptions = {
  scenario: Scenario<unknown>;
  config: ScenarioConfig;
  seed: JSONValue;
  url: string;
  runId: string;
  auth: { key: SigningKey; issuer: string; audience?: string };
  /** Shards (--shard i/N, 0-based here): this machine runs slices shardIndex·workers … of shardCount·workers (see scenarios/partition.ts). */
  shard?: { index: number; count: number };
  /** Aborted by the user (Ctrl-C, q): the run stops early and is marked partial. */
  signal: AbortSignal;
  onSnapshot?: (snapshot: RunSnapshot) => void;
  onLog?: (message: string) => void;
};

export function plannedDurationMs(config: ScenarioConfig): number {
  return config.rampMs + config.durationMs + config.gracePeriodMs;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { config } = options;
  const metrics = new RunMetrics(INTERVAL_MS);
  const healthSamples: HealthSample[] = [];
  const processes = config.workers;
  const gauges: Gauges[] = Array.from({ length: processes }, () => NO_GAUGES);
  const reconnects = new Array<number>(processes).fill(0);
  const latestHealth: HealthSample[] = [];
  const lastIndex = new Array<number>(processes).fill(-Infinity);
  let publishedIndex = -Infinity;
  const logs: string[] = [];
  const startedAt = new Date();
  // Set once every process has loaded: on a busy machine (or with several shards starting on one)
  // loading alone can outlast START_DELAY_MS, and a schedule that started while processes were
  // still loading would begin with its first arrivals already late.
  let startAtMs = Number.POSITIVE_INFINITY;
  const plannedMs = plannedDurationMs(config);

  // All-gathers in progress: topic → each process's value so far.
  const gathers = new Map<string, Map<number, JSONValue>>();
  const completeGathers = () => {
    for (const [topic, values] of gathers) {
      const waiting = Array.from({ length: processes }, (_, w) => w).filter((w) => !values.has(w) && !pool.exited.has(w));
      if (waiting.length > 0) continue;
      gathers.delete(topic);
      const ordered = Array.from({ length: processes }, (_, w) => values.get(w)).filter((v): v is JSONValue => v !== undefined);
      for (let w = 0; w < processes; w++) pool.send(w, { type: "gathered", topic, values: ordered });
    }
  };

  const pool: WorkerPool = await WorkerPool.start(processes, (worker, message) => {
    switch (message.type) {
      case "ready":
      case "done":
        return;
      case "gather": {
        const values = gathers.get(message.topic) ?? new Map<number, JSONValue>();
        values.set(worker, message.value);
        gathers.set(message.topic, values);
        completeGathers();
        return;
      }
      case "log":
        logs.push(message.message);
        options.onLog?.(message.message);
        return;
      case "sample": {
        metrics.absorb(message.sample);
        healthSamples.push(message.health);
        latestHealth[worker] = message.health;
        gauges[worker] = message.gauges;
        reconnects[worker] = message.reconnects;
        lastIndex[worker] = message.sample.index;
        // Publish once per interval, when every process has reported it (never per event).
        const complete = Math.min(...lastIndex);
        if (Number.isFinite(complete) && complete > publishedIndex) {
          publishedIndex = complete;
          options.onSnapshot?.({
            elapsedMs: Date.now() - startAtMs,
            plannedMs,
            gauges: sumGauges(gauges),
            reconnects: reconnects.reduce((a, b) => a + b, 0),
            intervalIndex: complete,
            metrics,
            latestHealth: [...latestHealth],
          });
        }
        return;
      }
      default:
        message satisfies never;
    }
  }, () => completeGathers());

  const shard = options.shard ?? { index: 0, count: 1 };
  startAtMs = Date.now() + START_DELAY_MS;
  for (let worker = 0; worker < processes; worker++) {
    pool.assign(worker, {
      scenario: options.scenario.name,
      config,
      seed: options.seed,
      slice: { index: shard.index * processes + worker, count: shard.count * processes },
      shard,
      runId: options.runId,
      url: options.url,
      startAtMs,
      intervalMs: INTERVAL_MS,
      auth: options.auth,
    });
  }

  let partial = false;
  const stopEarly = () => {
    partial = true;
    pool.stop();
  };
  options.signal.addEventListener("abort", stopEarly, { once: true });
  // Every run ends by itself: past its planned end plus a wind-down, processes are stopped.
  const deadline = setTimeout(() => {
    partial = true;
    logs.push("the run overran its planned end and was stopped");
    pool.stop();
  }, START_DELAY_MS + plannedMs + WIND_DOWN_MS);
  const errors = await pool.finished();
  clearTimeout(deadline);
  options.signal.removeEventListener("abort", stopEarly);

  return {
    metrics,
    healthSamples,
    runLagP99Ms: latestHealth.map((h) => h?.runLagP99Ms ?? 0),
    processes,
    gauges: sumGauges(gauges),
    reconnects: reconnects.reduce((a, b) => a + b, 0),
    partial: partial || errors.length > 0,
    errors,
    logs,
    startedAt,
    endedAt: new Date(),
    loadWindow: { startMs: startAtMs, endMs: Math.min(Date.now(), startAtMs + config.rampMs + config.durationMs) },
  };
}
