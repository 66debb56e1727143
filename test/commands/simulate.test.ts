// Short real runs of every scenario on the embedded backend, through the CLI
// as a user runs it, with assertions on the report it writes.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { parseReport, type Report } from "../../src/metrics/report.ts";
import { runCli, startCli } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "csn-rt-simulate-"));
const FAILING_CHAT_QUERY_APP = fileURLToPath(new URL("../fixtures/failing-chat-query-app", import.meta.url));
// Small and short, so each run takes seconds; the thresholds are the scenarios' own.
const TINY = ["--duration", "3s", "--ramp", "1s", "--grace", "1s", "--workers", "1", "--official-clients", "1", "--no-tui"];

async function simulate(scenario: string, extra: string[]): Promise<{ report: Report; code: number | null; stdout: string; stderr: string }> {
  const reportPath = join(dir, `${scenario}.json`);
  const run = await runCli(["simulate", scenario, ...TINY, ...extra, "--report", reportPath], { timeoutMs: 90_000 });
  expect(run.timedOut, `simulate ${scenario} did not exit by itself:\n${run.stderr}`).toBe(false);
  const parsed = parseReport(JSON.parse(readFileSync(reportPath, "utf8")));
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return { report: parsed.report, code: run.code, stdout: run.stdout, stderr: run.stderr };
}

