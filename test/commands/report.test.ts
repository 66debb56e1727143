import { execFile } from "node:child_process";
import { mkdtemp, readFile, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { reportCompare, reportHtml, reportMerge } from "../../src/commands/report.ts";
import { parseReport, type Report } from "../../src/metrics/report.ts";
import { makeReport } from "../support/makeReport.ts";
import { memoryContext, type MemoryContext } from "../support/memoryContext.ts";
import { runCommand } from "../support/runCommand.ts";

let dir: string;
const fast = makeReport({ intervals: [{ latencies: { chat_send_us: Array(100).fill(100_000) } }], thresholds: ["chat_send p99<500ms"] });
const slow = makeReport({ intervals: [{ latencies: { chat_send_us: Array(100).fill(150_000) } }], thresholds: ["chat_send p99<500ms"] });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "csn-rt-report-"));
  await save("fast.json", fast);
  await save("slow.json", slow);
  await save("other.json", makeReport({ scenario: "heartbeat-storm" }));
  await save("v2.json", { ...fast, version: 2 });
  await save("not-report.json", { hello: "world" });
  await writeFile(join(dir, "not-json.json"), "{ this is not json");
});

async function save(name: string, value: unknown) {
  await writeFile(join(dir, name), JSON.stringify(value));
}

function ctx(): MemoryContext {
  return memoryContext(dir);
}

/** A bad-input failure: exit 2, one error line and one hint line, no stack trace. */
function expectUsageError(c: MemoryContext, code: number, message: string | RegExp) {
  expect(code).toBe(2);
  const lines = c.err().trimEnd().split("\n");
  expect(lines).toHaveLength(2);
  expect(lines[0]).toMatch(typeof message === "string" ? new RegExp(`^csn-rt: ${escape(message)}$`) : message);
  expect(lines[1]).toMatch(/^hint: /);
  expect(c.err()).not.toMatch(/\n\s+at /);
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

describe("report html", () => {
  it("writes the page next to the report by default", async () => {
    const c = ctx();
    expect(await runCommand(c, (x) => reportHtml(x, "fast.json", {}))).toBe(0);
    expect(c.out()).toBe("wrote fast.html (chat-burst, verdict pass)\n");
    expect((await readFile(join(dir, "fast.html"), "utf8")).startsWith("<!doctype html>")).toBe(true);
  });

  it("writes where -o says", async () => {
    const c = ctx();
    expect(await runCommand(c, (x) => reportHtml(x, "slow.json", { output: "custom.html" }))).toBe(0);
    expect((await stat(join(dir, "custom.html"))).size).toBeGreaterThan(1000);
  });
});

describe("report compare", () => {
  it("exits 0 when nothing regressed", async () => {
    const c = ctx();
    expect(await runCommand(c, (x) => reportCompare(x, "slow.json", "fast.json", {}))).toBe(0);
    expect(c.out().trimEnd().split("\n").at(-1)).toBe("no regressions");
  });

  it("exits 99 when a latency regressed, and prints markdown for a pull request", async () => {
    const c = ctx();
    expect(await runCommand(c, (x) => reportCompare(x, "fast.json", "slow.json", { format: "markdown" }))).toBe(99);
    expect(c.out()).toContain("**❌ 3 regressions:**");
    expect(c.out()).toContain("- chat_send_us p99 grew by 50% (100.0 ms → 150.0 ms), more than the 10% allowed");
  });

  it("a looser limit lets the same change pass", async () => {
    const c = ctx();
    expect(await runCommand(c, (x) => reportCompare(x, "fast.json", "slow.json", { maxRegression: "60%", format: "json" }))).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ regressed: false, limits: { maxRegressionPercent: 60 } });
  });

  it("rejects bad options all at once with exit 2", async () => {
    const c = ctx();
    const code = await runCommand(c, (x) => reportCompare(x, "fast.json", "slow.json", { maxRegression: "lots", minChange: "1 hour" }));
    expect(code).toBe(2);
    expect(c.err().split("\n").slice(0, 2)).toEqual([
      'csn-rt: --max-regression must be a percentage of 0 or more such as 10%, not "lots"',
      'csn-rt: --min-change must be a duration of 0 or more such as 1ms or 500us, not "1 hour"',
    ]);
  });
});

