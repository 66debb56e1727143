// `verify-cleanup` from start to report: reach (or start) the backend, seed
// games, connect the viewers, play every session's planned lifecycle step by
// step (plan.ts), check the backend after every minute (check.ts), and
// write the report. The command layer decides what to print.
import { randomBytes } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import pLimit from "p-limit";
import { generateAdminKey } from "../backend/auth/index.ts";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import { httpAdminApi } from "../load/adminApi.ts";
import { startEmbeddedBackend, type EmbeddedBackend } from "../load/embeddedBackend.ts";
import { HealthSampler } from "../load/generatorHealth.ts";
import { authEnvironment, createTokenMinter, type SigningKey } from "../load/tokens.ts";
import { MetricsRecorder } from "../metrics/recorder.ts";
import type { Report } from "../metrics/report.ts";
import type { Threshold } from "../metrics/thresholds.ts";
import type { VerifyConfig } from "./config.ts";
import { LifecycleRun, type LifecycleIo } from "./lifecycleRun.ts";
import { buildSteps, planSessions } from "./plan.ts";
import { realClock, readBackendClock, virtualClock, type VerifierClock } from "./timeSource.ts";
import { VerifierViewers } from "./viewers.ts";
import { verifyReport } from "./verifyReport.ts";

export type VerifyBackend = { kind: "embedded"; functionsDir: string } | { kind: "remote"; url: string; adminKey: string };

export type VerifyPlan = {
  config: VerifyConfig;
  backend: VerifyBackend;
  auth: { key: SigningKey; issuer: string; audience?: string };
  thresholds: Threshold[];
  reportPath: string;
  toolVersion: string;
};

export type VerifyIo = LifecycleIo;

/** Lifecycle viewers connecting at once (each a WebSocket plus, if signed in, a token check). */
const CONNECT_CONCURRENCY = 64;

export async function runVerifyCleanup(plan: VerifyPlan, io: VerifyIo): Promise<{ report: Report; reportPath: string }> {
  const { config } = plan;
  const startedAt = new Date();
  let embedded: EmbeddedBackend | null = null;
  let viewers: VerifierViewers | null = null;
  const health = new HealthSampler();
  try {
    if (plan.backend.kind === "embedded") {
      io.log(`starting the embedded backend (clock: ${config.clock})…`);
      embedded = await startEmbeddedBackend({
        functionsDir: plan.backend.functionsDir,
        clock: config.clock,
        authEnv: authEnvironment(plan.auth.key, plan.auth.issuer),
        adminKey: generateAdminKey(),
      });
    }
    const url = embedded?.url ?? (plan.backend as { url: string }).url;
    const adminKey = embedded?.adminKey ?? (plan.backend as { adminKey: string }).adminKey;
    const admin = httpAdminApi(url, adminKey);

    const recorder = new MetricsRecorder();
    let clock: VerifierClock = realClock;
    if (config.clock === "virtual") {
      const state = await readBackendClock(url);
      if (state === null || state.mode !== "virtual") {
        throw new CliError(
          `--clock virtual needs a csn-rt backend started with --clock virtual; ${url} runs on ${state === null ? "a clock csn-rt cannot move" : "the real clock"}`,
          ExitCode.badUsage,
          "use --clock real against a Convex deployment (the run then takes --minutes of real time)",
        );
      }
      clock = virtualClock(state.now, (ms) => admin.advanceClock(ms), (us) => recorder.record("clock_advance_us", us));
    }

    io.log(`seeding ${config.games} game(s)…`);
    const gameIds = await admin.mutation<string[]>("seed:createGames", { count: config.games });
    const sessions = planSessions(config, randomBytes(4).toString("hex"));
    const steps = buildSteps(sessions, config);
    const minter = await createTokenMinter({ key: plan.auth.key, issuer: plan.auth.issuer, audience: plan.auth.audience });
    viewers = new VerifierViewers(url, (subject) => (subject === null ? Promise.resolve(null) : minter.mint({ subject, name: subject })));
    io.log(`connecting ${sessions.length.toLocaleString("en-US")} viewers…`);
    const connectLimit = pLimit(CONNECT_CONCURRENCY);
    await Promise.all(sessions.map((s) => connectLimit(() => viewers!.connect(s.index, s.subject))));

    const run = new LifecycleRun(config, io, admin, gameIds, sessions, viewers, clock, recorder);
    const outcome = await run.play(steps, health);
    const endedAt = new Date();
    const report = verifyReport({
      plan,
      url,
      backendKind: plan.backend.kind,
      metrics: outcome.metrics,
      healthSamples: outcome.healthSamples,
      startedAt,
      endedAt,
      partial: outcome.partial,
      notes: outcome.notes,
    });
    await mkdir(dirname(plan.reportPath), { recursive: true });
    await writeFile(plan.reportPath, JSON.stringify(report, null, 2) + "\n");
    return { report, reportPath: plan.reportPath };
  } finally {
    health.stop();
    await viewers?.closeAll();
    await embedded?.stop();
  }
}

