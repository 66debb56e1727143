// progress-sync: 10,000 users with watch progress; 100 of them are watching
// right now on 3 devices each. Every device subscribes to the user's
// Continue Watching; devices write progress at an open-model rate, and some
// writes arrive late carrying an older device clock — those must lose (last
// write wins by the device's clock). Measures update latency, how soon the
// user's other devices show a write, and whether every device converges on
// the newest write.
import type { JSONValue } from "convex/values";
import { constantArrivalRate } from "../load/arrivals.ts";
import type { VirtualClient } from "../load/virtualClient.ts";
import type { Scenario, ScenarioRuntime } from "./scenario.ts";
import { driveOperations, partitionOf, rampArrivalMs, seedContent, seedInBatches, seedUsers } from "./common.ts";

export type ProgressSeed = { contentIds: string[] };

const userSubject = (index: number) => `sim-user-${index}`;
// Long titles (an hour) so simulated positions never reach the 90 % "completed" mark.
const CONTENT_SECONDS = 3600;
const POSITION_CEILING = 3000;
// Seeded history per user, so Continue Watching has a realistic page to return.
const ITEMS_PER_USER = 5;
// How far behind a late write's device clock is.
const LATE_BY_MS = 3_000;

type Expectation = { position: number; intendedUs: number; pendingDevices: Set<number>; lastSeenUs: number };

/** When a device's Continue Watching started showing a new position of its user's title. */
type Sighting = { atUs: number; position: number };
/**
 * Sightings kept per device. The backend tells a write's other devices
 * before it confirms the write to its sender, so by the time an expectation
 * is registered the sighting it needs may already be here.
 */
const SIGHTINGS_KEPT = 16;

type Updater = {
  index: number;
  devices: VirtualClient[];
  /** Latest Continue Watching each device has shown. */
  views: (ProgressView[] | null)[];
  sightings: Sighting[][];
  contentId: string;
  writes: number;
  /** Writes of this user in flight; overlapping writes commit in an order the generator cannot know. */
  inFlight: number;
  overlapped: boolean;
  /** The newest applied write: what every device must end up showing. */
  newest: { clientUpdatedAt: number; position: number; intendedUs: number } | null;
  expectations: Expectation[];
};

type ProgressView = { contentId: string; positionSeconds: number };

export const progressSync: Scenario<ProgressSeed> = {
  name: "progress-sync",
  description: "users on 3 devices write watch progress (some arriving late and out of order); every device follows Continue Watching",
  defaults: { users: 10_000, updaters: 100, updateRate: 1, devices: 3, durationMs: 60_000, rampMs: 10_000, viewers: 0 },
  thresholds: ["progress_update p99<100ms", "mutation_to_subscription p99<500ms", "query p99<50ms", "convergence_failures == 0", "mutation_errors == 0", "query_errors == 0"],

  validate(config) {
    return config.updaters > config.users ? [`--updaters (${config.updaters}) must not exceed --users (${config.users})`] : [];
  },

  targetConnections: (config) => config.updaters * config.devices,

  async prepare(admin, config, log, scope) {
    const contentIds = await seedContent(admin, config.contentItems, CONTENT_SECONDS, scope);
    // Each shard seeds its batches of users and their history (seedUsers).
    const users = await seedUsers(admin, "sim-user-", config.users, log, scope);
    const now = Date.now();
    const rows = users.flatMap(({ index: u, id: userId }) =>
      Array.from({ length: ITEMS_PER_USER }, (_, i) => ({
        userId,
        contentId: contentIds[(u * ITEMS_PER_USER + i) % contentIds.length],
        positionSeconds: 60 * (i + 1),
        durationSeconds: CONTENT_SECONDS,
        // Older history than anything the run writes.
        watchedAt: now - 3_600_000 + u + i,
      })),
    );
    log(`seeding ${rows.length} progress rows…`);
    // keepExisting: another shard may already be running and writing these users' progress.
    await seedInBatches(admin, "seed:createProgress", rows as JSONValue[], "entries", { keepExisting: true });
    return { contentIds };
  },

  async run(rt) {
    const { config } = rt;
    const updaters = await connectUpdaters(rt);
    try {
      const startMs = rt.startAtMs + config.rampMs;
      await driveOperations(rt, {
        open: constantArrivalRate((config.updateRate * updaters.length) || 0, config.durationMs),
        startMs,
        units: Math.max(1, updaters.length),
        onOperation: (intendedMs, unit) => write(rt, updaters[unit], intendedMs),
      });
      await rt.sleepUntil(rt.clock.nowMs() + config.gracePeriodMs);
      checkConvergence(rt, updaters);
    } finally {
      await Promise.all(updaters.flatMap((u) => u.devices.map((d) => d.close())));
    }
  },
};

