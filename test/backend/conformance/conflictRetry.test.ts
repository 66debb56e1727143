// Optimistic concurrency through the wire: 100 read-modify-write increments
// of one counter, sent at once from several WebSocket and HTTP clients, each
// commit exactly once — no lost update, no duplicate — including when they
// overlap in time, conflict inside the engine and must be retried.
import { anyApi, type FunctionReference } from "convex/server";
import type { Value } from "convex/values";
import { describe, expect, it } from "vitest";
import { eventually, useConformance } from "./harness.ts";

const api = anyApi;

const t = useConformance({ app: "fixture" });

const SOCKET_CLIENTS = 4;
const PER_SOCKET_CLIENT = 15;
const HTTP_CLIENTS = 4;
const PER_HTTP_CLIENT = 10;
const TOTAL = SOCKET_CLIENTS * PER_SOCKET_CLIENT + HTTP_CLIENTS * PER_HTTP_CLIENT;

/** Sends TOTAL calls of one mutation at once, interleaving WebSocket and HTTP senders. */
function sendFromEightClients(mutation: FunctionReference<"mutation">, args: Record<string, Value>): Promise<number[]> {
  const sockets = Array.from({ length: SOCKET_CLIENTS }, () => t.client());
  const https = Array.from({ length: HTTP_CLIENTS }, () => t.http());
  const calls: Promise<number>[] = [];
  for (let i = 0; i < Math.max(PER_SOCKET_CLIENT, PER_HTTP_CLIENT); i++) {
    if (i < PER_SOCKET_CLIENT) for (const client of sockets) calls.push(client.mutation(mutation, args));
    if (i < PER_HTTP_CLIENT) for (const client of https) calls.push(client.mutation(mutation, args));
  }
  return Promise.all(calls);
}

const oneToTotal = Array.from({ length: TOTAL }, (_, i) => i + 1);

describe("conflict retry", () => {
  it("100 concurrent increments from eight clients all land, each exactly once", async () => {
    await t.client().mutation(api.counters.create, { name: "contended" });
    let latest: number | null = null;
    t.client().onUpdate(api.counters.get, { name: "contended" }, (value: number | null) => (latest = value));

    const results = await sendFromEightClients(api.counters.increment, { name: "contended" });

    // Each increment saw a distinct predecessor: together they returned 1..100.
    expect([...results].sort((a, b) => a - b)).toEqual(oneToTotal);
    await eventually(() => latest === TOTAL, "the subscriber to see the final count");
    await expect(t.http().query(api.counters.get, { name: "contended" })).resolves.toBe(TOTAL);
  });

  it("increments that overlap in time conflict, are retried, and still land exactly once", async () => {
    await t.client().mutation(api.counters.create, { name: "overlapping" });
    const conflictsBefore = t.backend.engine.stats.conflicts;

    const results = await sendFromEightClients(api.counters.incrementSlowly, { name: "overlapping", pauseMs: 2 });

    expect([...results].sort((a, b) => a - b)).toEqual(oneToTotal);
    await expect(t.http().query(api.counters.get, { name: "overlapping" })).resolves.toBe(TOTAL);
    // The race was real: transactions conflicted and were run again.
    expect(t.backend.engine.stats.conflicts - conflictsBefore).toBeGreaterThan(0);
  });
});
