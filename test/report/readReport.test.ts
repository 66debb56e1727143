import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CliError } from "../../src/errors.ts";
import { readReport } from "../../src/report/readReport.ts";
import { makeReport } from "../support/makeReport.ts";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "csn-rt-read-"));
});

async function failure(path: string): Promise<CliError> {
  const error = await readReport(path, "shown.json").catch((e: unknown) => e);
  expect(error).toBeInstanceOf(CliError);
  return error as CliError;
}

describe("readReport", () => {
  it("reads a valid report", async () => {
    const report = makeReport();
    await writeFile(join(dir, "ok.json"), JSON.stringify(report));
    expect(await readReport(join(dir, "ok.json"))).toEqual(report);
  });

  it("a missing file is a usage error that names the path as the user wrote it", async () => {
    const error = await failure(join(dir, "missing.json"));
    expect(error.message).toBe("cannot read shown.json: no such file or directory");
    expect(error.exitCode).toBe(2);
    expect(error.hint).toMatch(/report written by csn-rt simulate/);
  });

  it("a directory, a file that is not JSON, and JSON that is not a report each get their own sentence", async () => {
    expect((await failure(dir)).message).toBe("cannot read shown.json: it is a directory");
    await writeFile(join(dir, "text.json"), "hello");
    expect((await failure(join(dir, "text.json"))).message).toMatch(/^shown\.json is not JSON \(Unexpected token/);
    await writeFile(join(dir, "other.json"), JSON.stringify({ schema: "csn-rt/report", version: 1, scenario: 5 }));
    const notReport = await failure(join(dir, "other.json"));
    expect(notReport.message).toMatch(/^shown\.json is not a csn-rt report: tool: .*; command: .*; scenario: /);
    expect(notReport.message).not.toContain("\n");
  });

  it("a report of another schema version is refused by version", async () => {
    await writeFile(join(dir, "v2.json"), JSON.stringify({ ...makeReport(), version: 2 }));
    expect((await failure(join(dir, "v2.json"))).message).toBe("shown.json is not a csn-rt report: report schema version 2 is not supported; this csn-rt reads version 1");
  });
});