async function connectUpdaters(rt: ScenarioRuntime<ProgressSeed>): Promise<Updater[]> {
  const { config } = rt;
  const partition = partitionOf(rt);
  const mine = Array.from({ length: config.updaters }, (_, u) => u).filter((u) => partition.ownsItem(u));
  rt.gauge({ targetViewers: mine.length * config.devices });
  let connected = 0;
  return await Promise.all(
    mine.map(async (u) => {
      await rt.sleepUntil(rampArrivalMs(rt, u, config.updaters));
      const updater: Updater = {
        index: u,
        devices: [],
        views: [],
        sightings: [],
        contentId: rt.seed.contentIds[(u * ITEMS_PER_USER) % rt.seed.contentIds.length],
        writes: 0,
        inFlight: 0,
        overlapped: false,
        newest: null,
        expectations: [],
      };
      for (let d = 0; d < config.devices; d++) {
        // The first officialClients devices of the run, wherever they run.
        const kind = u * config.devices + d < config.officialClients ? "official" : "lean";
        const client = await rt.connect(userSubject(u), kind);
        await client.connected();
        updater.devices.push(client);
        updater.views.push(null);
        updater.sightings.push([]);
        follow(rt, updater, d, client);
        rt.gauge({ connectedViewers: ++connected });
      }
      return updater;
    }),
  );
}

/** Device d follows Continue Watching; each result settles what it now shows. */
function follow(rt: ScenarioRuntime<ProgressSeed>, updater: Updater, d: number, client: VirtualClient) {
  const subscribedAt = rt.clock.epochMicros();
  client.subscribe("watchProgress:getContinueWatching", {}, "value", (update) => {
    if (update.error || !Array.isArray(update.value)) return rt.metrics.add("query_errors");
    if (updater.views[d] === null) rt.metrics.record("query_duration_us", update.receivedAtUs - subscribedAt, client.kind);
    const view = update.value as unknown as ProgressView[];
    updater.views[d] = view;
    const shown = view.find((p) => p.contentId === updater.contentId)?.positionSeconds;
    const sightings = updater.sightings[d];
    if (shown !== undefined && sightings.at(-1)?.position !== shown) {
      sightings.push({ atUs: update.receivedAtUs, position: shown });
      if (sightings.length > SIGHTINGS_KEPT) sightings.shift();
    }
    for (const expectation of updater.expectations) {
      if (expectation.pendingDevices.has(d) && shown !== undefined && shown >= expectation.position) {
        credit(rt, expectation, d, update.receivedAtUs, client.kind);
      }
    }
    updater.expectations = updater.expectations.filter((e) => e.pendingDevices.size > 0);
  });
}

/** Device d was seen showing the expectation's write at `atUs`. */
function credit(rt: ScenarioRuntime<ProgressSeed>, expectation: Expectation, d: number, atUs: number, kind: VirtualClient["kind"]) {
  expectation.pendingDevices.delete(d);
  rt.metrics.record("mutation_observed_us", atUs - expectation.intendedUs, kind);
  expectation.lastSeenUs = Math.max(expectation.lastSeenUs, atUs);
  if (expectation.pendingDevices.size === 0) rt.metrics.record("convergence_us", expectation.lastSeenUs - expectation.intendedUs, kind);
}

