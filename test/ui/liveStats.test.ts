import { describe, expect, test } from "vitest";
import { MAX_HEALTHY_CPU_PERCENT, MAX_HEALTHY_LAG_P99_MS } from "../../src/load/generatorHealth.ts";
import { parseThresholds } from "../../src/metrics/thresholds.ts";
import { generatorStatus } from "../../src/ui/dashboard/generatorStatus.ts";
import { liveStats } from "../../src/ui/dashboard/liveStats.ts";
import { progressLine } from "../../src/ui/plainProgress.ts";
import { healthSecond } from "../support/healthSecond.ts";
import { healthy, spreadMs, SyntheticRun } from "./support/syntheticRun.ts";

/** HDR keeps 3 significant digits: a percentile is its bucket's upper edge, within 0.1 %. */
function near(actual: number, expected: number) {
  expect(Math.abs(actual - expected) / expected).toBeLessThan(0.001);
}

function thresholds(...expressions: string[]) {
  const parsed = parseThresholds(expressions);
  expect(parsed.errors).toEqual([]);
  return parsed.thresholds;
}

describe("the dashboard's numbers, computed once per snapshot", () => {
  test("latencies cover the last 10 s and the whole run separately", () => {
    const run = new SyntheticRun();
    for (let s = 0; s < 5; s++) run.second({ observedUs: [400_000] });
    for (let s = 0; s < 10; s++) run.second({ observedUs: spreadMs(100) });
    const [row] = liveStats(run.snapshot(), []).latencies;
    expect(row.label).toBe("mutation → subscription");
    expect(row.recent.count).toBe(1000);
    near(row.recent.p50, 50_000);
    near(row.recent.p99, 99_000);
    near(row.recent.max, 100_000);
    expect(row.total.count).toBe(1005);
    near(row.total.max, 400_000);
  });

  test("mutation → subscription is always listed; other latencies only once measured", () => {
    const run = new SyntheticRun().second({ chatSendUs: [5_000] });
    expect(liveStats(run.snapshot(), []).latencies.map((r) => r.metric)).toEqual(["mutation_observed_us", "chat_send_us"]);
  });

  test("the send rate is compared with what the schedule asked for: sent plus dropped arrivals", () => {
    const run = new SyntheticRun();
    for (let s = 0; s < 12; s++) run.second({ sent: 45, dropped: 5 });
    expect(liveStats(run.snapshot(), []).rates).toEqual({ windowSeconds: 10, sentPerSecond: 45, scheduledPerSecond: 50 });
  });

  test("early in the run the rate is averaged over the seconds there are, not over 10", () => {
    const run = new SyntheticRun();
    for (let s = 0; s < 3; s++) run.second({ sent: 6 });
    expect(liveStats(run.snapshot(), []).rates).toEqual({ windowSeconds: 3, sentPerSecond: 6, scheduledPerSecond: 6 });
  });

  test("a latency threshold with no samples yet is waiting, not failed; the rest pass or fail as they stand", () => {
    const run = new SyntheticRun().second({ observedUs: spreadMs(100), chatSendUs: [20_000], lost: 2 });
    const rows = liveStats(
      run.snapshot({ reconnects: 3 }),
      thresholds("mutation_to_subscription p99<500ms", "chat_send p99<10ms", "heartbeat p99<50ms", "deliveries_lost == 0", "reconnects == 0"),
    ).thresholds;
    expect(rows.map((r) => r.status)).toEqual(["pass", "fail", "waiting", "fail", "fail"]);
    expect(rows[0].actual).toBe("99.0 ms");
    expect(rows[2].actual).toBe("no samples yet");
    expect(rows[3].actual).toBe("2");
    // Reconnects reach RunMetrics only when the run ends; live, they come from the snapshot.
    expect(rows[4].actual).toBe("3");
  });

  test("the sparkline series is the last 60 seconds' p99, with a gap where nothing was measured", () => {
    const run = new SyntheticRun();
    for (let s = 0; s < 70; s++) run.second({ observedUs: s === 65 ? [] : [(s + 1) * 1000] });
    const stats = liveStats(run.snapshot(), thresholds("mutation_to_subscription p99<500ms"));
    expect(stats.p99PerSecond).toHaveLength(60);
    near(stats.p99PerSecond[0]!, 11_000); // second 10 is the oldest shown
    expect(stats.p99PerSecond[55]).toBeNull(); // second 65
    near(stats.p99PerSecond[59]!, 70_000);
    expect(stats.p99Limit).toBe(500_000);
  });

  test("a snapshot published before every process has reported has no recent window yet", () => {
    const run = new SyntheticRun().second({ observedUs: [1_000], sent: 1 });
    const early = run.snapshot({ intervalIndex: -Infinity });
    const stats = liveStats(early, []);
    expect(stats.rates.windowSeconds).toBe(0);
    expect(stats.latencies[0].recent.count).toBe(0);
    expect(stats.latencies[0].total.count).toBe(1);
    expect(progressLine(early)).toContain("viewers 20/20");
    expect(progressLine(early)).not.toContain("backend");
  });

  test("errors on the dashboard and the progress line are mutation and query errors together", () => {
    const run = new SyntheticRun().second({ sent: 10, errors: 2 }).second({ queryErrors: 3 });
    expect(liveStats(run.snapshot(), []).deliveries.errors).toBe(5);
    expect(progressLine(run.snapshot())).toContain("errors 5");
  });

  test("the plain progress line carries the backend's newest second when it reports one", () => {
    const run = new SyntheticRun().second({ observedUs: [1_000], sent: 1 });
    const backendHealth = healthSecond({ cpuPercent: 96, eventLoopLagMs: { p99: 20, max: 130 }, gc: { pauses: 7, totalMs: 90, longestMs: 22 } });
    expect(progressLine(run.snapshot({ backendHealth }))).toContain("| backend cpu 96 % lag max 130 ms gc 90 ms BUSY");
  });
});

describe("generator health as it stands", () => {
  test("a generator within every limit has no warning", () => {
    expect(generatorStatus([healthy(), healthy()], 0)).toEqual({ processes: 2, lagP99Ms: 4, cpuPercent: 35, droppedArrivals: 0, warnings: [] });
  });

  test("lag, CPU or a dropped arrival beyond the healthy limits each make a warning", () => {
    const lagging = generatorStatus([healthy(), healthy({ lagP99Ms: MAX_HEALTHY_LAG_P99_MS + 30 })], 0);
    expect(lagging.lagP99Ms).toBe(MAX_HEALTHY_LAG_P99_MS + 30);
    expect(lagging.warnings).toEqual([`event-loop lag p99 ${MAX_HEALTHY_LAG_P99_MS + 30} ms is over ${MAX_HEALTHY_LAG_P99_MS} ms`]);
    expect(generatorStatus([healthy({ cpuPercent: MAX_HEALTHY_CPU_PERCENT + 5 })], 0).warnings[0]).toContain(`limit ${MAX_HEALTHY_CPU_PERCENT} %`);
    expect(generatorStatus([healthy()], 1).warnings).toEqual(["1 arrival dropped (too many operations in flight)"]);
  });

  test("processes that have not reported yet are left out", () => {
    expect(generatorStatus([undefined, healthy()], 0).processes).toBe(1);
  });
});
