// `npm run demo` as a person runs it (scripts/demo.ts as its own process):
// it builds the page, prints where to open it, serves the page and the demo
// endpoints on loopback only, and Ctrl-C stops the page server and the
// backend together.
import { spawn, type ChildProcess } from "node:child_process";
import { request } from "node:http";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const REPO = fileURLToPath(new URL("../../", import.meta.url));

function startDemoProcess(args: string[]): { child: ChildProcess; lines: string[]; stderr: string[] } {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts", ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  const stderr: string[] = [];
  createInterface({ input: child.stdout! }).on("line", (line) => lines.push(line));
  createInterface({ input: child.stderr! }).on("line", (line) => stderr.push(line));
  return { child, lines, stderr };
}

async function until<T>(what: string, read: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** A GET with a chosen Host header (fetch does not let a caller set it). */
function getWithHost(url: string, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { host } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("error", reject);
    req.end();
  });
}

describe("npm run demo", () => {
  it("prints the page URL, serves the page and a token per demo user on loopback, and Ctrl-C stops page and backend", async () => {
    const { child, lines, stderr } = startDemoProcess(["--port", "0"]);
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    try {
      // The banner ends with how to stop; wait for all of it, not only the page URL.
      await until("the whole banner", () => (lines.some((l) => l.startsWith("Ctrl-C stops")) ? true : undefined), 45_000).catch((error: Error) => {
        throw new Error(`${error.message}\nstdout:\n${lines.join("\n")}\nstderr:\n${stderr.join("\n")}`);
      });
      const pageUrl = lines.map((l) => /^Viewer page: (\S+)/.exec(l)?.[1]).find(Boolean)!;
      const convexUrl = lines.find((l) => l.startsWith("CONVEX_URL="))!.slice("CONVEX_URL=".length);
      expect(pageUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      expect(lines.some((l) => l.includes(`${pageUrl}?as=mod`))).toBe(true);

      const html = await (await fetch(pageUrl)).text();
      expect(html).toContain('<div id="root"></div>');
      const script = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1];
      expect((await fetch(new URL(script, pageUrl))).headers.get("content-type")).toMatch(/javascript/);
      const config = (await (await fetch(new URL("demo/config", pageUrl))).json()) as { convexUrl: string; game: { id: string } };
      expect(config.convexUrl).toBe(convexUrl);
      const token = await fetch(new URL("demo/token", pageUrl), { method: "POST", body: JSON.stringify({ subject: "mod" }) });
      expect(((await token.json()) as { token: string }).token.split(".")).toHaveLength(3);
      expect((await fetch(new URL("demo/token", pageUrl), { method: "POST", body: JSON.stringify({ subject: "mallory" }) })).status).toBe(404);
      // A page on another origin that rebinds its name to 127.0.0.1 still sends its own Host: refused.
      expect(await getWithHost(new URL("demo/config", pageUrl).href, "attacker.example:80")).toBe(403);
      // Nothing outside the built page, however the path is spelled.
      expect((await fetch(`${pageUrl}..%2f..%2fpackage.json`)).status).toBe(404);
      expect((await fetch(`${convexUrl}/version`)).ok).toBe(true);

      child.kill("SIGINT");
      expect(await exited).toBe(0);
      await expect(fetch(pageUrl)).rejects.toThrow();
      await expect(fetch(`${convexUrl}/version`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
    }
  }, 60_000);

  it("refuses a bad option with exit code 2 and says what to type", async () => {
    const { child, stderr } = startDemoProcess(["--clock", "sometimes"]);
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    expect(code).toBe(2);
    expect(stderr.join("\n")).toContain("--clock must be real or virtual, got sometimes");
    expect(stderr.join("\n")).toContain("usage: npm run demo");
  }, 30_000);
});