describe("report merge", () => {
  it("writes a valid merged report and says what it decided", async () => {
    const c = ctx();
    expect(await runCommand(c, (x) => reportMerge(x, ["fast.json", "slow.json"], { output: "merged.json" }))).toBe(0);
    expect(c.out()).toBe("wrote merged.json: chat-burst merged from 2 runs, verdict pass\n  all 1 thresholds passed with a healthy generator\n");
    const parsed = parseReport(JSON.parse(await readFile(join(dir, "merged.json"), "utf8")));
    expect(parsed.ok).toBe(true);
    const merged = (parsed as { report: Report }).report;
    expect(merged.mergedFrom).toBe(2);
    expect(merged.metrics.chat_send_us!.count).toBe(200);
  });

  it("refuses reports of different scenarios with exit 2", async () => {
    const c = ctx();
    const code = await runCommand(c, (x) => reportMerge(x, ["fast.json", "other.json"], { output: "never.json" }));
    expectUsageError(c, code, 'cannot merge reports of different scenarios: fast.json is "chat-burst", other.json is "heartbeat-storm"');
    await expect(stat(join(dir, "never.json"))).rejects.toThrow();
  });

  it("refuses a report of another schema version with exit 2", async () => {
    const c = ctx();
    const code = await runCommand(c, (x) => reportMerge(x, ["fast.json", "v2.json"], { output: "never.json" }));
    expectUsageError(c, code, "v2.json is not a csn-rt report: report schema version 2 is not supported; this csn-rt reads version 1");
  });
});

describe("bad input: one line, a hint, exit 2, no stack trace", () => {
  const commands = {
    html: (file: string) => (x: MemoryContext) => reportHtml(x, file, { output: "out.html" }),
    compare: (file: string) => (x: MemoryContext) => reportCompare(x, "fast.json", file, {}),
    merge: (file: string) => (x: MemoryContext) => reportMerge(x, ["fast.json", file], { output: "out.json" }),
  };
  for (const [name, command] of Object.entries(commands)) {
    it(`${name}: a missing file`, async () => {
      const c = ctx();
      expectUsageError(c, await runCommand(c, command("nope.json")), "cannot read nope.json: no such file or directory");
    });
    it(`${name}: a file that is not JSON`, async () => {
      const c = ctx();
      expectUsageError(c, await runCommand(c, command("not-json.json")), /^csn-rt: not-json\.json is not JSON \(.+\)$/);
    });
    it(`${name}: JSON that is not a report prints the schema's complaints`, async () => {
      const c = ctx();
      expectUsageError(c, await runCommand(c, command("not-report.json")), /^csn-rt: not-report\.json is not a csn-rt report: schema: .+; version: .+; scenario: .+$/);
    });
  }

  it("html: an unwritable output path", async () => {
    const c = ctx();
    const code = await runCommand(c, (x) => reportHtml(x, "fast.json", { output: "fast.json/page.html" }));
    expectUsageError(c, code, "cannot write fast.json/page.html: a part of the path is not a directory");
  });

  it("merge: an output directory that does not exist", async () => {
    const c = ctx();
    const code = await runCommand(c, (x) => reportMerge(x, ["fast.json"], { output: "no/such/dir/merged.json" }));
    expectUsageError(c, code, "cannot write no/such/dir/merged.json: no such file or directory");
  });
});

describe("through the real CLI", () => {
  const bin = fileURLToPath(new URL("../../bin/csn-rt", import.meta.url));
  const run = async (args: string[]) => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args], { cwd: dir });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code: number; stdout: string; stderr: string };
      return { code: e.code, stdout: e.stdout, stderr: e.stderr };
    }
  };

  it("compare exits 99 on a regression and 2 on a missing file; a usage mistake exits 2", async () => {
    expect((await run(["report", "compare", "fast.json", "slow.json"])).code).toBe(99);
    const missing = await run(["report", "compare", "fast.json", "gone.json"]);
    expect(missing).toMatchObject({ code: 2, stdout: "" });
    expect(missing.stderr).toMatch(/^csn-rt: cannot read gone\.json: no such file or directory\nhint: .+\n$/);
    expect((await run(["report", "merge", "fast.json"])).code).toBe(2);
  });
});
