// What the drill reads out of simulate's report: its verdict, the
// reconnects and outages it counted, and whether its viewers still received
// updates after the backend was killed and restarted.
import type { Report } from "../metrics/report.ts";
import type { SimulateFindings } from "./drillSummary.ts";
import type { SimulateResult } from "./simulateChild.ts";

export function simulateFindings(result: SimulateResult, restartedAtMs: number | null): SimulateFindings {
  const report = result.report;
  const counters = report?.counters ?? {};
  return {
    code: result.code,
    verdict: report?.verdict ?? null,
    verdictReasons: report?.verdictReasons ?? [],
    status: report?.status ?? null,
    reconnects: counters.reconnects ?? 0,
    outages: counters.backend_outages ?? 0,
    outageMs: counters.backend_outage_ms ?? 0,
    deliveriesAfterRestart: report === null || restartedAtMs === null ? null : deliveriesAfter(report, restartedAtMs),
    deliveriesLost: counters.deliveries_lost ?? 0,
    problems: result.problems,
  };
}

/** Deliveries in the timeline intervals that began after `wallMs` (the restart). */
export function deliveriesAfter(report: Report, wallMs: number): number {
  const sinceS = (wallMs - Date.parse(report.startedAt)) / 1000;
  const intervalS = report.timeline.intervalMs / 1000;
  // A point's t is the end of its interval: only intervals wholly after the restart count.
  return report.timeline.points.filter((p) => p.t - intervalS >= sinceS).reduce((sum, p) => sum + (p.counters.deliveries_received ?? 0), 0);
}
