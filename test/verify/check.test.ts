// The rules a check applies: healthy sessions active, sessions silent past
// 3 minutes (or left) inactive, counts equal to the active rows — on the
// virtual clock exactly, in real time with the bound that cannot cry wolf.
import { describe, expect, test } from "vitest";
import { runCheck, type GameObservation } from "../../src/verify/check.ts";
import { expectationAt, newTruth, recordContact, type SessionTruth } from "../../src/verify/truth.ts";

const MIN = 60_000;
const game = (states: [string, boolean][], viewerCount: number | null = states.filter(([, a]) => a).length): GameObservation => ({
  sessions: new Map(states.map(([id, active]) => [id, { active, lastHeartbeat: 0 }])),
  viewerCount,
});
const at = (ms: number, toleranceMs = 0) => ({ fromMs: ms, toMs: ms, toleranceMs });

describe("expectationAt", () => {
  const truth = newTruth("s", 0, 0, 0, 0);
  test.each([
    [2 * MIN, "active"],
    [2 * MIN + 1, "either"],
    [3 * MIN - 1, "either"],
    [3 * MIN, "inactive"],
  ])("on the virtual clock, %i ms after the last heartbeat: %s", (ms, expected) => {
    expect(expectationAt(truth, ms, ms, 0)).toBe(expected);
  });

  test("in real time it judges from the send time for 'active' and the acknowledgement for 'inactive', with tolerance", () => {
    const t = newTruth("s", 0, 0, 1_000, 3_000);
    expect(expectationAt(t, 2 * MIN - 4_500, 2 * MIN - 4_000, 5_000)).toBe("active");
    expect(expectationAt(t, 2 * MIN - 3_000, 2 * MIN - 3_000, 5_000)).toBe("either");
    expect(expectationAt(t, 3 * MIN + 7_999, 3 * MIN + 9_000, 5_000)).toBe("either");
    expect(expectationAt(t, 3 * MIN + 8_000, 3 * MIN + 9_000, 5_000)).toBe("inactive");
  });

  test("a left session is inactive at once; a comeback makes it healthy again", () => {
    const t = newTruth("s", 0, 0, 0, 0);
    t.left = true;
    expect(expectationAt(t, 1, 1, 0)).toBe("inactive");
    recordContact(t, 10 * MIN, 10 * MIN);
    expect(expectationAt(t, 10 * MIN, 10 * MIN, 0)).toBe("active");
  });
});

describe("runCheck", () => {
  const truths = (): SessionTruth[] => [newTruth("healthy", 0, 0, 5 * MIN, 5 * MIN), newTruth("stale", 0, 1, 0, 0), newTruth("quiet", 0, 2, 4 * MIN + 30_000, 4 * MIN + 30_000)];

  test("a correct backend passes, and a retirement is counted once", () => {
    const t = truths();
    const first = runCheck(t, [game([["healthy", true], ["stale", false], ["quiet", true]])], at(6 * MIN));
    expect(first).toEqual({ sessionsChecked: 3, countsChecked: 1, countMismatches: [], retiredEarly: [], retiredLate: [], retired: 1 });
    expect(runCheck(t, [game([["healthy", true], ["stale", false], ["quiet", false]])], at(7 * MIN)).retired).toBe(1);
  });

  test("a healthy session inactive, a stale one active and a wrong count are each found, each session once", () => {
    const t = truths();
    const bad = game([["healthy", false], ["stale", true], ["quiet", true]], 3);
    const findings = runCheck(t, [bad], at(6 * MIN));
    expect(findings.retiredEarly).toEqual([expect.stringMatching(/^healthy: inactive 60 s after its last heartbeat/)]);
    expect(findings.retiredLate).toEqual([expect.stringMatching(/^stale: still active 360 s after/)]);
    expect(findings.countMismatches).toEqual(["game 1: getViewerCount says 3, 2 sessions are active"]);
    const again = runCheck(t, [bad], at(6 * MIN));
    expect([again.retiredEarly, again.retiredLate]).toEqual([[], []]);
    expect(again.countMismatches).toHaveLength(1);
  });

  test("an acknowledged join without a row is a lost write; a count read while it moved is not compared", () => {
    const findings = runCheck([newTruth("ghost", 0, 0, 0, 0)], [game([], null)], at(MIN));
    expect(findings.retiredEarly).toEqual(["ghost: joined (acknowledged) but has no row"]);
    expect(findings.countsChecked).toBe(0);
  });
});
