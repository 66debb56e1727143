// One load process's side of a run: builds the ScenarioRuntime a scenario
// sees, hands measurements to the coordinator once per interval (never per
// event), and runs the scenario to its end.
import { randomUUID } from "node:crypto";
import type { JSONValue } from "convex/values";
import { MetricsRecorder } from "../metrics/recorder.ts";
import { NO_GAUGES, type Gauges, type Scenario, type ScenarioRuntime } from "../scenarios/scenario.ts";
import { systemClock, type LoadClock } from "./clock.ts";
import { HealthSampler, type HealthSample } from "./generatorHealth.ts";
import { deriveSeed, seededRandom } from "./random.ts";
import { LeanClient } from "./sync/leanClient.ts";
import { OfficialClient } from "./sync/officialClient.ts";
import { TimerQueue } from "./timerQueue.ts";
import { createTokenMinter } from "./tokens.ts";
import type { ClientKind, VirtualClient } from "./virtualClient.ts";
import type { WorkerAssignment } from "./workerMessages.ts";
import type { IntervalSample } from "../metrics/recorder.ts";

export type ProcessReport = { sample: IntervalSample; health: HealthSample; gauges: Gauges; reconnects: number };

export type ProcessRunOptions = {
  assignment: WorkerAssignment;
  scenario: Scenario<unknown>;
  signal: AbortSignal;
  report: (report: ProcessReport) => void;
  log: (message: string) => void;
  /** The coordinator's all-gather (see ScenarioRuntime.allGather). */
  gather: (topic: string, value: JSONValue) => Promise<JSONValue[]>;
  clock?: LoadClock;
};

export async function runProcessSlice(options: ProcessRunOptions): Promise<void> {
  const { assignment, scenario, signal } = options;
  const clock = options.clock ?? systemClock;
  const metrics = new MetricsRecorder();
  const health = new HealthSampler();
  // Every sleeper and arrival wakes through this queue, so its lateness is the generator's.
  const queue = new TimerQueue(clock, (lateMs) => metrics.record("schedule_lateness_us", Math.round(lateMs * 1000)));
  const clients = new Set<VirtualClient>();
  const gauges: Gauges = { ...NO_GAUGES };
  const minter = await createTokenMinter({ key: assignment.auth.key, issuer: assignment.auth.issuer, audience: assignment.auth.audience });

  const flush = () => {
    const index = Math.floor((clock.nowMs() - assignment.startAtMs) / assignment.intervalMs);
    let reconnects = 0;
    for (const client of clients) reconnects += client.reconnects;
    options.report({ sample: metrics.flush(index), health: health.sample(), gauges: { ...gauges }, reconnects });
  };
  // Intervals are aligned to the shared start time, so samples from every
  // process for interval i cover the same wall-clock second.
  const alignToMs = assignment.intervalMs - ((((clock.nowMs() - assignment.startAtMs) % assignment.intervalMs) + assignment.intervalMs) % assignment.intervalMs);
  let interval: NodeJS.Timeout | undefined;
  const firstTick = setTimeout(() => {
    flush();
    interval = setInterval(flush, assignment.intervalMs);
  }, alignToMs);

  const runtime: ScenarioRuntime<unknown> = {
    config: assignment.config,
    seed: assignment.seed as JSONValue,
    slice: assignment.slice,
    shard: assignment.shard,
    runId: assignment.runId,
    clock,
    startAtMs: assignment.startAtMs,
    signal,
    queue,
    metrics,
    async connect(subject: string | null, kind: ClientKind = "lean", claims = {}) {
      const token = subject === null ? null : await minter.mint({ subject, name: claims.name ?? subject, permissions: claims.permissions });
      const connectOptions = { url: assignment.url, token, epochMicros: clock.epochMicros };
      const client: VirtualClient = kind === "official" ? new OfficialClient(connectOptions) : new LeanClient(connectOptions);
      clients.add(client);
      return client;
    },
    // Keyed by --seed and the caller's parts only (a viewer's index, …), never by the process: the same
    // viewer behaves alike however the run is split over processes and shards.
    random: (...parts) => seededRandom(deriveSeed(assignment.config.seed, ...parts)),
    gauge: (update) => Object.assign(gauges, update),
    allGather: <T extends JSONValue>(topic: string, value: T) => options.gather(topic, value) as Promise<T[]>,
    sleepUntil: (atMs) => (signal.aborted || atMs <= clock.nowMs() ? Promise.resolve() : new Promise((resolve) => queue.at(atMs, () => resolve()))),
    log: options.log,
  };

  // On abort every sleeper and scheduled arrival wakes at once and sees the
  // abort itself (one listener here instead of one per sleeping viewer).
  const wakeAll = () => queue.fireAll();
  signal.addEventListener("abort", wakeAll, { once: true });
  try {
    await scenario.run(runtime);
  } finally {
    signal.removeEventListener("abort", wakeAll);
    clearTimeout(firstTick);
    clearInterval(interval);
    queue.close();
    // Scenarios close their own clients; this catches any left open by an error.
    await Promise.all([...clients].map((c) => c.close().catch(() => {})));
    flush();
    health.stop();
  }
}

export const newRunId = (): string => randomUUID().replace(/-/g, "").slice(0, 10);
