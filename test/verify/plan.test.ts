// The verifier's plan: fates in their shares, decided by the seed, and
// timelines that put every fate's outcome inside the run.
import { describe, expect, test } from "vitest";
import { DEFAULT_VERIFY_CONFIG, MIN_MINUTES, validateVerifyConfig, type VerifyConfig } from "../../src/verify/config.ts";
import { buildSteps, FATE_SHARES, HEARTBEAT_INTERVAL_MS, planSessions, type Fate } from "../../src/verify/plan.ts";

const config = (over: Partial<VerifyConfig> = {}): VerifyConfig => ({ ...DEFAULT_VERIFY_CONFIG, ...over });

describe("planSessions", () => {
  test("the same seed gives the same fates and timings; another seed does not", () => {
    const strip = (plans: ReturnType<typeof planSessions>) => plans.map(({ sessionId: _, ...rest }) => rest);
    expect(strip(planSessions(config(), "aaaaaaaa"))).toEqual(strip(planSessions(config(), "bbbbbbbb")));
    expect(strip(planSessions(config({ seed: 2 }), "aaaaaaaa"))).not.toEqual(strip(planSessions(config(), "aaaaaaaa")));
  });

  test("fates follow their shares exactly, every fate is present even in a tiny run, and session ids are unique UUIDs", () => {
    const plans = planSessions(config({ sessions: 1000 }), "0123abcd");
    const count = (fate: Fate) => plans.filter((p) => p.fate === fate).length;
    for (const fate of Object.keys(FATE_SHARES) as Fate[]) expect(count(fate)).toBe(FATE_SHARES[fate] * 1000);
    const tiny = planSessions(config({ sessions: 5 }), "0123abcd");
    expect(new Set(tiny.map((p) => p.fate)).size).toBe(5);
    expect(new Set(plans.map((p) => p.sessionId)).size).toBe(1000);
    for (const p of plans) expect(p.sessionId).toMatch(/^0123abcd-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  test("a short drop stays inside 2 minutes, a long one lasts past 3, and everything happens before 7 minutes", () => {
    for (const p of planSessions(config({ sessions: 2000, seed: 7 }), "00000000")) {
      if (p.fate === "dropShort") expect(p.returnAtMs! - p.stopAtMs!).toBeLessThanOrEqual(90_000);
      if (p.fate === "dropLong") expect(p.returnAtMs! - p.stopAtMs!).toBeGreaterThanOrEqual(210_000);
      expect(Math.max(p.stopAtMs ?? 0, p.returnAtMs ?? 0)).toBeLessThan(7 * 60_000);
      expect(p.joinAtMs % 1000).toBe(0);
    }
  });
});

describe("buildSteps", () => {
  test("heartbeats come every 30 s while a session is healthy, none while it is away, and a check ends every minute", () => {
    const cfg = config({ sessions: 200, stale: 1200, minutes: MIN_MINUTES });
    const plans = planSessions(cfg, "00000000");
    const steps = buildSteps(plans, cfg);
    expect(steps.filter((s) => s.check).map((s) => s.atMs)).toEqual(Array.from({ length: MIN_MINUTES }, (_, i) => (i + 1) * 60_000));
    expect(steps[0].actions.filter((a) => a.kind === "joinStale").map((a) => (a as { count: number }).count)).toEqual([500, 500, 200]);
    const beats = new Map<number, number[]>();
    for (const step of steps) for (const a of step.actions) if (a.kind === "heartbeat") beats.set(a.session, [...(beats.get(a.session) ?? []), step.atMs]);
    for (const p of plans) {
      const times = [p.joinAtMs, ...(beats.get(p.index) ?? [])];
      for (let i = 1; i < times.length; i++) {
        const gap = times[i] - times[i - 1];
        const away = p.returnAtMs !== null && times[i - 1] === p.stopAtMs;
        if (!away) expect(gap).toBe(HEARTBEAT_INTERVAL_MS);
        else expect(times[i]).toBe(p.returnAtMs! + HEARTBEAT_INTERVAL_MS);
      }
      if (p.fate === "crash") expect(times.at(-1)).toBe(p.stopAtMs);
    }
  });
});

describe("validateVerifyConfig", () => {
  test("says what is wrong with each bad knob, all at once", () => {
    const problems = validateVerifyConfig(config({ sessions: 2, games: 0, stale: -1, minutes: 3, seed: 1.5 }));
    expect(problems).toHaveLength(5);
    expect(problems[3]).toMatch(/--minutes must be a whole number from 8/);
  });
});
