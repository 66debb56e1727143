// The end of a viewers run: heartbeats still in flight when the load stops
// are answered before any viewer disconnects (thousands of disconnects at
// once would queue ahead of them on the backend and be measured as heartbeat
// latency), viewers stay through the grace period, and a viewer that vanished
// mid-run had dropped its connection when it vanished. Run on virtual time
// against clients whose mutations take a fixed time.
import type { JSONValue } from "convex/values";
import { describe, expect, test } from "vitest";
import { seededRandom, deriveSeed } from "../../src/load/random.ts";
import { TimerQueue } from "../../src/load/timerQueue.ts";
import type { VirtualClient } from "../../src/load/virtualClient.ts";
import { decodeHistogram } from "../../src/metrics/histogram.ts";
import { MetricsRecorder } from "../../src/metrics/recorder.ts";
import { BASE_CONFIG, type ScenarioConfig } from "../../src/scenarios/config.ts";
import type { ScenarioRuntime } from "../../src/scenarios/scenario.ts";
import { viewers, type ViewersSeed } from "../../src/scenarios/viewers.ts";
import { VirtualTime } from "../support/virtualTime.ts";

const START_MS = 1_000_000;
const HEARTBEAT_MS = 400;
const OTHER_MUTATION_MS = 5;

function viewersRun(overrides: Partial<ScenarioConfig>) {
  const config: ScenarioConfig = {
    ...BASE_CONFIG,
    viewers: 20,
    games: 2,
    rampMs: 1_000,
    durationMs: 5_000,
    gracePeriodMs: 2_000,
    heartbeatIntervalMs: 1_000,
    heartbeatJitterMs: 0,
    churn: 0.2,
    vanish: 0.2,
    countWatchShare: 1,
    officialClients: 0,
    ...overrides,
  };
  const time = new VirtualTime(START_MS);
  const metrics = new MetricsRecorder();
  let heartbeatsInFlight = 0;
  let heartbeatsSent = 0;
  const closes: { atMs: number; heartbeatsInFlight: number }[] = [];

  const client = (): VirtualClient => ({
    kind: "lean",
    reconnects: 0,
    connected: async () => {},
    subscribe: () => () => {},
    async mutation(udfPath, args) {
      const heartbeat = udfPath === "liveSessions:heartbeat";
      if (heartbeat) {
        heartbeatsSent++;
        heartbeatsInFlight++;
      }
      await time.sleep(heartbeat ? HEARTBEAT_MS : OTHER_MUTATION_MS);
      if (heartbeat) heartbeatsInFlight--;
      const value: JSONValue = udfPath === "liveSessions:joinStream" ? { sessionId: String(args.sessionId), countChange: null } : null;
      return { value };
    },
    close: async () => {
      closes.push({ atMs: time.nowMs, heartbeatsInFlight });
    },
  });

  const rt: ScenarioRuntime<ViewersSeed> = {
    config,
    seed: { gameIds: ["game-a", "game-b"] },
    slice: { index: 0, count: 1 },
    shard: { index: 0, count: 1 },
    runId: "test",
    clock: time.clock,
    startAtMs: START_MS,
    signal: new AbortController().signal,
    queue: new TimerQueue(time.clock),
    metrics,
    connect: async () => client(),
    random: (...parts) => seededRandom(deriveSeed(config.seed, ...parts)),
    gauge: () => {},
    allGather: () => Promise.reject(new Error("viewers exchanges nothing between processes")),
    sleepUntil: (atMs) => time.sleepUntil(atMs),
    log: () => {},
  };
  const endAtMs = START_MS + config.rampMs + config.durationMs;
  return {
    endAtMs,
    config,
    run: async () => {
      await time.run(viewers.run(rt), endAtMs + config.gracePeriodMs + 60_000);
      const heartbeats = metrics.flush(0).latencies.heartbeat_duration_us;
      return { closes, heartbeatsSent, heartbeatsInFlight, heartbeats };
    },
  };
}

describe("the end of a viewers run", () => {
  test("no viewer disconnects while a heartbeat is in flight; they stay through the grace period", async () => {
    const { run, endAtMs, config } = viewersRun({});
    const { closes, heartbeatsSent, heartbeatsInFlight } = await run();

    expect(closes).toHaveLength(config.viewers);
    const atEnd = closes.filter((c) => c.atMs >= endAtMs);
    const vanished = closes.filter((c) => c.atMs < endAtMs);
    // With 400 ms heartbeats every second, some are always in flight when the load stops.
    expect(heartbeatsSent).toBeGreaterThan(config.viewers);
    expect(atEnd.length).toBeGreaterThan(0);
    expect(atEnd.filter((c) => c.atMs !== endAtMs + config.gracePeriodMs || c.heartbeatsInFlight > 0)).toEqual([]);
    // The seed gives some viewers the vanishing fate: they dropped out mid-run, without waiting.
    expect(vanished.length).toBeGreaterThan(0);
    expect(heartbeatsInFlight).toBe(0);
  });

  test("every heartbeat sent is answered and measured at its latency, the last ones included", async () => {
    const { run } = viewersRun({});
    const { heartbeatsSent, heartbeats } = await run();
    const histogram = decodeHistogram(heartbeats!);
    expect(histogram.totalCount).toBe(heartbeatsSent);
    // Measured from the intended time; here nothing is late, so every one is the mutation's 400 ms.
    expect(histogram.minNonZeroValue).toBeGreaterThanOrEqual(HEARTBEAT_MS * 1000 * 0.99);
    expect(histogram.maxValue).toBeLessThanOrEqual(HEARTBEAT_MS * 1000 * 1.01);
  });

  test("with no grace period the viewers still close only at the end of the load", async () => {
    const { run, endAtMs } = viewersRun({ gracePeriodMs: 0, vanish: 0 });
    const { closes } = await run();
    // The last heartbeats were sent before the end, and each viewer waits for its own answer.
    expect(Math.min(...closes.map((c) => c.atMs))).toBeGreaterThanOrEqual(endAtMs);
  });
});
