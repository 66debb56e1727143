// viewers: N viewers per game join over the ramp, heartbeat every 30 s
// (jittered), watch their game's live viewer count, and some churn: leave
// and come back with the same session, or vanish without leaving (a crash).
// Measures heartbeat latency from its intended time, join latency, and how
// quickly a join or leave reaches viewers watching the count.
import { randomUUID } from "node:crypto";
import type { CountChange, Publication } from "../../convex/lib/viewerCounts.ts";
import { FreshnessTracker, type FreshnessProbe } from "../load/freshness.ts";
import type { VirtualClient } from "../load/virtualClient.ts";
import type { AdminApi, Scenario, ScenarioRuntime } from "./scenario.ts";
import { arrived, partitionOf, rampArrivalMs, seedGames, seedUsers } from "./common.ts";

export type ViewersSeed = { gameIds: string[] };

const viewerSubject = (index: number) => `sim-viewer-${index}`;

// Probes for viewer-count freshness per load process: enough samples per
// change, without timing every one of thousands of subscribers. A probe
// watches the publication behind the count (getViewerCountPublication, which
// says which changes it includes) instead of the bare number.
const FRESHNESS_PROBES = 25;
const PROBE_QUERY = "liveSessions:getViewerCountPublication";

type Plan = {
  viewer: number;
  joinAtMs: number;
  /** Leave at, and come back at (same session). */
  churn?: { leaveAtMs: number; rejoinAtMs: number };
  /** Stop heartbeating and drop the connection without leaving. */
  vanishAtMs?: number;
  watchesCount: boolean;
};

export const viewers: Scenario<ViewersSeed> = {
  name: "viewers",
  description: "viewers join games, heartbeat every 30 s, watch the live viewer count, leave, rejoin and vanish",
  defaults: { viewers: 1_000, games: 1, durationMs: 60_000, rampMs: 20_000 },
  // Viewers watch the published count (convex/lib/viewerCounts.ts), which
  // may wait up to its one-second publication interval: freshness gets that
  // second on top of the CSN's 500 ms delivery target.
  thresholds: ["heartbeat p99<50ms", "join p99<100ms", "viewer_count_freshness p99<1500ms", "query p99<50ms", "mutation_errors == 0", "query_errors == 0"],

  validate(config) {
    const problems: string[] = [];
    if (config.viewers < config.games) problems.push(`--viewers (${config.viewers}) must be at least --games (${config.games})`);
    return problems;
  },

  targetConnections: (config) => config.viewers,

  async prepare(admin, config, log, scope) {
    const gameIds = await seedGames(admin, config.games, scope);
    await requireProbeQuery(admin, gameIds[0]);
    await seedUsers(admin, "sim-viewer-", config.viewers, log, scope);
    return { gameIds };
  },

  async run(rt) {
    const { config } = rt;
    // Per game: a probe watching one game's count never sees another game's changes.
    const freshnessByGame = new Map(rt.seed.gameIds.map((id) => [id, new FreshnessTracker("viewer_count_freshness_us", rt.metrics)]));
    const partition = partitionOf(rt);
    const mine = Array.from({ length: config.viewers }, (_, v) => v).filter((v) => partition.ownsViewer(v));
    rt.gauge({ targetViewers: mine.length });
    let connected = 0;
    let probes = 0;
    const endAtMs = rt.startAtMs + config.rampMs + config.durationMs;
    await Promise.all(
      mine.map(async (v) => {
        const plan = planViewer(rt, v);
        await rt.sleepUntil(plan.joinAtMs);
        if (rt.signal.aborted) return;
        const client = await rt.connect(viewerSubject(v), v < config.officialClients ? "official" : "lean");
        try {
          // Join and subscribe once connected: their latencies then measure the backend, not the handshake.
          await arrived(rt, client, plan.joinAtMs);
          const gameId = rt.seed.gameIds[v % rt.seed.gameIds.length];
          const freshness = freshnessByGame.get(gameId)!;
          if (plan.watchesCount) {
            const probe = probes < FRESHNESS_PROBES ? freshness.addProbe(client.kind) : null;
            if (probe) probes++;
            watchCount(rt, client, gameId, freshness, probe);
          }
          rt.gauge({ connectedViewers: ++connected });
          await live(rt, client, gameId, plan, freshness, endAtMs);
        } finally {
          rt.gauge({ connectedViewers: --connected });
          await client.close();
        }
      }),
    );
  },
};

/**
 * The freshness probes watch getViewerCountPublication, which a deployment of
 * an older CSN app does not have: better refused before the run (the admin
 * API says to deploy convex/) than a run full of failed subscriptions.
 */
export async function requireProbeQuery(admin: AdminApi, gameId: string): Promise<void> {
  await admin.query(PROBE_QUERY, { gameId });
}

