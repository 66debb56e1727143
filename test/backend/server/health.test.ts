// GET /api/csn-rt/health: the backend's own per-second health, admin only.
import { afterEach, describe, expect, it } from "vitest";
import { HealthMonitor } from "../../../src/backend/server/healthMonitor.ts";
import { BackendHealthResponseSchema } from "../../../src/protocol/http/index.ts";
import { blockEventLoop } from "../../support/blockEventLoop.ts";
import { ADMIN_KEY } from "./fakeEngine.ts";
import { startBackend, type Backend } from "./harness.ts";

let backend: Backend | undefined;
let monitor: HealthMonitor | undefined;

afterEach(async () => {
  monitor?.stop();
  await backend?.close();
  backend = monitor = undefined;
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("the health monitor", () => {
  it("sees a stalled event loop and the CPU it burned, in the interval it happened", async () => {
    monitor = new HealthMonitor({ connections: () => 7, intervalMs: 300 });
    await sleep(350);
    const quietUntil = Date.now();
    blockEventLoop(150);
    await sleep(700);
    const after = monitor.since(quietUntil);
    expect(after.length).toBeGreaterThanOrEqual(1);
    const stalled = after.find((s) => s.eventLoopLagMs.max >= 100);
    expect(stalled, JSON.stringify(after)).toBeDefined();
    expect(stalled!.cpuPercent).toBeGreaterThan(20);
    expect(stalled!.connections).toBe(7);
    expect(stalled!.rssMb).toBeGreaterThan(0);
    // Every sample before the stall is older than it, so `since` separates them.
    expect(monitor.since(stalled!.at)).toEqual(after.filter((s) => s.at > stalled!.at));
  });

  it("keeps only the newest samples", async () => {
    monitor = new HealthMonitor({ connections: () => 0, intervalMs: 20, keep: 3 });
    await sleep(200);
    const kept = monitor.since(0);
    expect(kept).toHaveLength(3);
    expect(kept[0].at).toBeLessThanOrEqual(kept[2].at);
  });
});

describe("GET /api/csn-rt/health", () => {
  const get = (query = "", headers: Record<string, string> = {}) => fetch(`${backend!.server.url}/api/csn-rt/health${query}`, { headers });

  it("answers the admin key with samples in the documented form", async () => {
    backend = await startBackend({ tuning: { healthSampleIntervalMs: 50 } });
    await sleep(200);
    const response = await get("", { Authorization: `Convex ${ADMIN_KEY}` });
    expect(response.status).toBe(200);
    const body = BackendHealthResponseSchema.parse(await response.json());
    expect(body.samples.length).toBeGreaterThanOrEqual(2);
    expect(body.now).toBeGreaterThanOrEqual(body.samples.at(-1)!.at);
    const later = BackendHealthResponseSchema.parse(await (await get(`?since=${body.now}`, { Authorization: `Convex ${ADMIN_KEY}` })).json());
    for (const sample of later.samples) expect(sample.at).toBeGreaterThan(body.now);
  });

  it("refuses anyone without the admin key, and a `since` that is not a time", async () => {
    backend = await startBackend();
    expect((await get()).status).toBe(401);
    expect((await get("", { Authorization: "Convex not-the-key" })).status).toBe(401);
    const bad = await get("?since=yesterday", { Authorization: `Convex ${ADMIN_KEY}` });
    expect(bad.status).toBe(400);
    expect((await bad.json()).code).toBe("BadRequest");
  });
});
