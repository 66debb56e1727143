// Is the load generator the bottleneck right now? The same limits that make
// a finished run inconclusive (generatorHealth.ts), applied to each load
// process's latest interval, plus any dropped arrival so far.
import { MAX_HEALTHY_CPU_PERCENT, MAX_HEALTHY_LAG_P99_MS, type HealthSample } from "../../load/generatorHealth.ts";

export type GeneratorStatus = {
  processes: number;
  /** The worst process's latest event-loop lag p99, ms. */
  lagP99Ms: number;
  /** The busiest process's latest CPU use, % of one core. */
  cpuPercent: number;
  droppedArrivals: number;
  /** Why the generator is holding the run back, each a short sentence; empty when healthy. */
  warnings: string[];
};

/** `latest` has one entry per process that has reported (holes for those that have not). */
export function generatorStatus(latest: readonly (HealthSample | undefined)[], droppedArrivals: number): GeneratorStatus {
  const samples = latest.filter((s): s is HealthSample => s !== undefined);
  const lagP99Ms = Math.max(0, ...samples.map((s) => s.lagP99Ms));
  const cpuPercent = Math.max(0, ...samples.map((s) => s.cpuPercent));
  const warnings: string[] = [];
  if (lagP99Ms > MAX_HEALTHY_LAG_P99_MS) warnings.push(`event-loop lag p99 ${lagP99Ms.toFixed(0)} ms is over ${MAX_HEALTHY_LAG_P99_MS} ms`);
  if (cpuPercent > MAX_HEALTHY_CPU_PERCENT) warnings.push(`a load process uses ${cpuPercent.toFixed(0)} % of a core (limit ${MAX_HEALTHY_CPU_PERCENT} %)`);
  if (droppedArrivals > 0) warnings.push(`${droppedArrivals} arrival${droppedArrivals === 1 ? "" : "s"} dropped (too many operations in flight)`);
  return { processes: samples.length, lagP99Ms, cpuPercent, droppedArrivals, warnings };
}
