// Starts the embedded backend (`csn-rt serve`) as a child process for a run
// without --url, and stops it afterwards. A separate process keeps the
// backend's CPU off the load generator's event loop, as a real deployment
// would be.
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";

const CLI_ENTRY = fileURLToPath(new URL("../../bin/csn-rt", import.meta.url));
// Loading convex/ under tsx and binding the port; generous for a loaded CI machine.
const START_TIMEOUT_MS = 60_000;

// A 64 MB young generation (Node's default is 16 MB). At 10,000 viewers the
// server allocates ~60 MB a second; with 16 MB it ran a young collection four
// or five times a second, and much of what was alive across two of them (the
// B-tree nodes of recent writes, per-connection state) was copied into the old
// generation only to die there (--trace-gc: one full collection went from 444
// to 148 MB). Two alternating pairs of the 10,000-viewer run: GC 55.9, 51.9
// ms a second -> 22.9, 24.2; server CPU 69.7, 63.2 % -> 56.4, 53.7 %.
const BACKEND_NODE_ARGS = ["--max-semi-space-size=64"];

export type EmbeddedBackend = { url: string; adminKey: string; process: ChildProcess; stop(): Promise<void> };

export async function startEmbeddedBackend(options: {
  functionsDir: string;
  clock: "real" | "virtual";
  authEnv: Record<string, string>;
  adminKey: string;
  port?: number;
  dataFile?: string;
  onLog?: (line: string) => void;
}): Promise<EmbeddedBackend> {
  const args = [CLI_ENTRY, "serve", "--functions", options.functionsDir, "--port", String(options.port ?? 0), "--host", "127.0.0.1", "--clock", options.clock];
  if (options.dataFile) args.push("--data", options.dataFile);
  const child = spawn(process.execPath, [...BACKEND_NODE_ARGS, ...args], {
    env: { ...process.env, ...options.authEnv, CSN_RT_ADMIN_KEY: options.adminKey },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const stderrLines: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderrLines.push(line);
    if (stderrLines.length > 50) stderrLines.shift();
    options.onLog?.(line);
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new CliError(`the embedded backend did not start within ${START_TIMEOUT_MS / 1000} s`, ExitCode.error)), START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const match = /^CONVEX_URL=(\S+)/.exec(line);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new CliError(`the embedded backend exited (code ${code}) before it was ready:\n${stderrLines.slice(-10).join("\n")}`, ExitCode.error));
    });
  });
  return {
    url,
    adminKey: options.adminKey,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
        setTimeout(() => child.kill("SIGKILL"), 5000).unref();
      }),
  };
}
