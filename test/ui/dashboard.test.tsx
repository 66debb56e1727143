// The dashboard tree rendered to text (renderToString), as CI output and
// snapshot tests see it: what a person reads, and the colours that carry
// pass / fail / waiting.
import chalk from "chalk";
import { renderToString } from "ink";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseThresholds } from "../../src/metrics/thresholds.ts";
import { liveStats } from "../../src/ui/dashboard/liveStats.ts";
import { renderDashboardText } from "../../src/ui/dashboard/renderDashboardText.tsx";
import { Sparkline } from "../../src/ui/dashboard/Sparkline.tsx";
import { healthSecond } from "../support/healthSecond.ts";
import { healthy, spreadMs, SyntheticRun } from "./support/syntheticRun.ts";

const { thresholds } = parseThresholds(["mutation_to_subscription p99<500ms", "chat_send p99<10ms", "heartbeat p99<50ms", "deliveries_lost == 0"]);

function fifteenSeconds(): SyntheticRun {
  const run = new SyntheticRun();
  for (let s = 0; s < 15; s++) run.second({ observedUs: spreadMs(100), chatSendUs: [20_000], sent: 5, lost: s === 3 ? 2 : 0 });
  return run;
}

const lineWith = (frame: string, text: string) => frame.split("\n").find((line) => line.includes(text)) ?? "";

describe("the dashboard as text", () => {
  const colourLevel = chalk.level;
  beforeAll(() => void (chalk.level = 0));
  afterAll(() => void (chalk.level = colourLevel));

  test("a frame shows the run's progress, load, latencies and delivery problems", () => {
    const frame = renderDashboardText({ scenario: "chat-burst", phases: ["seeding chat-burst…"], stats: liveStats(fifteenSeconds().snapshot(), thresholds) });
    expect(frame).toContain("› seeding chat-burst…");
    expect(frame).toContain("csn-rt simulate · chat-burst");
    expect(frame).toContain("00:15 / 01:00");
    expect(frame).toContain("00:45 left");
    expect(lineWith(frame, "viewers")).toContain("viewers 20 / 20 connected");
    expect(lineWith(frame, "send rate")).toContain("send rate 5.0/s of 5.0/s scheduled (last 10 s)");
    expect(lineWith(frame, "mutation → subscription last 10 s")).toMatch(/50\.0 ms\s+95\.0 ms\s+99\.0 ms\s+100 ms\s+1,000$/);
    expect(lineWith(frame, "whole run")).toMatch(/50\.0 ms\s+95\.0 ms\s+99\.0 ms\s+100 ms\s+1,500$/);
    expect(lineWith(frame, "chat send")).toMatch(/20\.0 ms\s+10$/);
    expect(frame).toContain("p99 per second · last 15 s · peak 99.0 ms · limit 500 ms");
    expect(frame).toContain("█".repeat(15));
    expect(lineWith(frame, "deliveries")).toBe("deliveries lost 2 · duplicated 0 · out of order 0   errors 0 · reconnects 0");
  });

  test("thresholds read pass, FAIL or waiting with the value each is judged on", () => {
    const frame = renderDashboardText({ scenario: "chat-burst", phases: [], stats: liveStats(fifteenSeconds().snapshot(), thresholds) });
    expect(lineWith(frame, "mutation_to_subscription")).toMatch(/^✔ pass\s+mutation_to_subscription p99<500ms\s+99\.0 ms$/);
    expect(lineWith(frame, "chat_send")).toMatch(/^✘ FAIL\s+chat_send p99<10ms\s+20\.0 ms$/);
    expect(lineWith(frame, "heartbeat")).toMatch(/^… waiting\s+heartbeat p99<50ms\s+no samples yet$/);
    expect(lineWith(frame, "deliveries_lost")).toMatch(/^✘ FAIL\s+deliveries_lost == 0\s+2$/);
  });

  test("a generator within its limits is healthy and shows no warning", () => {
    const frame = renderDashboardText({ scenario: "chat-burst", phases: [], stats: liveStats(fifteenSeconds().snapshot(), thresholds) });
    expect(lineWith(frame, "generator")).toMatch(/1 process · event-loop lag p99 4 ms · cpu 35 % · dropped 0\s+healthy$/);
    expect(frame).not.toContain("bottleneck");
  });

  test("when the generator is the bottleneck the frame says so, why, and what to do", () => {
    const run = fifteenSeconds().second({ sent: 5, dropped: 3 });
    const frame = renderDashboardText({ scenario: "chat-burst", phases: [], stats: liveStats(run.snapshot({ latestHealth: [healthy({ lagP99Ms: 180 })] }), thresholds) });
    expect(lineWith(frame, "generator")).toContain("SATURATED");
    expect(frame).toContain("⚠ the load generator is the bottleneck: event-loop lag p99 180 ms is over 50 ms; 3 arrivals dropped");
    expect(frame).toContain("add --workers or lower the load");
  });

  test("the backend's newest second shows under the generator, BUSY when saturated, and not at all when the backend reports none", () => {
    const second = (cpuPercent: number) =>
      healthSecond({ cpuPercent, eventLoopLagMs: { p99: 12, max: 40 }, gc: { pauses: 6, totalMs: 80, longestMs: 15 }, rssMb: 420, connections: 10_000 });

    const frame = (backendHealth: ReturnType<typeof second> | null) =>
      renderDashboardText({ scenario: "viewers", phases: [], stats: liveStats(fifteenSeconds().snapshot({ backendHealth }), thresholds) });
    expect(lineWith(frame(second(55)), "backend")).toMatch(/backend cpu 55 % · lag p99 12 ms, max 40 · GC 80 ms\/s, longest 15 · 420 MiB\s+ok$/);
    expect(lineWith(frame(second(97)), "backend")).toMatch(/BUSY$/);
    expect(frame(null)).not.toContain("backend cpu");
  });

  test("before the first snapshot only the finished phases and the header show", () => {
    const frame = renderDashboardText({ scenario: "chat-burst", phases: ["starting the embedded backend…", "seeding chat-burst…"], stats: null });
    expect(frame.split("\n").slice(0, 2)).toEqual(["› starting the embedded backend…", "› seeding chat-burst…"]);
    expect(frame).toContain("00:00 / --:--");
    expect(frame).toContain("preparing the run…");
    expect(frame).not.toContain("latency");
  });

  test("the sparkline scales each second's p99 to the window's peak and leaves silent seconds blank", () => {
    const text = renderToString(<Sparkline label="p99" values={[10_000, 20_000, null, 80_000]} />);
    expect(text.split("\n")).toEqual(["p99 · last 4 s · peak 80.0 ms", "▂▃ █"]);
  });

  test("a status such as stopping replaces the time left", () => {
    const frame = renderDashboardText({ scenario: "chat-burst", phases: [], stats: liveStats(fifteenSeconds().snapshot(), thresholds), status: "stopping…" });
    expect(frame).toContain("stopping…");
    expect(frame).not.toContain("left");
  });

  test("the whole frame, for review", () => {
    const frame = renderDashboardText({ scenario: "chat-burst", phases: ["seeding chat-burst…"], stats: liveStats(fifteenSeconds().snapshot(), thresholds) }, 90);
    expect(frame).toMatchInlineSnapshot(`
      "› seeding chat-burst…

      csn-rt simulate · chat-burst                                                        q stop
      00:15 / 01:00 ████████░░░░░░░░░░░░░░░░░░░░░░ 00:45 left

      viewers 20 / 20 connected   send rate 5.0/s of 5.0/s scheduled (last 10 s)

      latency                                  p50      p95      p99      max    samples
      mutation → subscription last 10 s    50.0 ms  95.0 ms  99.0 ms   100 ms      1,000
                              whole run    50.0 ms  95.0 ms  99.0 ms   100 ms      1,500
      chat send               last 10 s    20.0 ms  20.0 ms  20.0 ms  20.0 ms         10
                              whole run    20.0 ms  20.0 ms  20.0 ms  20.0 ms         15

      mutation → subscription p99 per second · last 15 s · peak 99.0 ms · limit 500 ms
      ███████████████

      deliveries lost 2 · duplicated 0 · out of order 0   errors 0 · reconnects 0

      thresholds (as they stand now)
      ✔ pass    mutation_to_subscription p99<500ms  99.0 ms
      ✘ FAIL    chat_send p99<10ms                  20.0 ms
      … waiting heartbeat p99<50ms                  no samples yet
      ✘ FAIL    deliveries_lost == 0                2

      generator 1 process · event-loop lag p99 4 ms · cpu 35 % · dropped 0  healthy"
    `);
  });
});

