import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { decodeHistogram, encodeHistogram, mergeHistograms, newHistogram, summarize } from "../../src/metrics/histogram.ts";

const stream = fc.array(fc.integer({ min: 1, max: 120_000_000 }), { minLength: 1, maxLength: 400 });

describe("HDR histograms", () => {
  test("encode then decode keeps every count", () => {
    fc.assert(
      fc.property(stream, (values) => {
        const h = newHistogram();
        for (const v of values) h.recordValue(v);
        const back = decodeHistogram(encodeHistogram(h));
        expect(back.totalCount).toBe(h.totalCount);
        for (const p of [0, 50, 90, 99, 99.9, 100]) expect(back.getValueAtPercentile(p)).toBe(h.getValueAtPercentile(p));
      }),
      { numRuns: 50 },
    );
  });

  test("merging the encoded halves of a stream gives exactly the whole stream's histogram", () => {
    fc.assert(
      fc.property(stream, fc.nat(), (values, cut) => {
        const split = cut % (values.length + 1);
        const whole = newHistogram();
        const first = newHistogram();
        const second = newHistogram();
        values.forEach((v, i) => {
          whole.recordValue(v);
          (i < split ? first : second).recordValue(v);
        });
        const merged = mergeHistograms([decodeHistogram(encodeHistogram(first)), decodeHistogram(encodeHistogram(second))]);
        expect(summarize(merged)).toEqual(summarize(whole));
        expect(encodeHistogram(merged)).toBe(encodeHistogram(whole));
      }),
      { numRuns: 50 },
    );
  });

  test("percentiles are within 0.1 % of the recorded values (3 significant digits)", () => {
    const h = newHistogram();
    for (let i = 1; i <= 100_000; i++) h.recordValue(i * 10);
    const s = summarize(h);
    expect(Math.abs(s.p50 - 500_000) / 500_000).toBeLessThan(0.001);
    expect(Math.abs(s.p99 - 990_000) / 990_000).toBeLessThan(0.001);
    expect(s.count).toBe(100_000);
  });

  test("an empty histogram summarises to zeros", () => {
    expect(summarize(newHistogram())).toEqual({ count: 0, min: 0, mean: 0, p50: 0, p90: 0, p95: 0, p99: 0, p99_9: 0, max: 0 });
  });
});
