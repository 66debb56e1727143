// The CI gate a user adopts must keep working as csn-rt changes: every
// csn-rt command line in .github/workflows/perf.yml names a real command and
// only options that command has, and the baseline it compares with is a
// valid report.
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { describe, expect, test } from "vitest";
import { parse } from "yaml";
import { reportCommand } from "../../src/commands/report.ts";
import { simulateCommand } from "../../src/commands/simulate.ts";
import { parseReport } from "../../src/metrics/report.ts";

type Step = { run?: string };
const workflow = parse(readFileSync(new URL("../../.github/workflows/perf.yml", import.meta.url), "utf8")) as {
  jobs: Record<string, { steps: Step[] }>;
};

/** Every `node bin/csn-rt …` invocation in the workflow, continuation lines joined, as argv. */
function invocations(): string[][] {
  const scripts = Object.values(workflow.jobs).flatMap((job) => job.steps.map((s) => s.run ?? ""));
  return scripts
    .map((script) => script.replace(/\\\n\s*/g, " "))
    .flatMap((script) => script.split("\n"))
    .filter((line) => line.trim().startsWith("node bin/csn-rt"))
    .map((line) => line.trim().replace(/\s*>.*$/, "").split(/\s+/).slice(2));
}

function optionsOf(command: Command): Set<string> {
  const longs = command.options.map((o) => o.long).filter((l): l is string => l !== undefined);
  return new Set([...longs, ...longs.map((l) => l.replace(/^--no-/, "--"))]);
}

describe("the perf.yml CI gate", () => {
  test("runs csn-rt commands that exist, with options they accept", () => {
    const found = invocations();
    expect(found.length).toBeGreaterThanOrEqual(2);
    for (const argv of found) {
      const [name, sub] = argv;
      const command = name === "simulate" ? simulateCommand() : name === "report" ? reportCommand().commands.find((c) => c.name() === sub) : undefined;
      expect(command, `unknown command in perf.yml: ${argv.join(" ")}`).toBeDefined();
      const known = optionsOf(command!);
      for (const flag of argv.filter((a) => a.startsWith("--"))) {
        expect(known.has(flag.split("=")[0]), `${name} has no option ${flag}`).toBe(true);
      }
    }
  });

  test("compares against a committed baseline that is a valid report", () => {
    const baseline = JSON.parse(readFileSync(new URL("../../reports/baseline.json", import.meta.url), "utf8"));
    const parsed = parseReport(baseline);
    expect(parsed.ok, parsed.ok ? "" : parsed.errors.join("\n")).toBe(true);
  });
});