describe("simulate on the embedded backend", () => {
  test("chat-burst over two load processes: every viewer is held to every message, and the run exits by itself with the verdict's code", async () => {
    const { report, code, stdout } = await simulate("chat-burst", ["--viewers", "30", "--writers", "6", "--chat-rate", "6", "--burst", "2s", "--burst-pause", "1s", "--workers", "2", "--duration", "5s"]);
    expect(report.status).toBe("complete");
    expect(report.generator.processes).toBe(2);
    // (That viewers are held to both processes' messages is proven in test/load/deliveries.test.ts.)
    expect(report.counters.deliveries_expected).toBeGreaterThan(100);
    expect(report.counters.deliveries_lost ?? 0).toBe(0);
    // Every expected delivery was timed (messages seen and then moderated away are timed too).
    expect(report.metrics.mutation_observed_us?.count).toBeGreaterThanOrEqual(report.counters.deliveries_received!);
    expect(report.metricsByClient.official?.mutation_observed_us?.count).toBeGreaterThan(0);
    expect(report.thresholds.map((t) => t.expression)).toContain("mutation_to_subscription p99<500ms");
    expect(code).toBe({ pass: 0, fail: 99, inconclusive: 3 }[report.verdict]);
    expect(stdout).toContain(`verdict: ${report.verdict.toUpperCase()}`);
  });

  test("runs from any directory, its relative report path taken from there", async () => {
    // The load processes once loaded tsx from the current directory and died at start anywhere but the repo.
    const elsewhere = mkdtempSync(join(tmpdir(), "csn-rt-elsewhere-"));
    const run = await runCli(["simulate", "viewers", ...TINY, "--viewers", "4", "--games", "1", "--report", "run.json"], { cwd: elsewhere, timeoutMs: 90_000 });
    expect(run.stderr).not.toContain("exited with code");
    const parsed = parseReport(JSON.parse(readFileSync(join(elsewhere, "run.json"), "utf8")));
    expect(parsed.ok && parsed.report.status).toBe("complete");
  });

  test("viewers: joins, heartbeats and viewer-count freshness are measured", async () => {
    const { report } = await simulate("viewers", ["--viewers", "40", "--games", "2", "--heartbeat-interval", "1s", "--heartbeat-jitter", "100ms", "--churn", "0.2", "--vanish", "0.1"]);
    expect(report.metrics.join_duration_us?.count).toBeGreaterThanOrEqual(40);
    // Each viewer arrives once; a rejoin after churn reuses its connection.
    expect(report.metrics.connect_us?.count).toBe(40);
    expect(report.metrics.heartbeat_duration_us?.count).toBeGreaterThan(40);
    // Every heartbeat was a timer wake-up in the generator, and how late each woke is reported beside it.
    expect(report.metrics.schedule_lateness_us?.count).toBeGreaterThanOrEqual(report.metrics.heartbeat_duration_us!.count);
    // Probes watch the published count, so these samples exist only if publications ran on the backend's scheduler.
    expect(report.metrics.viewer_count_freshness_us?.count).toBeGreaterThan(0);
    expect(report.thresholds.map((t) => t.expression)).toContain("viewer_count_freshness p99<1500ms");
    expect(report.counters.mutation_errors ?? 0).toBe(0);
    expect(report.counters.query_errors ?? 0).toBe(0);
    // The embedded backend reports on itself, second by second, while it served the run.
    expect(report.backendHealth?.samples.length).toBeGreaterThanOrEqual(3);
    expect(Math.max(...report.backendHealth!.samples.map((s) => s.connections))).toBeGreaterThanOrEqual(30);
    expect(report.backendHealth!.cpuPercent.mean).toBeGreaterThan(0);
  });

  test("a query the backend fails is counted as a query error and fails the run", async () => {
    const { report, code } = await simulate("chat-burst", ["--functions", FAILING_CHAT_QUERY_APP, "--viewers", "6", "--writers", "4", "--chat-rate", "4"]);
    expect(code).toBe(99);
    // Every viewer's subscription failed; the writes themselves went through.
    expect(report.counters.query_errors).toBeGreaterThanOrEqual(6);
    expect(report.counters.mutation_errors ?? 0).toBe(0);
    expect(report.thresholds.find((t) => t.expression === "query_errors == 0")).toMatchObject({ pass: false, actual: report.counters.query_errors });
  });

  test("progress-sync: late writes lose, and every device converges on the newest write", async () => {
    const { report } = await simulate("progress-sync", ["--users", "50", "--updaters", "5", "--update-rate", "4", "--late-writes", "0.3"]);
    expect(report.metrics.progress_update_us?.count).toBeGreaterThan(20);
    expect(report.counters.mutations_refused).toBeGreaterThan(0);
    expect(report.counters.convergence_failures ?? 0).toBe(0);
    expect(report.metrics.convergence_us?.count).toBeGreaterThan(0);
  });

  test("progress-sync: another device's sighting is timed when it arrives, not at the user's next write", async () => {
    // One write every 2 s per user: the other devices see it within milliseconds, so times near 2 s would mean the wait for the next write was measured.
    const { report } = await simulate("progress-sync", ["--users", "20", "--updaters", "4", "--update-rate", "0.5", "--late-writes", "0", "--duration", "5s"]);
    const observed = report.metrics.mutation_observed_us;
    expect(observed?.count).toBeGreaterThan(4);
    expect(observed!.p50).toBeLessThan(1_000_000);
  });

  test("game-night: all parts run at once and report together", async () => {
    const { report } = await simulate("game-night", ["--viewers", "30", "--games", "2", "--users", "40", "--updaters", "4", "--writers", "4", "--chat-rate", "4", "--heartbeat-interval", "1s", "--heartbeat-jitter", "100ms"]);
    for (const metric of ["mutation_observed_us", "heartbeat_duration_us", "progress_update_us", "chat_send_us"] as const) {
      expect(report.metrics[metric]?.count, metric).toBeGreaterThan(0);
    }
    expect(report.counters.deliveries_lost ?? 0).toBe(0);
  });
});

