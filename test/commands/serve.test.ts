// `csn-rt serve` as a user starts it: it announces where it listens, and a
// port already taken, a missing functions folder or a bad flag are one-line
// errors with exit 2.
import { createServer } from "node:net";
import { describe, expect, test } from "vitest";
import { runCli, startServe } from "../support/cli.ts";

describe("csn-rt serve", () => {
  test("prints CONVEX_URL and the admin key once it accepts connections, and stops cleanly on SIGTERM", async () => {
    const backend = await startServe([]);
    expect(backend.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(backend.adminKey).toMatch(/.+\|/);
    const version = await fetch(`${backend.url}/version`);
    expect(version.ok).toBe(true);
    expect(await backend.stop()).toBe(0);
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
