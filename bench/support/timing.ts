// Sampling loops for the benchmark: a fixed warm-up, then samples until a
// count or a time budget runs out (whichever first), recorded in an HDR
// histogram in integer microseconds like every other latency in csn-rt.
import { newHistogram, summarize, type Histogram, type LatencySummary } from "../../src/metrics/histogram.ts";

export type Budget = {
  /** Unrecorded iterations first (JIT, connection warm-up). */
  readonly warmup: number;
  readonly samples: number;
  /** Wall-clock cap on the recorded part. */
  readonly maxMs: number;
};

/** One measurement, repeatable: resolves with a latency in µs, or null when its outcome was lost. */
export type Probe = (index: number) => Promise<number | null>;

export type Sampled = LatencySummary & {
  /** Iterations whose outcome was lost (e.g. an update some receiver never saw). */
  readonly lost: number;
  /** True when the time budget, not the sample count, ended the loop. */
  readonly cutShort: boolean;
};

/** Microseconds between two performance.now() readings, at least 1. */
export function microsBetween(startMs: number, endMs: number): number {
  return Math.max(1, Math.round((endMs - startMs) * 1000));
}

export async function sample(budget: Budget, probe: Probe): Promise<Sampled> {
  const [sampled] = await sampleInterleaved([probe], { ...budget, block: budget.samples });
  return sampled;
}

/**
 * Several probes measured in alternating blocks of `block` samples, so load
 * from elsewhere on the machine falls on all of them alike and the ratios
 * between them hold even when absolute figures drift.
 */
export async function sampleInterleaved(probes: readonly Probe[], budget: Budget & { readonly block: number }): Promise<Sampled[]> {
  let index = 0;
  for (const probe of probes) for (let i = 0; i < budget.warmup; i++) await probe(index++);
  const tallies = probes.map(() => ({ histogram: newHistogram() as Histogram, recorded: 0, lost: 0 }));
  const deadline = performance.now() + budget.maxMs;
  while (tallies.some((t) => t.recorded < budget.samples) && performance.now() < deadline) {
    for (let p = 0; p < probes.length; p++) {
      const tally = tallies[p];
      for (let i = 0; i < budget.block && tally.recorded < budget.samples && performance.now() < deadline; i++) {
        const us = await probes[p](index++);
        tally.recorded++;
        if (us === null) tally.lost++;
        else tally.histogram.recordValue(us);
      }
    }
  }
  return tallies.map((t) => ({ ...summarize(t.histogram), lost: t.lost, cutShort: t.recorded < budget.samples }));
}
