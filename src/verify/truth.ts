// What the verifier knows about each session from its own side of the wire,
// and what that allows the backend to show at a given moment.
//
// The CSN rule: a session without a heartbeat for 2 minutes is stale, and
// cleanup runs every minute, so at time T a session silent since S is
//
//   T - S <= 2 min          active — it is healthy; inactive is a violation
//   2 min < T - S < 3 min   either (it waits for the next cleanup run)
//   T - S >= 3 min          inactive — still active is a violation
//   left (acknowledged)     inactive
//
// On the virtual clock S is exact (time stands still while a mutation runs).
// In real time the verifier knows S only within [sent, acknowledged] of the
// last heartbeat, so it uses the bound that cannot produce a false alarm —
// `sent` for "must be active", `acknowledged` for "must be inactive" — and a
// tolerance for cron jitter.
export const STALE_AFTER_MS = 2 * 60_000;
export const CLEANUP_INTERVAL_MS = 60_000;
/** The latest a stale session may still be seen active. */
export const RETIRE_BY_MS = STALE_AFTER_MS + CLEANUP_INTERVAL_MS;

export type SessionTruth = {
  readonly sessionId: string;
  readonly game: number;
  /** Lifecycle session index, or null for a bulk stale one. */
  readonly session: number | null;
  /** The last successful join / heartbeat / comeback: when it was sent and when it was acknowledged. */
  lastContactSentMs: number;
  lastContactAckMs: number;
  /** leaveStream acknowledged. */
  left: boolean;
  /** Already counted as a violation of this kind (each session is counted once per kind). */
  flaggedEarly: boolean;
  flaggedLate: boolean;
  /** Counted as retired on time since its last contact. */
  countedRetired: boolean;
};

export type Expectation = "active" | "inactive" | "either";

export function newTruth(sessionId: string, game: number, session: number | null, sentMs: number, ackMs: number): SessionTruth {
  return { sessionId, game, session, lastContactSentMs: sentMs, lastContactAckMs: ackMs, left: false, flaggedEarly: false, flaggedLate: false, countedRetired: false };
}

/** A successful heartbeat or comeback: the session is healthy again from here. */
export function recordContact(truth: SessionTruth, sentMs: number, ackMs: number): void {
  truth.lastContactSentMs = sentMs;
  truth.lastContactAckMs = ackMs;
  truth.left = false;
  truth.countedRetired = false;
}

/**
 * What the backend may show for `truth` during a read that started at
 * `fromMs` and ended at `toMs`, with `toleranceMs` of slack each way.
 */
export function expectationAt(truth: SessionTruth, fromMs: number, toMs: number, toleranceMs: number): Expectation {
  if (truth.left) return "inactive";
  if (toMs - truth.lastContactSentMs <= STALE_AFTER_MS - toleranceMs) return "active";
  if (fromMs - truth.lastContactAckMs >= RETIRE_BY_MS + toleranceMs) return "inactive";
  return "either";
}
