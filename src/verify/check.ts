// One check: what the backend shows (every session's state, every game's
// viewer count) against what each session's history allows (truth.ts).
// Pure: the caller reads the backend and records the findings.
import { expectationAt, type SessionTruth } from "./truth.ts";

export type ObservedSession = { readonly active: boolean; readonly lastHeartbeat: number };

export type GameObservation = {
  /** sessionId → state, for every session row of the game. */
  readonly sessions: ReadonlyMap<string, ObservedSession>;
  /** getViewerCount, or null when it changed while the rows were read (real time only). */
  readonly viewerCount: number | null;
};

export type CheckFindings = {
  sessionsChecked: number;
  countsChecked: number;
  countMismatches: string[];
  /** Healthy sessions found inactive (or missing). */
  retiredEarly: string[];
  /** Sessions past the retirement limit still active. */
  retiredLate: string[];
  /** Silent sessions seen retired by cleanup for the first time since they went silent. */
  retired: number;
};

export function runCheck(
  truths: Iterable<SessionTruth>,
  games: readonly GameObservation[],
  window: { fromMs: number; toMs: number; toleranceMs: number },
): CheckFindings {
  const findings: CheckFindings = { sessionsChecked: 0, countsChecked: 0, countMismatches: [], retiredEarly: [], retiredLate: [], retired: 0 };
  for (const truth of truths) {
    const observed = games[truth.game]?.sessions.get(truth.sessionId);
    findings.sessionsChecked += 1;
    const expected = expectationAt(truth, window.fromMs, window.toMs, window.toleranceMs);
    if (observed === undefined) {
      // An acknowledged join without a row is a lost write.
      if (!truth.flaggedEarly) findings.retiredEarly.push(`${truth.sessionId}: joined (acknowledged) but has no row`);
      truth.flaggedEarly = true;
      continue;
    }
    if (expected === "active" && !observed.active && !truth.flaggedEarly) {
      truth.flaggedEarly = true;
      findings.retiredEarly.push(`${truth.sessionId}: inactive ${secondsSince(window.toMs, truth.lastContactSentMs)} after its last heartbeat (healthy until 2 min)`);
    }
    if (expected === "inactive" && observed.active && !truth.flaggedLate) {
      truth.flaggedLate = true;
      findings.retiredLate.push(
        truth.left
          ? `${truth.sessionId}: still active after leaveStream was acknowledged`
          : `${truth.sessionId}: still active ${secondsSince(window.fromMs, truth.lastContactAckMs)} after its last heartbeat (limit 3 min)`,
      );
    }
    if (!observed.active && !truth.left && !truth.countedRetired && expected !== "active") {
      truth.countedRetired = true;
      findings.retired += 1;
    }
  }
  games.forEach((game, index) => {
    if (game.viewerCount === null) return;
    findings.countsChecked += 1;
    let active = 0;
    for (const session of game.sessions.values()) if (session.active) active += 1;
    if (active !== game.viewerCount) findings.countMismatches.push(`game ${index + 1}: getViewerCount says ${game.viewerCount}, ${active} sessions are active`);
  });
  return findings;
}

function secondsSince(nowMs: number, thenMs: number): string {
  return `${((nowMs - thenMs) / 1000).toFixed(0)} s`;
}
