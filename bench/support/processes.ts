// Child processes the benchmark measures against: the embedded backend
// (`csn-rt serve`, so server and load generator never share an event loop)
// and a bare `ws` echo server (the loopback floor). Both print what the
// parent needs on stdout and are stopped with SIGTERM.
import { spawn, type ChildProcess } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

const REPO = fileURLToPath(new URL("../../", import.meta.url));
const CLI = fileURLToPath(new URL("../../bin/csn-rt", import.meta.url));
// Loading the functions folder under tsx and binding a port takes a few seconds on a busy machine.
const START_TIMEOUT_MS = 60_000;
// A child that ignores SIGTERM this long is killed.
const STOP_GRACE_MS = 5_000;

export type Child = { readonly pid: number; stop(): Promise<void> };
export type SpawnedBackend = Child & { readonly url: string; readonly adminKey: string };

/**
 * `node bin/csn-rt serve --port 0 --functions <dir>`; resolves once it prints CONVEX_URL and CONVEX_ADMIN_KEY.
 * `env` adds to the child's environment (e.g. CSN_AUTH_ISSUER / CSN_AUTH_JWKS for signed-in callers).
 */
export async function spawnBackend(functionsDir: string, env: Record<string, string> = {}): Promise<SpawnedBackend> {
  const child = spawn(process.execPath, [CLI, "serve", "--port", "0", "--host", "127.0.0.1", "--functions", functionsDir], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const lines = await readLines(child, ["CONVEX_URL", "CONVEX_ADMIN_KEY"]);
  return { pid: child.pid!, url: lines.CONVEX_URL, adminKey: lines.CONVEX_ADMIN_KEY, stop: () => stop(child) };
}

/** A TypeScript file of this folder run as its own Node process (through tsx), printing KEY=value lines. */
export async function spawnScript(file: string, keys: string[], args: string[] = []): Promise<Child & { readonly values: Record<string, string> }> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(`../${file}`, import.meta.url)), ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const values = await readLines(child, keys);
  return { pid: child.pid!, values, stop: () => stop(child) };
}

/** Runs a script to completion and returns the JSON it printed last. */
export async function runScript<T>(file: string, args: string[] = []): Promise<T> {
  const child = spawn(process.execPath, ["--import", "tsx", fileURLToPath(new URL(`../${file}`, import.meta.url)), ...args], {
    cwd: REPO,
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  child.stdout!.on("data", (chunk: Buffer) => (out += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`${file} exited with code ${code}`);
  const last = out.trim().split("\n").at(-1) ?? "";
  return JSON.parse(last) as T;
}

/** Resident set size and its peak, in bytes, from /proc/<pid>/status (Linux). */
export async function memoryOf(pid: number): Promise<{ rssBytes: number; peakRssBytes: number }> {
  const status = await readFile(`/proc/${pid}/status`, "utf8");
  const kib = (field: string) => {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status);
    if (match === null) throw new Error(`/proc/${pid}/status has no ${field}`);
    return Number(match[1]) * 1024;
  };
  return { rssBytes: kib("VmRSS"), peakRssBytes: kib("VmHWM") };
}

// /proc/<pid>/stat counts CPU time in clock ticks; USER_HZ is 100 on Linux for every mainstream architecture.
const CLOCK_TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat (Linux). */
export async function cpuSecondsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, "utf8");
  // Fields after the parenthesised command name (which may contain spaces): state is [0], utime [11], stime [12].
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

function readLines(child: ChildProcess, keys: string[]): Promise<Record<string, string>> {
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on("line", (line) => {
    stderr.push(line);
    if (stderr.length > 20) stderr.shift();
  });
  return new Promise((resolve, reject) => {
    const found: Record<string, string> = {};
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`child did not print ${keys.join(", ")} within ${START_TIMEOUT_MS / 1000} s:\n${stderr.join("\n")}`));
    }, START_TIMEOUT_MS);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const eq = line.indexOf("=");
      if (eq > 0 && keys.includes(line.slice(0, eq))) found[line.slice(0, eq)] = line.slice(eq + 1).trim();
      if (keys.every((key) => key in found)) {
        clearTimeout(timer);
        resolve(found);
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited (code ${code}) before it was ready:\n${stderr.join("\n")}`));
    });
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}
