import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RollingCursor } from "../../../src/backend/server/rollingCursor.ts";

const keys = (entries: Array<[string, number]>) => entries.map(([key]) => key);

describe("the rolling cursor the sweep walks connections with", () => {
  it("hands out a map a few entries at a time, then starts the next round from the first", () => {
    const map = new Map(["a", "b", "c", "d", "e"].map((key, i) => [key, i]));
    const cursor = new RollingCursor(map);
    expect(keys(cursor.take(2))).toEqual(["a", "b"]);
    expect(keys(cursor.take(2))).toEqual(["c", "d"]);
    expect(keys(cursor.take(2))).toEqual(["e"]);
    expect(keys(cursor.take(2))).toEqual(["a", "b"]);
  });

  it("starts the next round at once when the last one ended exactly on a take", () => {
    const map = new Map([["a", 1], ["b", 2]]);
    const cursor = new RollingCursor(map);
    expect(keys(cursor.take(2))).toEqual(["a", "b"]);
    expect(keys(cursor.take(2))).toEqual(["a", "b"]);
  });

  it("skips entries deleted mid-round; those added mid-round come in the next round", () => {
    const map = new Map([["a", 1], ["b", 2], ["c", 3]]);
    const cursor = new RollingCursor(map);
    expect(keys(cursor.take(1))).toEqual(["a"]);
    map.delete("b");
    map.set("d", 4);
    expect(keys(cursor.take(5))).toEqual(["c"]);
    expect(keys(cursor.take(5))).toEqual(["a", "c", "d"]);
  });

  it("visits every entry that lives through a round exactly once in it, whatever the step sizes and churn", () => {
    const step = fc.record({ take: fc.integer({ min: 1, max: 7 }), add: fc.nat(3), remove: fc.nat(3) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 40 }), fc.array(step, { maxLength: 60 }), (initial, steps) => {
        const map = new Map<number, number>();
        let next = 0;
        for (; next < initial; next++) map.set(next, next);
        const cursor = new RollingCursor(map);
        let round = cursor.round;
        let seen = new Map<number, number>();
        let livedThrough = new Set<number>();
        for (const { take, add, remove } of steps) {
          const before = new Set(map.keys());
          const taken = cursor.take(take);
          expect(taken.length).toBeLessThanOrEqual(take);
          if (cursor.round !== round) {
            for (const key of livedThrough) expect(seen.get(key)).toBe(1);
            round = cursor.round;
            seen = new Map();
            livedThrough = before;
          }
          for (const [key, value] of taken) {
            expect(map.get(key)).toBe(value);
            seen.set(key, (seen.get(key) ?? 0) + 1);
            expect(seen.get(key)).toBe(1);
          }
          for (const key of [...map.keys()].slice(0, remove)) {
            map.delete(key);
            livedThrough.delete(key);
          }
          for (let i = 0; i < add; i++, next++) map.set(next, next);
        }
      }),
    );
  });
});
