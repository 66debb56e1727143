// Forks the load processes and relays their messages. Each process runs
// src/load/worker.ts under tsx, so no build step is needed.
import { fork, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { FromWorker, ToWorker, WorkerAssignment } from "./workerMessages.ts";

const WORKER_ENTRY = fileURLToPath(new URL("./worker.ts", import.meta.url));
// tsx as this package resolves it: a bare `--import tsx` is resolved from the
// current directory, so simulate failed when run from any other folder.
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href;
// What a load process printed last, for the error when it dies while starting.
const STARTUP_LINES_KEPT = 5;
// Loading tsx and the scenario modules takes a second or two on a busy machine.
const READY_TIMEOUT_MS = 30_000;
// A process told to stop gets this long to close its sockets before it is killed.
const STOP_GRACE_MS = 10_000;

export class WorkerPool {
  private readonly done: Promise<string[]>;
  /** Exited processes, so an all-gather does not wait for them. */
  readonly exited = new Set<number>();

  private constructor(
    private readonly children: ChildProcess[],
    onMessage: (worker: number, message: FromWorker) => void,
    onExit?: (worker: number) => void,
  ) {
    this.done = Promise.all(
      children.map(
        (child, worker) =>
          new Promise<string | null>((resolve) => {
            let error: string | null = null;
            child.on("message", (message: FromWorker) => {
              if (message.type === "done" && message.error) error = message.error;
              onMessage(worker, message);
            });
            child.on("exit", (code, signal) => {
              this.exited.add(worker);
              onExit?.(worker);
              if (error === null && code !== 0) error = `load process ${worker} exited with ${signal ?? `code ${code}`}`;
              resolve(error);
            });
          }),
      ),
    ).then((errors) => errors.filter((e): e is string => e !== null));
  }

  /** Starts `count` load processes and resolves once each has loaded its code. */
  static async start(count: number, onMessage: (worker: number, message: FromWorker) => void, onExit?: (worker: number) => void): Promise<WorkerPool> {
    const children = Array.from({ length: count }, () =>
      // Output is piped, not inherited: anything a load process prints must
      // reach the log, not land in the middle of the dashboard.
      fork(WORKER_ENTRY, [], { execArgv: ["--import", TSX_LOADER, "--max-semi-space-size=32"], stdio: ["ignore", "pipe", "pipe", "ipc"] }),
    );
    const lastLines = children.map((): string[] => []);
    const ready = children.map(
      (child, i) =>
        new Promise<void>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`load process ${i} did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
          child.once("message", () => {
            clearTimeout(timer);
            resolve();
          });
          child.once("exit", (code) => {
            clearTimeout(timer);
            const said = lastLines[i].length > 0 ? `; it printed:\n${lastLines[i].join("\n")}` : "";
            reject(new Error(`load process ${i} exited with code ${code} before starting${said}`));
          });
        }),
    );
    children.forEach((child, i) => {
      for (const stream of [child.stdout, child.stderr]) {
        if (!stream) continue;
        createInterface({ input: stream }).on("line", (line) => {
          lastLines[i].push(line);
          if (lastLines[i].length > STARTUP_LINES_KEPT) lastLines[i].shift();
          onMessage(i, { type: "log", message: `load process ${i}: ${line}` });
        });
      }
    });
    const pool = new WorkerPool(children, onMessage, onExit);
    try {
      await Promise.all(ready);
    } catch (error) {
      pool.kill();
      throw error;
    }
    return pool;
  }

  get size(): number {
    return this.children.length;
  }

  assign(worker: number, assignment: WorkerAssignment): void {
    this.send(worker, { type: "start", assignment });
  }

  /** Asks every process to stop; kills the ones still running after a grace period. */
  stop(): void {
    for (let i = 0; i < this.children.length; i++) this.send(i, { type: "stop" });
    setTimeout(() => this.kill(), STOP_GRACE_MS).unref();
  }

  kill(): void {
    for (const child of this.children) if (child.exitCode === null) child.kill("SIGKILL");
  }

  /** Resolves when every process has exited, with the errors they reported. */
  finished(): Promise<string[]> {
    return this.done;
  }

  send(worker: number, message: ToWorker): void {
    const child = this.children[worker];
    if (child.connected) child.send(message);
  }
}
