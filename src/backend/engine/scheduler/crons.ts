// Runs the jobs `convex/crons.ts` default-exports (a `cronJobs()` object):
// each job keeps one clock timer for its next run, runs its mutation or
// action without a user identity when the timer fires, then re-arms.
import type { CronJob } from "convex/server";
import type { JSONValue } from "convex/values";
import type { EngineClock } from "../clock.ts";
import type { LoadedModules } from "../runtime/modules.ts";
import { canonicalizePath } from "../runtime/paths.ts";
import type { FunctionRunner } from "../runtime/runner.ts";
import { nextRunTime } from "./cronSchedule.ts";

export type CronRun = { readonly identifier: string; readonly at: number; readonly ok: boolean; readonly error?: string };

/** The jobs of a loaded functions folder (none when there is no crons module). */
export function cronJobsOf(modules: LoadedModules): Map<string, CronJob> {
  const crons = modules.defaultExports.get("crons") as { isCrons?: boolean; crons?: Record<string, CronJob> } | undefined;
  const jobs = new Map<string, CronJob>();
  if (crons?.isCrons !== true || crons.crons === undefined) return jobs;
  for (const [identifier, job] of Object.entries(crons.crons)) {
    const path = canonicalizePath(job.name).path;
    const fn = modules.functions.get(path);
    if (fn === undefined || fn.kind === "query") {
      throw new Error(`Cron job "${identifier}" refers to ${job.name}, which is not a mutation or action in the functions folder.`);
    }
    nextRunTime(job.schedule, identifier, 0, 0); // validates cron strings up front
    jobs.set(identifier, job);
  }
  return jobs;
}

export class CronRunner {
  private readonly cancels = new Map<string, () => void>();
  private readonly running = new Set<Promise<void>>();
  private stopped = false;
  /** The most recent runs, newest last (for diagnostics). */
  readonly history: CronRun[] = [];

  constructor(
    private readonly jobs: ReadonlyMap<string, CronJob>,
    private readonly modules: LoadedModules,
    private readonly clock: EngineClock,
    private readonly runner: FunctionRunner,
  ) {}

  start(): void {
    const start = this.clock.now();
    for (const [identifier, job] of this.jobs) this.arm(identifier, job, start, start);
  }

  private arm(identifier: string, job: CronJob, after: number, start: number): void {
    if (this.stopped) return;
    const at = nextRunTime(job.schedule, identifier, after, start);
    this.cancels.set(
      identifier,
      this.clock.setTimer(at, () => {
        const run = this.runJob(identifier, job, at).finally(() => this.running.delete(run));
        this.running.add(run);
        this.arm(identifier, job, Math.max(at, this.clock.now()), start);
        return run;
      }),
    );
  }

  private async runJob(identifier: string, job: CronJob, at: number): Promise<void> {
    const path = canonicalizePath(job.name).path;
    const args = ((job.args as JSONValue[])[0] ?? {}) as JSONValue;
    const kind = this.modules.functions.get(path)?.kind;
    const outcome =
      kind === "mutation"
        ? (await this.runner.mutation(path, args, null, "all")).outcome
        : (await this.runner.action(path, args, null, "all")).outcome;
    this.history.push({ identifier, at, ok: outcome.ok, ...(outcome.ok ? {} : { error: outcome.errorMessage }) });
    if (this.history.length > 100) this.history.shift();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const cancel of this.cancels.values()) cancel();
    this.cancels.clear();
    await Promise.allSettled([...this.running]);
  }
}