describe("stopping a run with Ctrl-C", () => {
  test("SIGINT mid-run: the run stops within seconds, the embedded backend is gone, and the partial report is written as inconclusive (exit 3)", { timeout: 90_000 }, async () => {
    const reportPath = join(dir, "interrupted.json");
    const cli = startCli(["simulate", "viewers", "--viewers", "20", "--games", "2", "--ramp", "1s", "--duration", "60s", "--workers", "1", "--no-tui", "--report", reportPath]);
    // Interrupt once the progress line shows every viewer connected, well before the run's 60 s are up.
    await cli.stderrMatches(/viewers 20\/20/);
    const interruptedAt = Date.now();
    cli.kill("SIGINT");
    const { code, stdout, stderr, timedOut } = await cli.done;
    expect(timedOut).toBe(false);
    expect(code).toBe(3);
    expect(Date.now() - interruptedAt).toBeLessThan(20_000);
    expect(stderr).toContain("stopping: closing connections and writing the partial report");
    expect(stdout).toContain("verdict: INCONCLUSIVE");
    const parsed = parseReport(JSON.parse(readFileSync(reportPath, "utf8")));
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    expect(parsed.report.status).toBe("partial");
    expect(parsed.report.verdict).toBe("inconclusive");
    // What was measured before the interrupt is kept.
    expect(parsed.report.metrics.join_duration_us?.count).toBeGreaterThanOrEqual(20);
    // The backend it started is stopped too: nothing listens on its port any more.
    const url = /embedded backend at (\S+)/.exec(stderr)?.[1];
    expect(url).toBeDefined();
    await expect(fetch(`${url}/version`)).rejects.toThrow();
  });
});

describe("simulate refuses bad input with one line and exit 2", () => {
  test.each([
    [["simulate", "no-such-scenario"], /unknown scenario "no-such-scenario"/],
    [["simulate", "chat-burst", "--threshold", "latency p99<1ms"], /unknown metric "latency"/],
    [["simulate", "chat-burst", "--viewers", "-3"], /--viewers must be a whole number/],
    [["simulate", "chat-burst", "--duration", "soon"], /--duration must be a duration/],
    [["simulate", "chat-burst", "--url", "ftp://x"], /--url must be an http\(s\) URL/],
    [["simulate", "chat-burst", "--url", "http://127.0.0.1:9"], /--admin-key \(or CONVEX_ADMIN_KEY\) is needed/],
    [["simulate", "chat-burst", "--config", "/nonexistent.json"], /cannot read the config file/],
  ])("%j", async (args, message) => {
    const run = await runCli(args, { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  test("--list-metrics names every metric a threshold can use, with its short names", async () => {
    const run = await runCli(["simulate", "--list-metrics"], { timeoutMs: 30_000 });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^heartbeat_duration_us +latency +also "heartbeat"$/m);
    expect(run.stdout).toMatch(/^schedule_lateness_us +latency/m);
    expect(run.stdout).toMatch(/^deliveries_lost +counter +also "lost"$/m);
  });

  test("a wrong admin key for a reachable backend is bad input (exit 2) with a hint", async () => {
    const { startBackend } = await import("../../src/backend/index.ts");
    const backend = await startBackend({ functionsDir: join(import.meta.dirname, "../../convex"), host: "127.0.0.1", port: 0, clock: "real" });
    try {
      const keyDir = mkdtempSync(join(tmpdir(), "csn-rt-key-"));
      const keyFile = join(keyDir, "key.json");
      const { generateSigningKey, saveSigningKey } = await import("../../src/load/tokens.ts");
      await saveSigningKey(keyFile, await generateSigningKey());
      const run = await runCli(["simulate", "chat-burst", "--url", backend.url, "--admin-key", "csn-rt-local|wrong", "--key-file", keyFile], { timeoutMs: 30_000 });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/refused the admin key/);
      expect(run.stderr).toMatch(/hint: pass the deployment's admin key/);
    } finally {
      await backend.close();
    }
  });

  test("an unreachable backend is inconclusive (exit 3), not a crash", async () => {
    const keyDir = mkdtempSync(join(tmpdir(), "csn-rt-key-"));
    const keyFile = join(keyDir, "key.json");
    const { generateSigningKey, saveSigningKey } = await import("../../src/load/tokens.ts");
    await saveSigningKey(keyFile, await generateSigningKey());
    const run = await runCli(["simulate", "chat-burst", "--url", "http://127.0.0.1:9", "--admin-key", "x|y", "--key-file", keyFile], { timeoutMs: 30_000 });
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/could not reach the backend/);
  });
});
