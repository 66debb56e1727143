import { describe, expect, test } from "vitest";
import { HealthSampler, judgeHealth, MAX_HEALTHY_LAG_P99_MS, type HealthSample } from "../../src/load/generatorHealth.ts";
import { blockEventLoop } from "../support/blockEventLoop.ts";

const sample = (overrides: Partial<HealthSample> = {}): HealthSample => ({ lagP50Ms: 1, lagP99Ms: 2, lagMaxMs: 3, cpuPercent: 20, runLagP99Ms: 2, ...overrides });

describe("generator health", () => {
  test("a blocked event loop shows up as lag in the interval and in the run", async () => {
    const sampler = new HealthSampler();
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Busy: the loop cannot run the probe for 120 ms.
    blockEventLoop(120);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const health = sampler.sample();
    sampler.stop();
    expect(health.lagMaxMs).toBeGreaterThan(80);
    expect(health.cpuPercent).toBeGreaterThan(30);
  });

  test("the worst process's whole-run lag decides, not one slow interval", () => {
    const intervals = [sample(), sample({ lagP99Ms: 400 }), sample()];
    expect(judgeHealth(intervals, [10, 20], 0).healthy).toBe(true);
    const slow = judgeHealth(intervals, [10, MAX_HEALTHY_LAG_P99_MS + 1], 0);
    expect(slow.healthy).toBe(false);
    expect(slow.reasons[0]).toMatch(/event-loop lag p99 over the run/);
  });

  test("dropped arrivals and a saturated CPU each make the generator unhealthy", () => {
    expect(judgeHealth([sample()], [1], 3).reasons[0]).toMatch(/3 arrivals were dropped/);
    expect(judgeHealth([sample({ cpuPercent: 99 })], [1], 0).reasons[0]).toMatch(/averaged 99 %/);
  });
});
