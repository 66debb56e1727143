import { describe, expect, test } from "vitest";
import { MetricsRecorder } from "../../src/metrics/recorder.ts";
import { RunMetrics } from "../../src/metrics/runMetrics.ts";

describe("run metrics from interval samples", () => {
  test("samples from several processes add up in totals, timeline and recent window", () => {
    const run = new RunMetrics(1000);
    const workers = [new MetricsRecorder(), new MetricsRecorder()];
    for (let second = 0; second < 5; second++) {
      for (const [w, recorder] of workers.entries()) {
        for (let i = 0; i < 10; i++) recorder.record("heartbeat_duration_us", 1000 * (second + 1) + w, "lean");
        recorder.add("mutations_sent", 10);
        run.absorb(recorder.flush(second));
      }
    }
    expect(run.summary("heartbeat_duration_us").count).toBe(100);
    expect(run.counter("mutations_sent")).toBe(100);
    const timeline = run.timeline();
    expect(timeline.map((p) => p.t)).toEqual([1, 2, 3, 4, 5]);
    expect(timeline[2].latencies.heartbeat_duration_us?.count).toBe(20);
    expect(run.recentSummary("heartbeat_duration_us", 4, 2000).count).toBe(40);
    expect(run.recentSummary("heartbeat_duration_us", 4, 2000).min).toBeGreaterThanOrEqual(4000);
    expect(run.histogramByClient("lean", "heartbeat_duration_us")?.totalCount).toBe(100);
  });

  test("old intervals shrink to timeline points but stay in the totals", () => {
    const run = new RunMetrics(1000);
    const recorder = new MetricsRecorder();
    for (let second = 0; second < 100; second++) {
      recorder.record("chat_send_us", 5000);
      run.absorb(recorder.flush(second));
    }
    // A very late sample for a retired interval still counts in the totals.
    recorder.record("chat_send_us", 5000);
    run.absorb(recorder.flush(3));
    expect(run.summary("chat_send_us").count).toBe(101);
    const timeline = run.timeline();
    expect(timeline).toHaveLength(100);
    expect(timeline.every((p) => p.latencies.chat_send_us?.count === 1)).toBe(true);
  });
});

describe("before every process has reported", () => {
  test("a recent window ending at no interval is empty, not an endless loop", () => {
    const run = new RunMetrics(1000);
    expect(run.recentSummary("chat_send_us", -Infinity, 10_000).count).toBe(0);
    expect(run.recentCount("mutations_sent", Number.NaN, 10_000)).toBe(0);
  });
});
