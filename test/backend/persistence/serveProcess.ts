// `csn-rt serve` as a child process, the way a user runs it: started on a
// free port, told apart by the CONVEX_URL line it prints, and stopped with
// SIGTERM — or killed with SIGKILL, which no code in it can intercept.
import { spawn, type ChildProcess } from "node:child_process";
import path from "node:path";
import { REPO_ROOT } from "./harness.ts";

const CLI = path.join(REPO_ROOT, "bin/csn-rt");
/** tsx compiles the CLI on start; on a loaded 2-core machine that can take several seconds. */
const START_TIMEOUT_MS = 30_000;

export class ServeProcess {
  stderr = "";
  private readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    stderr: string,
  ) {
    this.stderr = stderr;
    child.stderr!.on("data", (chunk) => (this.stderr += chunk));
    this.exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
      else child.once("exit", (code, signal) => resolve({ code, signal }));
    });
  }

  static start(args: string[]): Promise<ServeProcess> {
    const child = spawn(process.execPath, [CLI, "serve", "--port", "0", ...args], {
      cwd: REPO_ROOT,
      env: { ...process.env, CI: "true" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    return new Promise((resolve, reject) => {
      let stdout = "";
      let stderr = "";
      const fail = (why: string) => {
        clearTimeout(timer);
        child.kill("SIGKILL");
        reject(new Error(`csn-rt serve ${why}\nstderr:\n${stderr}`));
      };
      const timer = setTimeout(() => fail(`printed no CONVEX_URL within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      child.stderr!.on("data", (chunk) => (stderr += chunk));
      child.once("exit", (code) => fail(`exited with code ${code} before it was ready`));
      child.stdout!.on("data", (chunk) => {
        stdout += chunk;
        const url = /^CONVEX_URL=(\S+)$/m.exec(stdout)?.[1];
        if (url === undefined) return;
        clearTimeout(timer);
        child.removeAllListeners("exit");
        child.stdout!.removeAllListeners("data");
        child.stderr!.removeAllListeners("data");
        resolve(new ServeProcess(child, url, stderr));
      });
    });
  }

  /** `kill -9`: the process gets no chance to flush, close or checkpoint anything. */
  async kill9(): Promise<void> {
    this.child.kill("SIGKILL");
    await this.exited;
  }

  /** Ctrl-C: a clean shutdown; resolves with the exit code. */
  async stop(): Promise<number | null> {
    this.child.kill("SIGTERM");
    return (await this.exited).code;
  }
}
