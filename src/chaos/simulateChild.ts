// `csn-rt simulate game-night` as a child process, exactly as a user runs
// it, aimed at the drill's proxy. It runs in its own process group so its
// load processes go down with it when the drill has to kill it.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { parseReport, type Report } from "../metrics/report.ts";

const CLI_ENTRY = fileURLToPath(new URL("../../bin/csn-rt", import.meta.url));
/** Loading the CLI under tsx and seeding a few hundred users; generous for a loaded 2-core machine. */
const START_TIMEOUT_MS = 120_000;
/** After SIGINT simulate stops its load processes (10 s grace each) and writes a partial report. */
const STOP_GRACE_MS = 15_000;
/** Lines of its output kept for the summary when it fails. */
const KEPT_LINES = 20;

export type SimulateArgs = {
  url: string;
  adminKey: string;
  keyFile: string;
  issuer: string;
  reportPath: string;
  /** `--flag value` pairs passed as they are (viewers, duration, …). */
  flags: Record<string, string>;
  env: Readonly<Record<string, string | undefined>>;
};

export type SimulateResult = {
  /** null when it was killed by a signal. */
  readonly code: number | null;
  readonly report: Report | null;
  /** Why there is no report, or its last lines of output when it failed. */
  readonly problems: string[];
};

export class SimulateChild {
  private readonly lines: string[] = [];
  private readonly exited: Promise<number | null>;
  private readonly started: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    private readonly reportPath: string,
  ) {
    this.exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
    let markStarted: () => void = () => {};
    this.started = new Promise((resolve) => (markStarted = resolve));
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on("line", (line) => {
        // simulate.ts logs this once seeding is done and load processes start.
        if (/running game-night/.test(line)) markStarted();
        this.lines.push(line);
        if (this.lines.length > KEPT_LINES) this.lines.shift();
      });
    }
  }

  static spawn(args: SimulateArgs): SimulateChild {
    const flags = Object.entries(args.flags).flatMap(([name, value]) => [`--${name}`, value]);
    const child = spawn(
      process.execPath,
      [CLI_ENTRY, "simulate", "game-night", "--url", args.url, "--admin-key", args.adminKey, "--key-file", args.keyFile, "--issuer", args.issuer, ...flags, "--no-tui", "--report", args.reportPath],
      { env: { ...args.env, CI: "true" }, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    return new SimulateChild(child, args.reportPath);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** Resolves once load is running (seeding done), so faults hit the run and not its setup. */
  async running(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      this.started.then(() => "running" as const),
      this.exited.then((code) => `exited (code ${code})`),
      new Promise<string>((resolve) => (timer = setTimeout(() => resolve(`did not start within ${START_TIMEOUT_MS / 1000} s`), START_TIMEOUT_MS))),
    ]);
    clearTimeout(timer);
    if (outcome !== "running") throw new Error(`simulate ${outcome} before its run started:\n${this.lines.join("\n")}`);
  }

  /** Waits for simulate to finish by itself (it ends after --duration and --grace) and reads its report. */
  async result(timeoutMs: number): Promise<SimulateResult> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => (timer = setTimeout(() => resolve("timeout"), timeoutMs)));
    const code = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (code === "timeout") {
      await this.stop();
      return { code: null, report: null, problems: [`simulate did not finish within ${Math.round(timeoutMs / 1000)} s of the end of its load; it was stopped`] };
    }
    return this.read(code);
  }

  /** Ctrl-C for simulate (a partial report), then SIGKILL for its whole group if it lingers. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.signalGroup("SIGINT");
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.exited, new Promise((resolve) => (timer = setTimeout(resolve, STOP_GRACE_MS)))]);
    clearTimeout(timer);
    this.killNow();
  }

  /** Synchronous last resort (process exit): SIGKILL to simulate and its load processes. */
  killNow(): void {
    this.signalGroup("SIGKILL");
  }

  private signalGroup(signal: NodeJS.Signals): void {
    // An exited child's pid may belong to someone else by now.
    if (this.child.pid === undefined || this.child.exitCode !== null || this.child.signalCode !== null) return;
    try {
      // Negative pid: the group simulate leads (detached), so its load processes get it too.
      process.kill(-this.child.pid, signal);
    } catch {
      // Already gone.
    }
  }

  private read(code: number | null): SimulateResult {
    try {
      const parsed = parseReport(JSON.parse(readFileSync(this.reportPath, "utf8")));
      if (parsed.ok) return { code, report: parsed.report, problems: [] };
      return { code, report: null, problems: [`its report is not valid: ${parsed.errors.join("; ")}`] };
    } catch (error) {
      return { code, report: null, problems: [`no report (${(error as Error).message})`, ...this.lines.slice(-8)] };
    }
  }
}
