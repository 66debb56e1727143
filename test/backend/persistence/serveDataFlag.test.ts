// `csn-rt serve --data` refusing what it cannot use: exit code 2, a sentence
// saying what is wrong, a hint saying what to do, and no server started.
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runCli } from "../../support/cli.ts";
import { APP, tempDir } from "./harness.ts";

let tmp: ReturnType<typeof tempDir>;

beforeEach(() => {
  tmp = tempDir();
});

afterEach(() => {
  tmp.cleanup();
});

const serve = (data: string) => runCli(["serve", "--port", "0", "--functions", APP, "--data", data], { timeoutMs: 30_000 });

describe("csn-rt serve --data", () => {
  it("refuses a file in a directory that does not exist, a directory, and a file that is not a data file", { timeout: 60_000 }, async () => {
    const garbage = tmp.file("notes.txt");
    writeFileSync(garbage, "not a database\n".repeat(300));
    const [missingDir, directory, notData] = await Promise.all([
      serve(path.join(tmp.dir, "no-such-dir", "data.db")),
      serve(tmp.dir),
      serve(garbage),
    ]);

    expect(missingDir.code).toBe(2);
    expect(missingDir.stderr).toContain(`the directory ${path.join(tmp.dir, "no-such-dir")} does not exist; create it first`);
    expect(directory.code).toBe(2);
    expect(directory.stderr).toContain(`--data ${tmp.dir} is a directory; give a file path`);
    expect(notData.code).toBe(2);
    expect(notData.stderr).toContain(`csn-rt: ${garbage} is not a csn-rt data file`);
    expect(notData.stderr).toMatch(/^hint: point --data at a new file/m);
    for (const run of [missingDir, directory, notData]) expect(run.stdout).not.toContain("CONVEX_URL");
    expect(readFileSync(garbage, "utf8")).toBe("not a database\n".repeat(300));
  });
});
