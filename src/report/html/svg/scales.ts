// Mapping data to pixels, and choosing axis ticks a person can read.

export type Scale = (value: number) => number;

export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0 || 1;
  return (v) => r0 + ((v - d0) / span) * (r1 - r0);
}

/** Domain values must be > 0; the caller chooses a positive domain. */
export function log10Scale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const linear = linearScale([Math.log10(domain[0]), Math.log10(domain[1])], range);
  return (v) => linear(Math.log10(Math.max(v, domain[0])));
}

/**
 * About `count` evenly spaced ticks on 1, 2 or 5 × 10^k from 0 (or `min`) up to
 * and including the first tick at or above `max`, which becomes the axis end.
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) max = min + 1;
  const rough = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(rough));
  const step = [1, 2, 5, 10].map((m) => m * magnitude).find((s) => s >= rough) ?? 10 * magnitude;
  const first = Math.floor(min / step) * step;
  const ticks: number[] = [];
  for (let v = first; v < max + step * 0.5; v += step) ticks.push(roundTo(v, step));
  if (ticks[ticks.length - 1] < max) ticks.push(roundTo(ticks[ticks.length - 1] + step, step));
  return ticks;
}

/** Removes float noise such as 0.30000000000000004 without losing the step's own precision. */
function roundTo(value: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number(value.toFixed(decimals));
}
