// The three ways `simulate` shows a run in progress, each given the same
// calls by the command: dashboard, plain lines, quiet.
import { Readable, Writable } from "node:stream";
import { describe, expect, test, vi } from "vitest";
import { startDashboard } from "../../src/ui/dashboard/startDashboard.tsx";
import { plainOutput } from "../../src/ui/plainOutput.ts";
import { quietOutput } from "../../src/ui/quietOutput.ts";
import { SyntheticRun, spreadMs } from "./support/syntheticRun.ts";

function sink(extra: Record<string, unknown> = {}) {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    extra,
  );
  return { stream, text: () => chunks.join("") };
}

describe("the dashboard output", () => {
  test("close() draws the final numbers, unmounts, and can be awaited twice", async () => {
    const stdout = sink({ columns: 100, rows: 50 });
    const stderr = sink();
    const stdin = Object.assign(new Readable({ read() {} }), { isTTY: false });
    const output = startDashboard({
      stdout: stdout.stream as unknown as NodeJS.WriteStream,
      stderr: stderr.stream as unknown as NodeJS.WriteStream,
      stdin: stdin as unknown as NodeJS.ReadStream,
      scenario: "chat-burst",
      thresholds: [],
      onStop: vi.fn(),
    });
    output.log("seeding chat-burst…");
    output.progress(new SyntheticRun().second({ observedUs: spreadMs(10), sent: 3 }).snapshot());
    await output.close();
    await output.close();
    const text = stdout.text();
    expect(text).toContain("› seeding chat-burst…");
    expect(text).toContain("viewers 20 / 20 connected");
    expect(text).toContain("run ended");
    expect(stderr.text()).toBe("");
  });
});

describe("the plain output (pipes, CI, --no-tui)", () => {
  test("log lines pass straight through; progress prints once per 5 s of run time", () => {
    const stderr = sink();
    const output = plainOutput(stderr.stream);
    const run = new SyntheticRun();
    output.log("seeding chat-burst…");
    for (let s = 0; s < 12; s++) {
      run.second({ sent: 1 });
      output.progress(run.snapshot());
    }
    const lines = stderr.text().trimEnd().split("\n");
    expect(lines[0]).toBe("seeding chat-burst…");
    expect(lines.slice(1).map((l) => l.slice(0, 13))).toEqual(["[00:05/01:00]", "[00:10/01:00]"]);
  });

  test("a notice stands on its own line", () => {
    const stderr = sink();
    plainOutput(stderr.stream).notice("stopping: …");
    expect(stderr.text()).toBe("\nstopping: …\n");
  });
});

describe("the quiet output (--quiet, --json)", () => {
  test("only notices are written", () => {
    const stderr = sink();
    const output = quietOutput(stderr.stream);
    output.log("seeding…");
    output.progress(new SyntheticRun().second({}).snapshot({ elapsedMs: 10_000 }));
    output.notice("stopping: …");
    expect(stderr.text()).toBe("\nstopping: …\n");
  });
});
