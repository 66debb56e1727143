import { describe, expect, test } from "vitest";
import { arrivalOffsets, constantArrivalRate, driveOpenModel, rampingArrivalRate } from "../../src/load/arrivals.ts";
import { systemClock } from "../../src/load/clock.ts";
import { TimerQueue } from "../../src/load/timerQueue.ts";

describe("arrival schedules", () => {
  test("a constant rate spaces arrivals exactly from the start time", () => {
    const offsets = [...arrivalOffsets(constantArrivalRate(50, 1000))];
    expect(offsets).toHaveLength(50);
    expect(offsets[0]).toBe(0);
    expect(offsets[49]).toBeCloseTo(980, 9);
  });

  test("a ramp delivers the integral of its rate and speeds up as it goes", () => {
    const offsets = [...arrivalOffsets(rampingArrivalRate(0, [{ durationMs: 10_000, targetRatePerSecond: 100 }, { durationMs: 5000, targetRatePerSecond: 100 }]))];
    // 0→100/s over 10 s is 500 arrivals, then 100/s for 5 s is 500 more.
    expect(offsets).toHaveLength(1000);
    const firstHalfSecond = offsets.filter((t) => t < 5000).length;
    expect(firstHalfSecond).toBe(125); // 1/4 of the ramp's area lies in its first half
    for (let i = 1; i < offsets.length; i++) expect(offsets[i]).toBeGreaterThanOrEqual(offsets[i - 1]);
    expect(offsets.at(-1)!).toBeLessThan(15_000);
  });

  test("a zero rate produces nothing", () => {
    expect([...arrivalOffsets(constantArrivalRate(0, 1000))]).toEqual([]);
  });
});

describe("driving an open model", () => {
  test("the schedule keeps its rate while the backend stalls, and latency includes the stall", async () => {
    const queue = new TimerQueue(systemClock);
    const startMs = systemClock.nowMs() + 20;
    const stallUntil = startMs + 300;
    const latencies: { intended: number; latency: number }[] = [];
    const intended: number[] = [];
    // A "backend" that answers nothing until stallUntil, then answers at once.
    const backend = () =>
      new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, stallUntil - systemClock.nowMs())));
    const result = await driveOpenModel({
      model: constantArrivalRate(100, 600),
      startMs,
      queue,
      maxInFlight: 1000,
      signal: new AbortController().signal,
      onArrival: async (intendedMs) => {
        intended.push(intendedMs);
        await backend();
        latencies.push({ intended: intendedMs, latency: systemClock.nowMs() - intendedMs });
      },
      onDropped: () => {},
    });
    queue.close();
    expect(result).toEqual({ started: 60, dropped: 0 });
    // Arrivals were not held back by the stall: their intended times are the schedule's.
    intended.forEach((t, k) => expect(t).toBeCloseTo(startMs + k * 10, 6));
    // The first arrival waited out the whole stall, measured from its intended time.
    const first = latencies.find((l) => l.intended === startMs)!;
    expect(first.latency).toBeGreaterThanOrEqual(295);
  });

  test("arrivals beyond the in-flight limit are counted as dropped, not delayed", async () => {
    const queue = new TimerQueue(systemClock);
    const dropped: number[] = [];
    const result = await driveOpenModel({
      model: constantArrivalRate(200, 200),
      startMs: systemClock.nowMs(),
      queue,
      maxInFlight: 5,
      signal: new AbortController().signal,
      onArrival: () => new Promise((resolve) => setTimeout(resolve, 400)),
      onDropped: (t) => dropped.push(t),
    });
    queue.close();
    expect(result.started).toBe(5);
    expect(result.dropped).toBe(35);
    expect(dropped).toHaveLength(35);
  });

  test("aborting stops new arrivals and resolves once in-flight work settles", async () => {
    const queue = new TimerQueue(systemClock);
    const controller = new AbortController();
    setTimeout(() => {
      controller.abort();
      queue.fireAll();
    }, 100);
    const result = await driveOpenModel({
      model: constantArrivalRate(100, 60_000),
      startMs: systemClock.nowMs(),
      queue,
      maxInFlight: 100,
      signal: controller.signal,
      onArrival: () => new Promise((resolve) => setTimeout(resolve, 20)),
      onDropped: () => {},
    });
    queue.close();
    expect(result.started).toBeGreaterThan(3);
    expect(result.started).toBeLessThan(30);
  });
});

describe("timer queue", () => {
  test("runs entries in time order, including ones added for a time already past", async () => {
    const queue = new TimerQueue(systemClock);
    const order: string[] = [];
    const now = systemClock.nowMs();
    await new Promise<void>((resolve) => {
      queue.at(now + 30, () => {
        order.push("c");
        resolve();
      });
      queue.at(now + 10, () => {
        order.push("a");
        queue.at(now - 5, () => order.push("b"));
      });
    });
    queue.close();
    expect(order).toEqual(["a", "b", "c"]);
  });
});

describe("burst model", () => {
  test("bursts at the rate with silent pauses between them", async () => {
    const { burstModel } = await import("../../src/load/burstModel.ts");
    const offsets = [...arrivalOffsets(burstModel(50, 1000, 2000, 7000))];
    // Bursts at 0-1 s, 3-4 s, 6-7 s: 50 each.
    expect(offsets).toHaveLength(150);
    expect(offsets.filter((t) => t >= 1000 && t < 3000)).toHaveLength(0);
    expect(offsets.filter((t) => t >= 3000 && t < 4000)).toHaveLength(50);
  });

  test("a pause of zero is one continuous burst", async () => {
    const { burstModel } = await import("../../src/load/burstModel.ts");
    expect([...arrivalOffsets(burstModel(10, 1000, 0, 5000))]).toHaveLength(50);
  });
});
