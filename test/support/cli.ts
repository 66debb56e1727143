// Runs bin/csn-rt as a subprocess, the way a user (or CI) does, and collects
// its output and exit code. A run that does not exit by itself within the
// timeout fails the test: a leaked timer or socket keeps a process alive.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../bin/csn-rt", import.meta.url));

export type CliRun = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; timedOut: boolean };

export type CliOptions = { timeoutMs?: number; env?: Record<string, string>; cwd?: string };

/** A CLI process still running: for tests that act on it mid-run (e.g. Ctrl-C once it is under way). */
export type RunningCli = {
  /** The whole run, once the process has exited (or was killed at the timeout). */
  readonly done: Promise<CliRun>;
  /** Resolves once stderr so far matches `pattern`; rejects if the process exits first. */
  stderrMatches(pattern: RegExp): Promise<void>;
  kill(signal: NodeJS.Signals): void;
};

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, CI: "true", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs ?? 60_000);
  const done = new Promise<CliRun>((resolve) => {
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut });
    });
  });
  return {
    done,
    stderrMatches: (pattern) =>
      new Promise((resolve, reject) => {
        const check = () => {
          if (!pattern.test(stderr)) return;
          child.stderr.off("data", check);
          resolve();
        };
        child.stderr.on("data", check);
        check();
        void done.then((run) => reject(new Error(`the CLI exited (${run.code}) before its output matched ${pattern}:\n${run.stderr}`)));
      }),
    kill: (signal) => child.kill(signal),
  };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}
