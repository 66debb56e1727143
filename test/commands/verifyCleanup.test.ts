// `csn-rt verify-cleanup` as a user runs it: a passing run on the embedded
// backend's virtual clock, a broken cleanup caught (exit 99), and bad input
// refused in one line (exit 2). Each run must exit by itself.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseReport, type Report } from "../../src/metrics/report.ts";
import { generateSigningKey, saveSigningKey } from "../../src/load/tokens.ts";
import { startConformance, type Conformance } from "../backend/conformance/harness.ts";
import { runCli } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "csn-rt-verify-"));
const BROKEN_APP = fileURLToPath(new URL("../fixtures/broken-cleanup-app", import.meta.url));
// Small, and the shortest lifecycle that checks every fate.
const SMALL = ["--sessions", "40", "--games", "2", "--stale", "600", "--minutes", "8", "--no-tui"];

async function verify(name: string, extra: string[]): Promise<{ report: Report; code: number | null; stdout: string; stderr: string }> {
  const reportPath = join(dir, `${name}.json`);
  const run = await runCli(["verify-cleanup", ...SMALL, ...extra, "--report", reportPath], { timeoutMs: 90_000 });
  expect(run.timedOut, `verify-cleanup did not exit by itself:\n${run.stderr}`).toBe(false);
  const parsed = parseReport(JSON.parse(readFileSync(reportPath, "utf8")));
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return { report: parsed.report, code: run.code, stdout: run.stdout, stderr: run.stderr };
}

describe("verify-cleanup on the embedded backend's virtual clock", () => {
  test("plays every fate, checks every minute, retires the stale bulk in one chained cleanup, and passes", { timeout: 120_000 }, async () => {
    const { report, code, stdout, stderr } = await verify("pass", []);
    expect(code).toBe(0);
    expect(report.command).toBe("verify-cleanup");
    expect(report.verdict).toBe("pass");
    expect(report.counters.stale_sessions).toBe(600);
    // 600 stale + the crashed and long-dropped sessions (crash 8, dropLong 4 of 40).
    expect(report.counters.sessions_retired).toBe(612);
    expect(report.counters.count_checks).toBe(2 * 8);
    expect(report.counters.sessions_retired_early ?? 0).toBe(0);
    expect(report.timeline.intervalMs).toBe(60_000);
    expect(report.timeline.points.filter((p) => p.counters.session_checks)).toHaveLength(8);
    expect(report.notes.join("\n")).toMatch(/all 600 stale sessions were inactive at the minute-3 check/);
    expect(stderr).toMatch(/virtual clock: usually well under a minute/);
    expect(stderr).toMatch(/\[#{24}\] 08:00\/08:00 simulated/);
    expect(stdout).toContain("verdict: PASS");
  });

  test("fails (exit 99) a backend whose cleanup neither chains nor updates the counts", { timeout: 120_000 }, async () => {
    const { report, code } = await verify("broken", ["--functions", BROKEN_APP]);
    expect(code).toBe(99);
    expect(report.verdict).toBe("fail");
    expect(report.counters.sessions_retired_late).toBeGreaterThan(0);
    expect(report.counters.count_mismatches).toBeGreaterThan(0);
    expect(report.notes.join("\n")).toMatch(/NOT all 600 stale sessions were retired/);
  });
});

describe("verify-cleanup refuses bad input with one line and exit 2", () => {
  test.each([
    [["--sessions", "2"], /--sessions must be a whole number from 5/],
    [["--minutes", "3"], /--minutes must be a whole number from 8/],
    [["--games", "lots"], /--games must be a number, got "lots"/],
    [["--clock", "sundial"], /--clock.*sundial/],
    [["--url", "ftp://x", "--admin-key", "k"], /--url must be an http\(s\) URL/],
    [["--url", "http://127.0.0.1:9"], /--admin-key \(or CONVEX_ADMIN_KEY\) is needed with --url/],
  ])("%j", async (args, message) => {
    const run = await runCli(["verify-cleanup", ...args], { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  describe("against a deployment", () => {
    let backend: Conformance;
    let keyFile: string;
    beforeAll(async () => {
      backend = await startConformance({ app: "csn", clock: "real" });
      keyFile = join(dir, "key.json");
      await saveSigningKey(keyFile, await generateSigningKey());
    });
    afterAll(async () => backend?.close());

    test("--clock virtual needs a backend on the virtual clock", async () => {
      const run = await runCli(["verify-cleanup", "--url", backend.url, "--admin-key", backend.backend.adminKey, "--key-file", keyFile, "--clock", "virtual"], { timeoutMs: 30_000 });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--clock virtual needs a csn-rt backend started with --clock virtual; .* runs on the real clock/);
      expect(run.stderr).toMatch(/hint: use --clock real/);
    });

    test("an unreachable deployment is inconclusive (exit 3)", async () => {
      const run = await runCli(["verify-cleanup", "--url", "http://127.0.0.1:9", "--admin-key", "x|y", "--key-file", keyFile], { timeoutMs: 30_000 });
      expect(run.code).toBe(3);
      expect(run.stderr).toMatch(/REAL time: about 10 min/);
      expect(run.stderr).toMatch(/could not reach the backend/);
    });
  });
});
