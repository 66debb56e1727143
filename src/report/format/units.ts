// How report numbers read to a person. Reports store integer microseconds;
// people read milliseconds, so everything at or above 1 ms is shown in ms
// (or s past 10 s) with enough decimals to tell neighbouring values apart.

export function formatMicros(us: number): string {
  if (!Number.isFinite(us)) return "—";
  const abs = Math.abs(us);
  if (abs < 1_000) return `${Math.round(us)} µs`;
  if (abs < 10_000) return `${(us / 1_000).toFixed(2)} ms`;
  if (abs < 10_000_000) return `${(us / 1_000).toFixed(1)} ms`;
  return `${(us / 1_000_000).toFixed(2)} s`;
}

/** A change, always signed so "+0.00 ms" and "-0.00 ms" never read as the same thing. */
export function formatMicrosChange(us: number): string {
  return us >= 0 ? `+${formatMicros(us)}` : `-${formatMicros(-us)}`;
}

export function formatCount(n: number): string {
  return Number.isInteger(n) ? n.toLocaleString("en-US") : n.toFixed(2);
}

export function formatCountChange(n: number): string {
  return n >= 0 ? `+${formatCount(n)}` : `-${formatCount(-n)}`;
}

/** A relative change; undefined when there is nothing to be relative to (a baseline of 0). */
export function formatPercentChange(percent: number | undefined): string {
  if (percent === undefined) return "n/a";
  const text = Math.abs(percent) < 10 ? percent.toFixed(1) : percent.toFixed(0);
  return percent >= 0 ? `+${text}%` : `${text}%`;
}
