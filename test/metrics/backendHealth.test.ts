// Boiling the backend's per-second samples down for the report, and when to call it busy.
import { describe, expect, it } from "vitest";
import { backendBusyNote, describeBackendHealth, mergeBackendSamples, summarizeBackendHealth } from "../../src/metrics/backendHealth.ts";
import { healthSecond } from "../support/healthSecond.ts";

const second = (at: number, cpuPercent: number, lag: { p99: number; max: number } = { p99: 2, max: 8 }, gcMs = 10) =>
  healthSecond({ at, cpuPercent, eventLoopLagMs: lag, gc: { pauses: 2, totalMs: gcMs, longestMs: gcMs / 2 }, rssMb: 100 + at / 1000, connections: 5 });

describe("summarizeBackendHealth", () => {
  it("summarizes CPU, lag, GC and memory over the run", () => {
    const h = summarizeBackendHealth([
      second(1000, 40),
      second(2000, 95, { p99: 30, max: 60 }, 80),
      second(3000, 60, { p99: 4, max: 12 }),
      second(4000, 40, { p99: 5, max: 9 }),
      second(5000, 40, { p99: 3, max: 7 }),
    ]);
    expect(h.cpuPercent).toEqual({ mean: 55, max: 95 });
    expect(h.saturatedSeconds).toBe(1);
    expect(h.eventLoopLagMs).toEqual({ p99Median: 4, max: 60 });
    expect(h.gc).toEqual({ msPerSecond: 24, longestPauseMs: 40, pauses: 10 });
    expect(h.rssMbMax).toBe(105);
    expect(h.samples).toHaveLength(5);
    // One saturated second in five, no stall of 100 ms: not busy.
    expect(h.busy).toBe(false);
    expect(backendBusyNote(h)).toBeNull();
    expect(describeBackendHealth(h)).toMatch(/cpu mean 55 % \(max 95 %, ≥90 % in 1 of 5 s\).*GC 24 ms\/s/);
  });

  it("calls the backend busy when a quarter of the run was saturated", () => {
    const h = summarizeBackendHealth([second(1000, 92), second(2000, 20), second(3000, 30), second(4000, 30)]);
    expect(h.busy).toBe(true);
    expect(backendBusyNote(h)).toMatch(/≥90 % of a core in 1 of 4 s/);
  });

  it("calls the backend busy after one stall of 100 ms, whatever its CPU", () => {
    expect(summarizeBackendHealth([second(1000, 10, { p99: 3, max: 99 })]).busy).toBe(false);
    expect(summarizeBackendHealth([second(1000, 10, { p99: 3, max: 100 })]).busy).toBe(true);
  });

  it("summarizes nothing as zeros, not NaN", () => {
    const h = summarizeBackendHealth([]);
    expect(h).toMatchObject({ cpuPercent: { mean: 0, max: 0 }, gc: { msPerSecond: 0 }, busy: false });
  });
});

describe("mergeBackendSamples", () => {
  it("keeps each second once and in order (shards of one run poll the same backend)", () => {
    const merged = mergeBackendSamples([
      [second(2000, 50), second(3000, 60)],
      [second(1000, 40), second(2000, 50)],
    ]);
    expect(merged.map((s) => s.at)).toEqual([1000, 2000, 3000]);
  });
});
