// Seeded randomness for scenarios: the same --seed gives the same viewers,
// jitter and churn, so two runs differ only in what was measured.

/** mulberry32: tiny, fast, and good enough for jitter and sampling (not for secrets). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A child stream for one part of a scenario ("viewer 17", "worker 2"), independent of the others. */
export function deriveSeed(seed: number, ...parts: (string | number)[]): number {
  let hash = seed >>> 0 || 1;
  for (const part of parts) {
    const text = String(part);
    for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193) >>> 0;
    hash = Math.imul(hash ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  }
  return hash;
}
