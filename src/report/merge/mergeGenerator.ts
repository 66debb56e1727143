// Generator health of several load processes (shards) or runs combined.
// The question it answers is "did any generator fall behind?", so the worst
// value wins: lag and peak CPU are the maximum across inputs (percentiles of
// lag cannot be merged either; the maximum is an upper bound), dropped
// arrivals add up, and the whole is healthy only if every input was.
// The mean CPU is a mean over processes, so it combines exactly as a
// process-weighted mean.
import type { GeneratorHealth } from "../../metrics/report.ts";

export function mergeGeneratorHealth(inputs: readonly { label: string; generator: GeneratorHealth }[]): GeneratorHealth {
  const gs = inputs.map((i) => i.generator);
  const processes = sum(gs.map((g) => g.processes));
  const reasons = inputs.flatMap(({ label, generator }) => {
    // An unhealthy input must keep the merged run inconclusive even if it gave no reason.
    const own = generator.healthy || generator.reasons.length > 0 ? generator.reasons : ["the generator reported itself unhealthy"];
    return own.map((r) => (inputs.length > 1 ? `${label}: ${r}` : r));
  });
  return {
    processes,
    eventLoopLagMs: {
      p50: Math.max(...gs.map((g) => g.eventLoopLagMs.p50)),
      p99: Math.max(...gs.map((g) => g.eventLoopLagMs.p99)),
      max: Math.max(...gs.map((g) => g.eventLoopLagMs.max)),
    },
    cpuPercent: {
      mean: sum(gs.map((g) => g.cpuPercent.mean * g.processes)) / processes,
      max: Math.max(...gs.map((g) => g.cpuPercent.max)),
    },
    droppedArrivals: sum(gs.map((g) => g.droppedArrivals)),
    healthy: gs.every((g) => g.healthy),
    reasons: [...new Set(reasons)],
  };
}

function sum(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0);
}
