// Pieces every scenario uses: seeding in batches (shared by the shards of a
// run), and connecting viewers over the ramp.
import type { JSONValue } from "convex/values";
import { driveOpenModel, runClosedModel, type OpenModel } from "../load/arrivals.ts";
import type { VirtualClient } from "../load/virtualClient.ts";
import { Partition } from "./partition.ts";
import { inSlice, type AdminApi, type ScenarioRuntime, type SeedScope } from "./scenario.ts";

/** convex/seed.ts accepts this many rows per call. */
const SEED_BATCH = 500;
/** convex/seed.ts creates at most this many games per call (each writes 17 documents). */
const GAME_BATCH = 100;

/** The run's games 0..count-1, created by whichever shard comes first and found by the others (keyed by the run). */
export async function seedGames(admin: AdminApi, count: number, scope: SeedScope): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += GAME_BATCH) {
    ids.push(...(await admin.mutation<string[]>("seed:createGames", { count: Math.min(GAME_BATCH, count - offset), offset, key: scope.key })));
  }
  return ids;
}

/** The run's titles 0..count-1, shared by its shards like its games. */
export async function seedContent(admin: AdminApi, count: number, durationSeconds: number, scope: SeedScope): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += SEED_BATCH) {
    ids.push(...(await admin.mutation<string[]>("seed:createContent", { count: Math.min(SEED_BATCH, count - offset), durationSeconds, offset, key: scope.key })));
  }
  return ids;
}

export type SeededUser = { index: number; id: string };

/**
 * Creates users `${prefix}0..count-1` (idempotent by subject). Batch b is
 * seeded by shard b mod N only, so N machines seed a population once between
 * them; a user some machine needs before its batch is seeded is created on
 * first use by the app itself. Returns the users this shard seeded.
 */
export async function seedUsers(admin: AdminApi, prefix: string, count: number, log: (message: string) => void, scope: SeedScope): Promise<SeededUser[]> {
  const users: SeededUser[] = [];
  for (let offset = 0, batch = 0; offset < count; offset += SEED_BATCH, batch++) {
    if (!inSlice(batch, scope.shard)) continue;
    const size = Math.min(SEED_BATCH, count - offset);
    const ids = await admin.mutation<string[]>("seed:createUsers", { count: size, offset, subjectPrefix: prefix });
    ids.forEach((id, i) => users.push({ index: offset + i, id }));
    if (count > SEED_BATCH) log(`seeded ${Math.min(offset + size, count)}/${count} ${prefix}* users`);
  }
  return users;
}

export async function seedInBatches<T extends JSONValue>(admin: AdminApi, udfPath: string, rows: T[], key: string, extra: Record<string, JSONValue> = {}): Promise<void> {
  for (let i = 0; i < rows.length; i += SEED_BATCH) {
    await admin.mutation(udfPath, { ...extra, [key]: rows.slice(i, i + SEED_BATCH) });
  }
}

/** Which viewers, writers and games are this process's (see partition.ts). */
export function partitionOf<Seed>(rt: ScenarioRuntime<Seed>): Partition {
  return new Partition(rt.config.games, rt.slice, rt.shard);
}

/**
 * Connects this process's viewers (see partition.ts) evenly over the ramp
 * (viewer v at start + ramp·v/viewers), the first `officialClients` of them on
 * the official client. `setup` subscribes each one. Resolves once all are
 * connected (or the run was aborted); returns every client for closing.
 */
export async function connectViewersOverRamp<Seed>(
  rt: ScenarioRuntime<Seed>,
  setup: (viewerIndex: number) => (client: VirtualClient) => Promise<void>,
  subjectOf: (viewerIndex: number) => string | null = (i) => `sim-viewer-${i}`,
): Promise<VirtualClient[]> {
  const { viewers, officialClients } = rt.config;
  const partition = partitionOf(rt);
  const mine = Array.from({ length: viewers }, (_, v) => v).filter((v) => partition.ownsViewer(v));
  rt.gauge({ targetViewers: mine.length });
  const clients: VirtualClient[] = [];
  let connected = 0;
  await Promise.all(
    mine.map(async (v) => {
      const arrivalAtMs = rampArrivalMs(rt, v, viewers);
      await rt.sleepUntil(arrivalAtMs);
      if (rt.signal.aborted) return;
      const client = await rt.connect(subjectOf(v), v < officialClients ? "official" : "lean");
      clients.push(client);
      // Subscribing on an open connection: the first result then times the query, not the handshake.
      await arrived(rt, client, arrivalAtMs);
      await setup(v)(client);
      rt.gauge({ connectedViewers: ++connected });
    }),
  );
  return clients;
}

/**
 * Drives operations with the run's model: the open model (intended times
 * from `open`, latency from the intended time) or the closed model (`units`
 * users each doing one operation after another with the think time between,
 * latency from the actual send — offered for comparison with other tools).
 */
export async function driveOperations<Seed>(
  rt: ScenarioRuntime<Seed>,
  options: { open: OpenModel; startMs: number; units: number; onOperation: (intendedMs: number, unit: number) => Promise<void> },
): Promise<void> {
  if (rt.config.model === "closed") {
    await rt.sleepUntil(options.startMs);
    await runClosedModel({
      users: options.units,
      thinkTimeMs: rt.config.thinkTimeMs,
      durationMs: rt.config.durationMs,
      signal: rt.signal,
      nowMs: rt.clock.nowMs,
      iteration: (unit) => options.onOperation(rt.clock.nowMs(), unit),
    });
    return;
  }
  let next = 0;
  await driveOpenModel({
    model: options.open,
    startMs: options.startMs,
    queue: rt.queue,
    maxInFlight: options.units,
    signal: rt.signal,
    onDropped: () => rt.metrics.add("dropped_arrivals"),
    onArrival: (intendedMs) => options.onOperation(intendedMs, next++ % options.units),
  });
}

/** When arrival `index` of `count` is planned: evenly spread over the ramp, the first at its start. */
export function rampArrivalMs<Seed>(rt: ScenarioRuntime<Seed>, index: number, count: number): number {
  return rt.startAtMs + (rt.config.rampMs * index) / Math.max(1, count);
}

/**
 * Resolves once `client`'s sync WebSocket is open and records how late that
 * is against the viewer's planned arrival (`connect_us`). Latencies measured
 * after it (join, first query result) start at the open socket, so a backend
 * slow to admit connections would otherwise show nowhere.
 */
export async function arrived<Seed>(rt: ScenarioRuntime<Seed>, client: VirtualClient, plannedAtMs: number): Promise<void> {
  await client.connected();
  rt.metrics.record("connect_us", rt.clock.epochMicros() - Math.round(plannedAtMs * 1000), client.kind);
}
