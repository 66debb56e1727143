// The fault drill behind `npm run chaos`: a game-night run (simulate, as a
// child process) and the ledger's writers against `csn-rt serve --data`
// behind a TCP proxy, while faultPlan.ts's faults are injected on schedule
// and the backend's memory is sampled. Then every acknowledged write is
// checked in the database. Everything listens on 127.0.0.1; every wait is
// bounded; every child is stopped on the way out.
//
//   setup         backend + proxy, seed, simulate starts and seeds, ledger writers start
//   ramp          simulate's viewers join
//   load window   the faults, at their planned times (one after another)
//   finish        simulate ends by itself; writers resume after the restart; the ledger check
//   cleanup       slow consumer, simulate, writers, backend; the temporary folder
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { generateAdminKey } from "../backend/auth/index.ts";
import { httpAdminApi } from "../load/adminApi.ts";
import { sleep } from "../load/sleep.ts";
import { authEnvironment, createTokenMinter, generateSigningKey, saveSigningKey } from "../load/tokens.ts";
import { runKey } from "../scenarios/partition.ts";
import { DRILL_GAMES, gameNightFlags, rampMs, type DrillOptions } from "./drillOptions.ts";
import type { DrillSummary, InjectedFaults } from "./drillSummary.ts";
import { planFaults, type Fault } from "./faultPlan.ts";
import { Ledger } from "./ledger.ts";
import { RestartableBackend } from "./restartableBackend.ts";
import { RssSampler } from "./rssSampler.ts";
import { simulateFindings } from "./simulateFindings.ts";
import { SimulateChild } from "./simulateChild.ts";
import { SlowConsumer } from "./slowConsumer.ts";

const CONVEX_DIR = fileURLToPath(new URL("../../convex", import.meta.url));
/** Any issuer works: the backend trusts the key the drill just made, and only for this run. */
const ISSUER = "https://csn-rt.chaos.local";
/** One writer per kind of trouble would do; three show that each resumes on its own. */
const LEDGER_WRITERS = 3;
/**
 * The slow consumer subscribes to the busy chat this many times: each update
 * then carries the page that many times (hundreds of KB), so its socket
 * fills within seconds and the server's backpressure, not the kernel's
 * buffers, decides what happens.
 */
const SLOW_SUBSCRIPTIONS = 8;
/** The largest chat page listMessages returns (convex/chat.ts MAX_MESSAGE_LIMIT). */
const SLOW_PAGE = 200;
const RSS_EVERY_MS = 500;
/** simulate's load processes need a moment after "running" before the ramp's clock starts. */
const LOAD_START_MS = 2_000;
/** After the load window: simulate's grace (3 s), stopping its processes and writing the report. */
const SIMULATE_FINISH_MS = 90_000;
/** A cut waits at most this long for clients to be connected again after the previous one. */
const RECONNECT_WAIT_MS = 5_000;
/** The official client backs off at most 16 s between reconnects; twice that and a writer is stuck. */
const RESUME_TIMEOUT_MS = 32_000;

export type DrillContext = {
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Progress lines while the drill runs. */
  readonly log: (line: string) => void;
  /** Ctrl-C: the drill skips what is left, stops every child and reports what it saw. */
  readonly signal?: AbortSignal;
  /** Given a function that SIGKILLs every child at once, for a process about to exit. */
  readonly onKillSwitch?: (killAll: () => void) => void;
  readonly functionsDir?: string;
};

