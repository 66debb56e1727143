// verify-cleanup's JSON report: the same schema as simulate's
// (src/metrics/report.ts, command "verify-cleanup"), its thresholds the
// lifecycle rules, and the generator judged by whether it kept its plan.
import { buildReport, generatorHealthOf } from "../metrics/buildReport.ts";
import type { GeneratorHealth, Report } from "../metrics/report.ts";
import type { RunMetrics } from "../metrics/runMetrics.ts";
import type { HealthSample } from "../load/generatorHealth.ts";
import type { VerifyPlan } from "./runVerifyCleanup.ts";

/** The CSN rules as thresholds: each violation counted once per session, each count check once per game and minute. */
export const VERIFY_THRESHOLDS = [
  "sessions_retired_early == 0",
  "sessions_retired_late == 0",
  "count_mismatches == 0",
  "mutation_errors == 0",
  // A run that retired nothing proved nothing about cleanup.
  "sessions_retired > 0",
] as const;

export const VERIFY_SCENARIO = "session-lifecycle";

export function verifyReport(input: {
  plan: VerifyPlan;
  url: string;
  backendKind: "embedded" | "remote";
  metrics: RunMetrics;
  healthSamples: readonly HealthSample[];
  startedAt: Date;
  endedAt: Date;
  partial: boolean;
  notes: string[];
}): Report {
  const { plan, metrics } = input;
  const runLag = input.healthSamples.at(-1)?.runLagP99Ms ?? 0;
  return buildReport({
    toolVersion: plan.toolVersion,
    command: "verify-cleanup",
    scenario: VERIFY_SCENARIO,
    config: { ...plan.config, thresholds: plan.thresholds.map((t) => t.expression) },
    metrics,
    healthSamples: input.healthSamples,
    runLagP99Ms: [runLag],
    processes: 1,
    thresholds: plan.thresholds,
    backend: { kind: input.backendKind, url: input.url },
    startedAt: input.startedAt,
    endedAt: input.endedAt,
    partial: input.partial,
    notes: input.notes,
    generator: keptItsPlan(generatorHealthOf(input.healthSamples, [runLag], 1, metrics.counter("dropped_arrivals"))),
  });
}

/**
 * The verifier's health is whether every step ran when planned, not its
 * event-loop lag: on the virtual clock time waits for it, and in real time
 * the rules have minutes of margin. A step begun late (real time only)
 * counts as a dropped arrival and makes the run inconclusive.
 */
function keptItsPlan(measured: GeneratorHealth): GeneratorHealth {
  const late = measured.droppedArrivals;
  return {
    ...measured,
    healthy: late === 0,
    reasons: late === 0 ? [] : [`${late} planned steps began more than 10 s late: the verifier could not keep its schedule`],
  };
}
