// What part (d) measures, shared by both runners so they do exactly the same
// work: 10,000 documents seeded in batches by the same mutation, then the same
// index-range query timed over the same ranges with the same budget.
import { SEED_BATCH } from "../app/bench.ts";
import { microsBetween, sample, type Budget, type Sampled } from "../support/timing.ts";

export const DOCUMENTS = 10_000;

export const RANGES = [
  { key: "tenth", label: "1,000 of 10,000 docs", lo: 4_500, hi: 5_500 },
  { key: "all", label: "all 10,000 docs", lo: 0, hi: DOCUMENTS },
] as const;

export type RangeKey = (typeof RANGES)[number]["key"];
export type RangeResults = Record<RangeKey, Sampled>;

// A full 10,000-row read takes tens of ms on either side: 100 samples or 8 s per range.
const BUDGET: Budget = { warmup: 5, samples: 100, maxMs: 8_000 };

export async function seedDocuments(seed: (from: number, count: number) => Promise<void>): Promise<void> {
  for (let from = 0; from < DOCUMENTS; from += SEED_BATCH) await seed(from, Math.min(SEED_BATCH, DOCUMENTS - from));
}

export async function measureRanges(run: (lo: number, hi: number) => Promise<{ rows: number }>): Promise<RangeResults> {
  const results: Partial<RangeResults> = {};
  for (const range of RANGES) {
    const expected = range.hi - range.lo;
    results[range.key] = await sample(BUDGET, async () => {
      const started = performance.now();
      const { rows } = await run(range.lo, range.hi);
      const us = microsBetween(started, performance.now());
      if (rows !== expected) throw new Error(`range ${range.lo}..${range.hi} returned ${rows} rows, expected ${expected}`);
      return us;
    });
  }
  return results as RangeResults;
}