export async function runChaosDrill(options: DrillOptions, ctx: DrillContext): Promise<DrillSummary> {
  const startedAt = Date.now();
  const dir = mkdtempSync(join(tmpdir(), "csn-rt-chaos-"));
  const injected: InjectedFaults = { cuts: [], lostAnswers: null, kill: null, slowConsumer: null, failed: [], maxLateMs: 0 };
  const summary: DrillSummary = {
    options,
    wallMs: 0,
    stoppedEarly: false,
    injected,
    simulate: null,
    ledger: { writers: LEDGER_WRITERS, resumedAfterRestart: 0, findings: null, error: null },
    slowConsumer: null,
    memory: { samples: 0, peakMb: null, peakAtMs: null, lastMb: null, limitMb: options.maxRssMb, atSlowConsumerCheckMb: null },
    proxy: { accepted: 0, dropped: 0 },
    backendInternalErrors: 0,
  };
  const aborted = () => ctx.signal?.aborted === true;
  let backend: RestartableBackend | undefined;
  let simulate: SimulateChild | undefined;
  let ledger: Ledger | undefined;
  let slow: SlowConsumer | undefined;
  let rss: RssSampler | undefined;
  /** The first of simulate's games: its chat is as busy as any. */
  let busyGame = "";
  ctx.onKillSwitch?.(() => {
    simulate?.killNow();
    if (backend?.pid !== undefined) killQuietly(backend.pid);
  });

  try {
    const key = await generateSigningKey();
    const keyFile = join(dir, "signing-key.json");
    await saveSigningKey(keyFile, key);
    ctx.log("chaos: starting csn-rt serve --data behind a TCP proxy…");
    backend = await RestartableBackend.start({
      functionsDir: ctx.functionsDir ?? CONVEX_DIR,
      dataFile: join(dir, "data.db"),
      authEnv: authEnvironment(key, ISSUER),
      adminKey: generateAdminKey(),
      onLog: (line) => {
        if (/internal error/.test(line)) summary.backendInternalErrors += 1;
      },
    });
    const admin = httpAdminApi(backend.url, backend.adminKey);
    // simulate seeds its games under the same run key and finds these (seed:createGames is idempotent by key).
    [busyGame] = await admin.mutation<string[]>("seed:createGames", { count: DRILL_GAMES, offset: 0, key: runKey("game-night", options.seed) });
    const [ledgerGame] = await admin.mutation<string[]>("seed:createGames", { count: 1 });
    const contentIds = await admin.mutation<string[]>("seed:createContent", { count: LEDGER_WRITERS, durationSeconds: 86_400 });

    ctx.log(`chaos: simulate game-night with ${options.viewers} viewers through ${backend.url}…`);
    simulate = SimulateChild.spawn({
      url: backend.url,
      adminKey: backend.adminKey,
      keyFile,
      issuer: ISSUER,
      reportPath: join(dir, "simulate-report.json"),
      flags: gameNightFlags(options),
      env: ctx.env,
    });
    const running = simulate.running();
    // Ctrl-C wins the race: the rejection simulate's stop() then causes is expected, not unhandled.
    running.catch(() => {});
    await Promise.race([running, abortion(ctx.signal)]);
    if (aborted()) return finish();
    ledger = await Ledger.start(backend.url, await createTokenMinter({ key, issuer: ISSUER }), ledgerGame, contentIds);
    const live = backend;
    rss = new RssSampler(() => live.rssMb(), RSS_EVERY_MS);

    await sleep(LOAD_START_MS + rampMs(options), ctx.signal);
    const windowStart = Date.now();
    ctx.log(`chaos: load window of ${options.loadMs / 1000} s begins; injecting faults`);
    let restartedAt: number | null = null;
    for (const step of planFaults(options.loadMs)) {
      await sleep(windowStart + step.atMs - Date.now(), ctx.signal);
      if (aborted()) break;
      injected.maxLateMs = Math.max(injected.maxLateMs, Date.now() - windowStart - step.atMs);
      const atMs = Date.now() - windowStart;
      const result = await inject(step.fault, atMs);
      if (result !== null) restartedAt = result;
    }
    await sleep(windowStart + options.loadMs - Date.now(), ctx.signal);

    // Stopped early, simulate still writes a (partial) report: what it saw so far is worth showing.
    if (aborted()) await simulate.stop();
    else ctx.log("chaos: load window over; waiting for simulate to finish and the writers to resume");
    summary.simulate = simulateFindings(await simulate.result(SIMULATE_FINISH_MS), restartedAt);
    const since = restartedAt ?? windowStart;
    const deadline = Date.now() + RESUME_TIMEOUT_MS;
    while (ledger.acknowledged(since).writersSince < LEDGER_WRITERS && Date.now() < deadline && !aborted()) await sleep(100, ctx.signal);
    summary.ledger.resumedAfterRestart = ledger.acknowledged(since).writersSince;
    if (aborted()) return finish();
    await ledger.stop();
    summary.ledger.findings = await ledger.verify(admin);
    return finish();
  } catch (error) {
    summary.ledger.error ??= (error as Error).message;
    injected.failed.push(`the drill could not go on: ${(error as Error).message.split("\n")[0]}`);
    return finish();
  } finally {
    slow?.close();
    await simulate?.stop();
    await ledger?.close();
    await backend?.stop();
    // Stopped: the kill switch must not signal pids that may since belong to others.
    backend = undefined;
    simulate = undefined;
    rmSync(dir, { recursive: true, force: true });
  }

  /** Injects one fault; returns when the backend listened again after a kill, else null. */
  async function inject(fault: Fault, atMs: number): Promise<number | null> {
    const proxy = backend!.proxy;
    switch (fault.kind) {
      case "slow-consumer": {
        const query = "chat:listMessages";
        try {
          slow = await SlowConsumer.start(backend!.directUrl, query, { gameId: busyGame, limit: SLOW_PAGE }, SLOW_SUBSCRIPTIONS);
          injected.slowConsumer = { atMs, query: `${query} (busiest game, ${SLOW_PAGE} messages)`, subscriptions: SLOW_SUBSCRIPTIONS };
          ctx.log(`chaos: ${sec(atMs)} slow consumer subscribed ${SLOW_SUBSCRIPTIONS}× to ${query} and stopped reading`);
        } catch (error) {
          summary.slowConsumer = { error: (error as Error).message };
          injected.failed.push(`the slow consumer could not subscribe: ${(error as Error).message}`);
        }
        return null;
      }
      case "cut": {
        // Right after another cut the clients may still be backing off: a cut of nothing injects nothing.
        const deadline = Date.now() + RECONNECT_WAIT_MS;
        while (proxy.connections === 0 && Date.now() < deadline && !aborted()) await sleep(50, ctx.signal);
        const connections = proxy.dropAll();
        injected.cuts.push({ atMs, connections });
        ctx.log(`chaos: ${sec(atMs)} cut ${connections} connections`);
        return null;
      }
      case "lose-answers": {
        proxy.loseAnswers(true);
        ctx.log(`chaos: ${sec(atMs)} losing every answer for ${sec(fault.forMs)}`);
        await sleep(fault.forMs, ctx.signal);
        // Cut before answers flow again: bytes resumed mid-frame would be garbage to the client.
        const connectionsCut = proxy.dropAll();
        proxy.loseAnswers(false);
        injected.lostAnswers = { atMs, forMs: fault.forMs, connectionsCut };
        ctx.log(`chaos: ${sec(atMs + fault.forMs)} answers flow again; cut ${connectionsCut} connections`);
        return null;
      }
      case "slow-consumer-check": {
        summary.memory.atSlowConsumerCheckMb = rss?.now() ?? null;
        if (slow !== undefined) {
          summary.slowConsumer = await slow.check();
          ctx.log(`chaos: ${sec(atMs)} slow consumer reads again: ${summary.slowConsumer.closed === null ? "still open" : `closed (${summary.slowConsumer.closed.code})`}`);
        }
        return null;
      }
      case "kill": {
        await backend!.kill9();
        const killedAt = Date.now();
        ctx.log(`chaos: ${sec(atMs)} SIGKILL; restarting on the same data file`);
        await backend!.restart();
        injected.kill = { atMs, restartMs: Date.now() - killedAt };
        ctx.log(`chaos: backend listening again after ${sec(Date.now() - killedAt)}`);
        return Date.now();
      }
      default:
        return fault satisfies never;
    }
  }

  function finish(): DrillSummary {
    summary.stoppedEarly = aborted();
    if (rss !== undefined) Object.assign(summary.memory, rss.stop());
    if (backend !== undefined) summary.proxy = { ...backend.proxy.counts };
    summary.wallMs = Date.now() - startedAt;
    return summary;
  }
}

/** Resolves when `signal` aborts; never otherwise. */
function abortion(signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => signal?.addEventListener("abort", () => resolve(), { once: true }));
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

function sec(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
