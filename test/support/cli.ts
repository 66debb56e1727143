// Runs bin/csn-rt as a subprocess, the way a user (or CI) does, and collects
// its output and exit code. A run that does not exit by itself within the
// timeout fails the test: a leaked timer or socket keeps a process alive.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

export const CLI = fileURLToPath(new URL("../../bin/csn-rt", import.meta.url));

export type CliRun = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string; timedOut: boolean };

export type CliOptions = { timeoutMs?: number; env?: Record<string, string>; cwd?: string };

type Stream = "stdout" | "stderr";

/** A CLI process still running: for tests that act on it mid-run (e.g. Ctrl-C once it is under way). */
export type RunningCli = {
  /** The whole run, once the process has exited (or was killed at the timeout). */
  readonly done: Promise<CliRun>;
  /** Everything the process wrote to stderr so far. */
  readonly stderr: string;
  /** Resolves with the match once the stream's output so far matches `pattern`; rejects if the process exits first. */
  outputMatches(stream: Stream, pattern: RegExp): Promise<RegExpExecArray>;
  stderrMatches(pattern: RegExp): Promise<RegExpExecArray>;
  kill(signal: NodeJS.Signals): void;
};

export function startCli(args: string[], options: CliOptions = {}): RunningCli {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: options.cwd,
    env: { ...process.env, CI: "true", ...options.env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output = { stdout: "", stderr: "" };
  child.stdout.on("data", (chunk) => (output.stdout += chunk));
  child.stderr.on("data", (chunk) => (output.stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, options.timeoutMs ?? 60_000);
  const done = new Promise<CliRun>((resolve) => {
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...output, timedOut });
    });
  });
  const outputMatches = (stream: Stream, pattern: RegExp) =>
    new Promise<RegExpExecArray>((resolve, reject) => {
      const check = () => {
        const match = pattern.exec(output[stream]);
        if (match === null) return;
        child[stream].off("data", check);
        resolve(match);
      };
      child[stream].on("data", check);
      check();
      void done.then((run) => reject(new Error(`the CLI exited (${run.code}) before its ${stream} matched ${pattern}:\n${run.stderr}`)));
    });
  return {
    done,
    get stderr() {
      return output.stderr;
    },
    outputMatches,
    stderrMatches: (pattern) => outputMatches("stderr", pattern),
    kill: (signal) => child.kill(signal),
  };
}

export function runCli(args: string[], options: CliOptions = {}): Promise<CliRun> {
  return startCli(args, options).done;
}

/** A `csn-rt serve` on a free port, as a user starts one: ready once it printed where it listens. */
export type ServedBackend = {
  readonly url: string;
  readonly adminKey: string;
  readonly cli: RunningCli;
  /** SIGTERM (Ctrl-C's clean shutdown); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** `kill -9`: the process gets no chance to flush, close or checkpoint anything. */
  kill9(): Promise<void>;
};

/**
 * Starts `csn-rt serve --port 0 ...args` and waits for its CONVEX_URL and
 * CONVEX_ADMIN_KEY lines. tsx compiles the CLI on start, which on a loaded
 * 2-core machine can take several seconds; the process is killed if it is
 * not ready within `readyTimeoutMs` or still running after `timeoutMs`.
 */
export async function startServe(args: string[], options: CliOptions & { readyTimeoutMs?: number } = {}): Promise<ServedBackend> {
  const cli = startCli(["serve", "--port", "0", ...args], { timeoutMs: 10 * 60_000, ...options });
  const readyTimeoutMs = options.readyTimeoutMs ?? 30_000;
  let timer: NodeJS.Timeout | undefined;
  const tooSlow = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      cli.kill("SIGKILL");
      reject(new Error(`csn-rt serve printed no CONVEX_URL within ${readyTimeoutMs} ms\nstderr:\n${cli.stderr}`));
    }, readyTimeoutMs);
  });
  const ready = Promise.all([cli.outputMatches("stdout", /^CONVEX_URL=(\S+)$/m), cli.outputMatches("stdout", /^CONVEX_ADMIN_KEY=(\S+)$/m)]);
  // Once the timeout has won the race, the kill makes `ready` reject too; nobody is listening then.
  ready.catch(() => {});
  try {
    const [url, adminKey] = await Promise.race([ready, tooSlow]);
    return {
      url: url[1],
      adminKey: adminKey[1],
      cli,
      stop: async () => {
        cli.kill("SIGTERM");
        return (await cli.done).code;
      },
      kill9: async () => {
        cli.kill("SIGKILL");
        await cli.done;
      },
    };
  } finally {
    clearTimeout(timer);
  }
}
