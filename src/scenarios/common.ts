// Pieces every scenario uses: seeding in batches, spreading a rate over
// load processes, and connecting viewers over the ramp.
import type { JSONValue } from "convex/values";
import { driveOpenModel, runClosedModel, type OpenModel } from "../load/arrivals.ts";
import type { VirtualClient } from "../load/virtualClient.ts";
import { inSlice, type AdminApi, type ScenarioRuntime, type Slice } from "./scenario.ts";

/** convex/seed.ts accepts this many rows per call. */
const SEED_BATCH = 500;

export async function seedGames(admin: AdminApi, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; done += 100) {
    ids.push(...(await admin.mutation<string[]>("seed:createGames", { count: Math.min(100, count - done) })));
  }
  return ids;
}

/** Creates users `${prefix}0..count-1` (idempotent), logging progress for large populations. */
export async function seedUsers(admin: AdminApi, prefix: string, count: number, log: (message: string) => void): Promise<string[]> {
  const ids: string[] = [];
  for (let offset = 0; offset < count; offset += SEED_BATCH) {
    const batch = Math.min(SEED_BATCH, count - offset);
    ids.push(...(await admin.mutation<string[]>("seed:createUsers", { count: batch, offset, subjectPrefix: prefix })));
    if (count > SEED_BATCH) log(`seeded ${Math.min(offset + batch, count)}/${count} ${prefix}* users`);
  }
  return ids;
}

export async function seedContent(admin: AdminApi, count: number, durationSeconds: number): Promise<string[]> {
  const ids: string[] = [];
  for (let done = 0; done < count; done += SEED_BATCH) {
    ids.push(...(await admin.mutation<string[]>("seed:createContent", { count: Math.min(SEED_BATCH, count - done), durationSeconds })));
  }
  return ids;
}

export async function seedInBatches<T extends JSONValue>(admin: AdminApi, udfPath: string, rows: T[], key: string): Promise<void> {
  for (let i = 0; i < rows.length; i += SEED_BATCH) {
    await admin.mutation(udfPath, { [key]: rows.slice(i, i + SEED_BATCH) });
  }
}

/** This process's share of a rate split evenly over the run's processes. */
export function sliceOfRate(total: number, slice: Slice): number {
  return total / slice.count;
}

/**
 * Connects this process's share of `config.viewers` evenly over the ramp
 * (viewer v at start + ramp·v/viewers), the first `officialClients` of them on
 * the official client. `setup` subscribes each one. Resolves once all are
 * connected (or the run was aborted); returns every client for closing.
 */
export async function connectViewersOverRamp<Seed>(
  rt: ScenarioRuntime<Seed>,
  setup: (viewerIndex: number) => (client: VirtualClient) => Promise<void>,
  subjectOf: (viewerIndex: number) => string | null = (i) => `sim-viewer-${i}`,
): Promise<VirtualClient[]> {
  const { viewers, rampMs, officialClients } = rt.config;
  const mine = Array.from({ length: viewers }, (_, v) => v).filter((v) => inSlice(v, rt.slice));
  rt.gauge({ targetViewers: mine.length });
  const clients: VirtualClient[] = [];
  let connected = 0;
  await Promise.all(
    mine.map(async (v) => {
      await rt.sleepUntil(rt.startAtMs + (rampMs * v) / Math.max(1, viewers));
      if (rt.signal.aborted) return;
      const client = await rt.connect(subjectOf(v), v < officialClients ? "official" : "lean");
      clients.push(client);
      // Subscribing on an open connection: the first result then times the query, not the handshake.
      await client.connected();
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
