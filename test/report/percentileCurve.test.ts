import { describe, expect, it } from "vitest";
import { newHistogram } from "../../src/metrics/histogram.ts";
import { percentileAxisMax, percentileAxisTicks, percentileCurve } from "../../src/report/html/percentileCurve.ts";
import { niceTicks } from "../../src/report/html/svg/scales.ts";

describe("percentile curve", () => {
  it("runs from the smallest value at 0% to the largest, with x = 1/(1 − p)", () => {
    const h = newHistogram();
    for (let v = 1; v <= 1000; v++) h.recordValue(v);
    const curve = percentileCurve(h);
    expect(curve[0]).toEqual([1, 1]);
    expect(curve[curve.length - 1]).toEqual([1000, 1000]);
    const at90 = curve.find(([x]) => Math.abs(x - 10) < 1e-9)!;
    expect(at90[1]).toBe(h.getValueAtPercentile(90));
    for (let i = 1; i < curve.length; i++) {
      expect(curve[i][0]).toBeGreaterThan(curve[i - 1][0]);
      expect(curve[i][1]).toBeGreaterThanOrEqual(curve[i - 1][1]);
    }
  });

  it("is one point for one sample and empty for none", () => {
    const h = newHistogram();
    expect(percentileCurve(h)).toEqual([]);
    h.recordValue(42);
    expect(percentileCurve(h)).toEqual([[1, 42]]);
  });

  it("labels each decade of the axis as the percentile it stands for", () => {
    expect(percentileAxisMax([[[1, 5], [1500, 9]]])).toBe(10_000);
    expect(percentileAxisTicks(10_000).map((t) => t.label)).toEqual(["0%", "90%", "99%", "99.9%", "99.99%"]);
  });
});

describe("nice ticks", () => {
  it("uses round steps and reaches past the maximum", () => {
    expect(niceTicks(0, 7)).toEqual([0, 2, 4, 6, 8]);
    expect(niceTicks(0, 0.3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0, 0)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});
