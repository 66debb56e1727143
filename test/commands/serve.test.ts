// `csn-rt serve` as a user starts it: it announces where it listens, and a
// port already taken, a missing functions folder or a bad flag are one-line
// errors with exit 2.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { createInterface } from "node:readline";
import { describe, expect, test } from "vitest";
import { CLI, runCli } from "../support/cli.ts";

describe("csn-rt serve", () => {
  test("prints CONVEX_URL and the admin key once it accepts connections, and stops cleanly on SIGTERM", async () => {
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    const lines: string[] = [];
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no CONVEX_URL within 30 s: ${lines.join("\n")}`)), 30_000);
      createInterface({ input: child.stdout! }).on("line", (line) => {
        lines.push(line);
        const match = /^CONVEX_URL=(\S+)/.exec(line);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const version = await fetch(`${url}/version`);
    expect(version.ok).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(lines.some((l) => /^CONVEX_ADMIN_KEY=.+\|/.test(l))).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  });

  test("a port in use is one line and exit 2", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const run = await runCli(["serve", "--port", String(port)], { timeoutMs: 30_000 });
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`port ${port} on 127\\.0\\.0\\.1 is in use`));
      expect(run.stderr).toMatch(/hint: pick another --port/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    } finally {
      blocker.close();
    }
  });

  test.each([
    [["serve", "--functions", "/nonexistent"], /does not exist/],
    [["serve", "--port", "70000"], /--port must be a whole number from 0 to 65535/],
    [["serve", "--clock", "sundial"], /Allowed choices are real, virtual/],
  ])("%j is refused with exit 2", async (args, message) => {
    const run = await runCli(args, { timeoutMs: 30_000 });
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});
