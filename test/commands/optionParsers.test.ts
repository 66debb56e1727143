// Durations as a person types them, and said back the same way when one is
// out of range — also when it came from a config file in milliseconds.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { formatDuration, parseDuration } from "../../src/commands/optionParsers.ts";
import { BASE_CONFIG, validateBaseConfig } from "../../src/scenarios/config.ts";

describe("durations", () => {
  test.each([
    ["90s", 90_000],
    ["2m", 120_000],
    ["500ms", 500],
    ["1.5h", 5_400_000],
    ["45", 45_000],
  ])("%s is %d ms", (text, ms) => {
    expect(parseDuration("--duration", text)).toEqual({ ok: true, value: ms });
  });

  test("anything else is refused with an example of what to type", () => {
    expect(parseDuration("--ramp", "-1s")).toEqual({ ok: false, error: '--ramp must be a duration like 30s, 2m or 500ms, got "-1s"' });
  });

  test.each([
    [86_400_000, "24h"],
    [600_000, "10m"],
    [1_500, "1500ms"],
    [30_000, "30s"],
    [0, "0s"],
  ])("%d ms is said as %s", (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  test("what formatDuration says parses back to the same milliseconds", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 48 * 3_600_000 }), (ms) => {
        expect(parseDuration("--duration", formatDuration(ms))).toEqual({ ok: true, value: ms });
      }),
    );
  });

  test("an out-of-range duration is named in units, whichever way it was given", () => {
    expect(validateBaseConfig({ ...BASE_CONFIG, durationMs: 0, gracePeriodMs: 660_000 })).toEqual([
      "--duration must be from 1ms to 24h, got 0s",
      "--grace must be from 0s to 10m, got 11m",
    ]);
    expect(validateBaseConfig({ ...BASE_CONFIG, rampMs: 2.5 })).toEqual(["--ramp must be from 0s to 1h, got 2.5ms"]);
  });
});