describe("the dashboard's colours", () => {
  const colourLevel = chalk.level;
  // Ink colours through chalk, which is off when stdout is not a terminal (as under vitest).
  beforeAll(() => void (chalk.level = 1));
  afterAll(() => void (chalk.level = colourLevel));
  const GREEN = "\u001b[32m";
  const RED = "\u001b[31m";
  const YELLOW = "\u001b[33m";

  test("passing thresholds are green, failing ones red, waiting ones yellow", () => {
    const frame = renderDashboardText({ scenario: "chat-burst", phases: [], stats: liveStats(fifteenSeconds().snapshot(), thresholds) });
    expect(lineWith(frame, "mutation_to_subscription")).toContain(`${GREEN}✔ pass`);
    expect(lineWith(frame, "chat_send")).toContain(`${RED}✘ FAIL`);
    expect(lineWith(frame, "heartbeat p99")).toContain(`${YELLOW}… waiting`);
  });

  test("seconds whose p99 is over the threshold's limit are red in the sparkline", () => {
    const text = renderToString(<Sparkline label="p99" values={[100_000, 600_000]} limit={500_000} />);
    expect(text).toContain(`${GREEN}▂`);
    expect(text).toContain(`${RED}█`);
  });

  test("the generator warning is red", () => {
    const stats = liveStats(fifteenSeconds().snapshot({ latestHealth: [healthy({ cpuPercent: 99 })] }), thresholds);
    const frame = renderDashboardText({ scenario: "chat-burst", phases: [], stats });
    expect(lineWith(frame, "bottleneck")).toContain(RED);
  });
});
