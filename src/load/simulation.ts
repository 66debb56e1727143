// One simulation from start to report: bring up (or reach) the backend, seed
// it, run the load across processes, build the report and write it. The
// command layer decides what to print; this module only calls back.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { Report } from "../metrics/report.ts";
import { backendBusyNote, summarizeBackendHealth } from "../metrics/backendHealth.ts";
import { buildReport } from "../metrics/buildReport.ts";
import type { Threshold } from "../metrics/thresholds.ts";
import type { ScenarioConfig } from "../scenarios/config.ts";
import { runKey, shardNote } from "../scenarios/partition.ts";
import type { Scenario } from "../scenarios/scenario.ts";
import { generateAdminKey } from "../backend/auth/index.ts";
import { httpAdminApi } from "./adminApi.ts";
import { startBackendHealthPoller } from "./backendHealthPoller.ts";
import { describeOutages, outageMs, startBackendProbe } from "./backendProbe.ts";
import { runLoad, type RunSnapshot } from "./coordinator.ts";
import { startEmbeddedBackend, type EmbeddedBackend } from "./embeddedBackend.ts";
import { newRunId } from "./processRuntime.ts";
import { authEnvironment, type SigningKey } from "./tokens.ts";

export type BackendChoice =
  | { kind: "embedded"; functionsDir: string }
  | { kind: "remote"; url: string; adminKey: string };

export type SimulationPlan = {
  scenario: Scenario<unknown>;
  config: ScenarioConfig;
  thresholds: Threshold[];
  backend: BackendChoice;
  auth: { key: SigningKey; issuer: string; audience?: string };
  /** 1-based, as the user typed it. */
  shard?: { index: number; count: number };
  reportPath: string;
  toolVersion: string;
};

export type SimulationIo = {
  signal: AbortSignal;
  log(line: string): void;
  progress(snapshot: RunSnapshot): void;
};

export async function runSimulation(plan: SimulationPlan, io: SimulationIo): Promise<{ report: Report; reportPath: string }> {
  let embedded: EmbeddedBackend | null = null;
  try {
    if (plan.backend.kind === "embedded") {
      io.log("starting the embedded backend…");
      embedded = await startEmbeddedBackend({
        functionsDir: plan.backend.functionsDir,
        clock: "real",
        authEnv: authEnvironment(plan.auth.key, plan.auth.issuer),
        adminKey: generateAdminKey(),
      });
      io.log(`embedded backend at ${embedded.url}`);
    }
    const url = embedded?.url ?? (plan.backend as { url: string }).url;
    const adminKey = embedded?.adminKey ?? (plan.backend as { adminKey: string }).adminKey;
    const admin = httpAdminApi(url, adminKey);

    // Every shard seeds the same run key, so all of them find the same games (scenarios/partition.ts).
    const shard = plan.shard ? { index: plan.shard.index - 1, count: plan.shard.count } : { index: 0, count: 1 };
    const key = runKey(plan.scenario.name, plan.config.seed);
    io.log(`seeding ${plan.scenario.name} (run key ${key}${plan.shard ? `, shard ${plan.shard.index} of ${plan.shard.count}` : ""})…`);
    const seed = await plan.scenario.prepare(admin, plan.config, io.log, { key, shard });
    const runId = newRunId();
    io.log(`running ${plan.scenario.name} (run ${runId}) with ${plan.config.workers} load process(es)…`);
    // Outages (a crash and restart, a network cut) are counted and named in the report, not only felt as latency.
    const probe = startBackendProbe(url);
    const probeStartedAt = Date.now();
    const healthPoller = startBackendHealthPoller(url, adminKey);
    let result;
    try {
      result = await runLoad({
        scenario: plan.scenario,
        config: plan.config,
        seed: seed as never,
        url,
        runId,
        auth: plan.auth,
        shard,
        signal: io.signal,
        onSnapshot: (snapshot) => io.progress({ ...snapshot, backendHealth: healthPoller.latest() }),
        onLog: io.log,
      });
    } catch (error) {
      await Promise.all([probe.stop(), healthPoller.stop()]);
      throw error;
    }
    result.metrics.count("reconnects", result.reconnects);
    const [outages, health] = await Promise.all([probe.stop(), healthPoller.stop(result.loadWindow)]);
    const backendHealth = health.available && health.samples.length > 0 ? summarizeBackendHealth(health.samples) : undefined;
    result.metrics.count("backend_outages", outages.length);
    result.metrics.count("backend_outage_ms", outageMs(outages, Date.now() - probeStartedAt));

    const notes = [
      ...describeOutages(outages, result.reconnects),
      ...result.errors.map((e) => `load process error: ${e}`),
      ...result.logs.filter((l) => l.startsWith("note:")).map((l) => l.slice(5).trim()),
    ];
    if (result.partial && io.signal.aborted) notes.push("stopped early by the user; delivery counts cover only the part that ran");
    if (plan.shard) notes.push(shardNote(plan.config.games, shard));
    const busy = backendHealth && backendBusyNote(backendHealth);
    if (busy) notes.push(busy);
    const report = buildReport({
      toolVersion: plan.toolVersion,
      command: "simulate",
      scenario: plan.scenario.name,
      config: { ...plan.config, thresholds: plan.thresholds.map((t) => t.expression) },
      metrics: result.metrics,
      healthSamples: result.healthSamples,
      runLagP99Ms: result.runLagP99Ms,
      processes: result.processes,
      thresholds: plan.thresholds,
      backend: { kind: plan.backend.kind, url },
      startedAt: result.startedAt,
      endedAt: result.endedAt,
      partial: result.partial,
      shard: plan.shard,
      notes,
      backendHealth,
    });
    await mkdir(dirname(plan.reportPath), { recursive: true });
    await writeFile(plan.reportPath, JSON.stringify(report, null, 2) + "\n");
    return { report, reportPath: plan.reportPath };
  } finally {
    await embedded?.stop();
  }
}