/** Deterministic per viewer: when it joins, whether and when it churns or vanishes. */
function planViewer(rt: ScenarioRuntime<ViewersSeed>, v: number): Plan {
  const { config } = rt;
  const random = rt.random("viewer", v);
  const loadStart = rt.startAtMs + config.rampMs;
  const plan: Plan = {
    viewer: v,
    joinAtMs: rampArrivalMs(rt, v, config.viewers),
    watchesCount: random() < config.countWatchShare,
  };
  const fate = random();
  if (fate < config.churn) {
    const leaveAtMs = loadStart + random() * config.durationMs * 0.7;
    // Away 5–15 s, like a viewer who closed a tab and came back.
    plan.churn = { leaveAtMs, rejoinAtMs: leaveAtMs + 5_000 + random() * 10_000 };
  } else if (fate < config.churn + config.vanish) {
    plan.vanishAtMs = loadStart + random() * config.durationMs * 0.7;
  }
  return plan;
}

function watchCount(rt: ScenarioRuntime<ViewersSeed>, client: VirtualClient, gameId: string, freshness: FreshnessTracker, probe: FreshnessProbe | null) {
  const subscribedAt = rt.clock.epochMicros();
  let first = true;
  const udfPath = probe ? PROBE_QUERY : "liveSessions:getLiveViewerCount";
  client.subscribe(udfPath, { gameId }, "value", (update) => {
    if (update.error) return rt.metrics.add("query_errors");
    if (first) {
      first = false;
      rt.metrics.record("query_duration_us", update.receivedAtUs - subscribedAt, client.kind);
    }
    if (probe) freshness.observed(probe, (update.value as Publication).covers, update.receivedAtUs);
  });
}

/** One viewer's session: join, heartbeats until the end (or until it leaves / vanishes), then connected through the grace period unless it vanished. */
async function live(rt: ScenarioRuntime<ViewersSeed>, client: VirtualClient, gameId: string, plan: Plan, freshness: FreshnessTracker, endAtMs: number) {
  const { config } = rt;
  const random = rt.random("heartbeats", plan.viewer);
  const sessionId = randomUUID();
  const call = async (udfPath: string, args: Record<string, string>, intendedMs: number, metric: "join_duration_us" | "heartbeat_duration_us" | null) => {
    const intendedUs = Math.round(intendedMs * 1000);
    rt.metrics.add("mutations_sent");
    try {
      const { value } = await client.mutation(udfPath, args);
      if (metric) rt.metrics.record(metric, rt.clock.epochMicros() - intendedUs, client.kind);
      return value;
    } catch {
      // A call cut off by the end of the run is not the backend's error.
      if (!rt.signal.aborted) rt.metrics.add("mutation_errors");
      return null;
    }
  };
  // joinStream and leaveStream answer with the change they made to the count (null: none).
  const changed = (result: unknown, intendedMs: number) => {
    const change = (result as { countChange?: CountChange | null } | null)?.countChange;
    if (change) freshness.changed(change, Math.round(intendedMs * 1000));
  };

  // The join is intended the moment the viewer's connection is open.
  const joinAtMs = rt.clock.nowMs();
  changed(await call("liveSessions:joinStream", { gameId, deviceType: "web", sessionId }, joinAtMs, "join_duration_us"), joinAtMs);
  // Heartbeat k is due at join + k·interval ± jitter, computed from the join time, never from the previous beat.
  const stopAtMs = Math.min(endAtMs, plan.vanishAtMs ?? Infinity);
  let away = plan.churn;
  // Beats that fell due while the viewer was away are skipped, not sent late.
  let notBeforeMs = plan.joinAtMs;
  for (let k = 1; !rt.signal.aborted; k++) {
    const dueMs = plan.joinAtMs + k * config.heartbeatIntervalMs + (random() * 2 - 1) * config.heartbeatJitterMs;
    if (away && away.leaveAtMs < dueMs) {
      if (away.leaveAtMs >= stopAtMs) break;
      await rt.sleepUntil(away.leaveAtMs);
      if (rt.signal.aborted) break;
      changed(await call("liveSessions:leaveStream", { sessionId }, away.leaveAtMs, null), away.leaveAtMs);
      // Gone for good if the run ends before the viewer would come back.
      if (away.rejoinAtMs >= stopAtMs) break;
      await rt.sleepUntil(away.rejoinAtMs);
      if (rt.signal.aborted) break;
      changed(await call("liveSessions:joinStream", { gameId, deviceType: "web", sessionId }, away.rejoinAtMs, "join_duration_us"), away.rejoinAtMs);
      notBeforeMs = away.rejoinAtMs;
      away = undefined;
      continue;
    }
    if (dueMs >= stopAtMs) break;
    if (dueMs < notBeforeMs) continue;
    await rt.sleepUntil(dueMs);
    if (rt.signal.aborted) break;
    await call("liveSessions:heartbeat", { sessionId }, dueMs, "heartbeat_duration_us");
  }
  // A vanished viewer just drops its connection (the caller closes it); the
  // backend's cleanup has to notice it stopped beating.
  if (plan.vanishAtMs !== undefined) await rt.sleepUntil(Math.min(endAtMs, plan.vanishAtMs));
  // The others' last heartbeats may still be in flight at the end: had every viewer closed
  // then, thousands of disconnects would queue ahead of them on the backend, and the run's
  // own teardown would show up as heartbeat latency. So viewers stay through the grace
  // period (probes see the count's last publications meanwhile).
  else await rt.sleepUntil(endAtMs + config.gracePeriodMs);
}