/** Expects every other device to show an applied write; those that already do are credited from their sightings. */
function expectOnOtherDevices(rt: ScenarioRuntime<ProgressSeed>, updater: Updater, writer: number, position: number, intendedUs: number, sentUs: number) {
  const others = updater.devices.map((_, i) => i).filter((i) => i !== writer);
  const expectation: Expectation = { position, intendedUs, pendingDevices: new Set(others), lastSeenUs: 0 };
  for (const i of others) {
    const seen = updater.sightings[i].find((s) => s.atUs >= sentUs && s.position >= position);
    if (seen) credit(rt, expectation, i, seen.atUs, updater.devices[i].kind);
  }
  if (expectation.pendingDevices.size > 0) updater.expectations.push(expectation);
}

async function write(rt: ScenarioRuntime<ProgressSeed>, updater: Updater | undefined, intendedMs: number) {
  if (updater === undefined) return;
  const k = updater.writes++;
  const d = k % updater.devices.length;
  const late = rt.random("late", updater.index, k)() < rt.config.lateWriteShare && updater.newest !== null;
  // Fresh writes move forward with the intended time; a late write replays an
  // older position with an older device clock, as a phone coming back online would.
  const clientUpdatedAt = late ? Math.floor(intendedMs) - LATE_BY_MS : Math.floor(intendedMs);
  const position = late ? Math.max(0, positionAt(rt, intendedMs - LATE_BY_MS)) : positionAt(rt, intendedMs);
  const intendedUs = Math.round(intendedMs * 1000);
  rt.metrics.add("mutations_sent");
  if (updater.inFlight++ > 0) updater.overlapped = true;
  const overlappedBefore = updater.overlapped;
  const sentUs = rt.clock.epochMicros();
  try {
    const { value } = await updater.devices[d].mutation("watchProgress:updateProgress", {
      contentId: updater.contentId,
      positionSeconds: position,
      durationSeconds: CONTENT_SECONDS,
      deviceType: ["web", "ios", "tv", "android"][d % 4],
      clientUpdatedAt,
    });
    rt.metrics.record("progress_update_us", rt.clock.epochMicros() - intendedUs, updater.devices[d].kind);
    const applied = (value as { applied?: boolean } | null)?.applied === true;
    const newest = updater.newest;
    const shouldApply = newest === null || clientUpdatedAt >= newest.clientUpdatedAt;
    // A write the rules say must lose but won (or the reverse) is a convergence
    // failure — judged only when no other write of this user overlapped it.
    const judged = !overlappedBefore && updater.inFlight === 1;
    if (judged && applied !== shouldApply) rt.metrics.add("convergence_failures");
    // A stale write acknowledged but not applied: the refusal this scenario provokes on purpose.
    if (!applied) rt.metrics.add("mutations_refused");
    if (applied && shouldApply) {
      updater.newest = { clientUpdatedAt, position, intendedUs };
      expectOnOtherDevices(rt, updater, d, position, intendedUs, sentUs);
    }
  } catch {
    if (!rt.signal.aborted) rt.metrics.add("mutation_errors");
  } finally {
    if (--updater.inFlight === 0) updater.overlapped = false;
  }
}

/** Position in seconds for a write intended at `ms`: advances with time, stays below 90 %. */
function positionAt(rt: ScenarioRuntime<ProgressSeed>, ms: number): number {
  return Math.round(((ms - rt.startAtMs) / 1000) % POSITION_CEILING) + 1;
}

/** After the grace period every device must show the user's newest applied write. */
function checkConvergence(rt: ScenarioRuntime<ProgressSeed>, updaters: Updater[]) {
  for (const updater of updaters) {
    if (updater.newest === null) continue;
    for (const view of updater.views) {
      const item = view?.find((p) => p.contentId === updater.contentId);
      if (!item || item.positionSeconds !== updater.newest.position) rt.metrics.add("convergence_failures");
    }
  }
}
