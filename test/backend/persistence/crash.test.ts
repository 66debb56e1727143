// `csn-rt serve --data FILE` killed with SIGKILL in the middle of a stream
// of mutations from the official clients (HTTP and WebSocket), then started
// again on the same file: every mutation a client saw acknowledged is there,
// and every mutation is there whole or not at all.
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import { startServe, type ServedBackend } from "../../support/cli.ts";
import { APP, tempDir } from "./harness.ts";

const api = anyApi;
/** Documents per mutation: a batch present with fewer was half-written. */
const PARTS = 3;
/** Mutations in flight at once, half over HTTP, half over the sync WebSocket. */
const WRITERS = 8;
/** Acknowledged mutations to wait for before the kill (the kill lands mid-stream). */
const ACKS_BEFORE_KILL = 120;

let tmp: ReturnType<typeof tempDir>;
const running: ServedBackend[] = [];
const clients: ConvexClient[] = [];

beforeEach(() => {
  tmp = tempDir();
});

afterEach(async () => {
  for (const client of clients.splice(0)) await client.close();
  for (const server of running.splice(0)) await server.kill9();
  tmp.cleanup();
});

async function serve(): Promise<ServedBackend> {
  const server = await startServe(["--data", tmp.file(), "--functions", APP]);
  running.push(server);
  return server;
}

type Stream = { acked: Set<string>; sent: Set<string>; stop: () => void };

/** Writers that send `batches:write` back to back until stopped, recording what was acknowledged. */
function writeContinuously(url: string, round: string): Stream {
  const stream: Stream = { acked: new Set(), sent: new Set(), stop: () => (stopped = true) };
  let stopped = false;
  const http = new ConvexHttpClient(url, { logger: false });
  const ws = new ConvexClient(url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false });
  clients.push(ws);
  for (let w = 0; w < WRITERS; w++) {
    const send = (args: { batch: string; parts: number }) =>
      w % 2 === 0 ? http.mutation(api.batches.write, args) : ws.mutation(api.batches.write, args);
    void (async () => {
      for (let i = 0; !stopped; i++) {
        const batch = `${round}-w${w}-${i}`;
        stream.sent.add(batch);
        try {
          await send({ batch, parts: PARTS });
          stream.acked.add(batch);
        } catch {
          return; // the server is gone
        }
      }
    })();
  }
  return stream;
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

async function batchSizes(url: string): Promise<Record<string, number>> {
  return (await new ConvexHttpClient(url, { logger: false }).query(api.batches.sizes, {})) as Record<string, number>;
}

function checkNothingLost(stream: Stream, sizes: Record<string, number>): void {
  const missing = [...stream.acked].filter((batch) => sizes[batch] !== PARTS);
  expect(missing, "acknowledged, then lost").toEqual([]);
}

function checkNothingHalfWritten(sizes: Record<string, number>, sent: Set<string>): void {
  expect(Object.entries(sizes).filter(([, n]) => n !== PARTS), "half-written").toEqual([]);
  expect(Object.keys(sizes).filter((batch) => !sent.has(batch)), "never sent").toEqual([]);
}

describe("csn-rt serve --data after kill -9", () => {
  it("keeps every acknowledged mutation, whole, across two crashes", { timeout: 120_000 }, async () => {
    const first = await serve();
    await first.cli.stderrMatches(/data created/);
    const one = writeContinuously(first.url, "one");
    await until(() => one.acked.size >= ACKS_BEFORE_KILL, 60_000, `${ACKS_BEFORE_KILL} acknowledgements`);
    await first.kill9();
    one.stop();
    const ackedAtKill = one.acked.size;

    const second = await serve();
    await second.cli.stderrMatches(/data restored \d+ documents/);
    let sizes = await batchSizes(second.url);
    checkNothingLost(one, sizes);
    checkNothingHalfWritten(sizes, one.sent);
    // Some mutations in flight at the kill may have committed without their answer arriving.
    expect(Object.keys(sizes).length).toBeGreaterThanOrEqual(ackedAtKill);
    expect(one.acked.size).toBe(ackedAtKill);

    // A second crash, on a file that has already been recovered once.
    const two = writeContinuously(second.url, "two");
    await until(() => two.acked.size >= ACKS_BEFORE_KILL / 2, 60_000, "acknowledgements after the restart");
    await second.kill9();
    two.stop();

    const third = await serve();
    sizes = await batchSizes(third.url);
    checkNothingLost(one, sizes);
    checkNothingLost(two, sizes);
    checkNothingHalfWritten(sizes, new Set([...one.sent, ...two.sent]));
    expect(await third.stop()).toBe(0);
  });

  it("runs a job scheduled before the crash once it restarts", { timeout: 60_000 }, async () => {
    const first = await serve();
    const http = new ConvexHttpClient(first.url, { logger: false });
    await http.mutation(api.jobs.later, { delayMs: 500, kind: "scheduled before the crash" });
    await first.kill9();

    const second = await serve();
    const again = new ConvexHttpClient(second.url, { logger: false });
    const deadline = Date.now() + 10_000;
    let events: { kind: string }[] = [];
    while (events.length === 0 && Date.now() < deadline) {
      events = (await again.query(api.jobs.events, {})) as { kind: string }[];
      if (events.length === 0) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(events.map((e) => e.kind)).toEqual(["scheduled before the crash"]);
    const jobs = (await again.query(api.jobs.list, {})) as { state: string }[];
    expect(jobs.map((j) => j.state)).toEqual(["success"]);
  });
});
