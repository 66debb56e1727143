// Who does what, when: every session's fate and timeline, decided up front
// from the seed, so two runs with the same --seed drive the backend alike.
//
// Times are ms from the start of the lifecycle (t = 0), on whole seconds
// (the verifier moves in one-second steps). With H = 30 s heartbeats and a
// per-session phase p in [0, 30 s):
//
//   fate        joins   heartbeats            then
//   heartbeat   p       p + kH, to the end    —
//   crash       p       until p + kH          silent forever, k in 2..6 (last beat 1–3.5 min in)
//   leave       p       until it leaves       leaveStream at 1–5 min
//   dropShort   p       until p + kH          connection lost, k in 2..8; back 60–90 s later
//                                             (inside 2 min: must never be retired), beats on
//   dropLong    p       until p + kH          connection lost, k in 2..4; back 210–270 s later
//                                             (past 3 min: must have been retired), is refused,
//                                             re-joins with the same sessionId, beats on
//   stale bulk  0       never                 all silent from t = 0: one cleanup retires them all
//
// Everything has happened by 7 minutes (the latest comeback: 30 + 4·30 + 270 s),
// so a run of MIN_MINUTES checks every fate's outcome at least once.
import { seededRandom, deriveSeed } from "../load/random.ts";
import type { VerifyConfig } from "./config.ts";

export type Fate = "heartbeat" | "crash" | "leave" | "dropShort" | "dropLong";

/** Shares of the lifecycle sessions; every fate gets at least one session. */
export const FATE_SHARES: Readonly<Record<Fate, number>> = { heartbeat: 0.4, crash: 0.2, leave: 0.15, dropShort: 0.15, dropLong: 0.1 };
const FATES = Object.keys(FATE_SHARES) as Fate[];

export const HEARTBEAT_INTERVAL_MS = 30_000;
/** A signed-in viewer every other session; the rest anonymous (both kinds may watch). */
const SIGNED_IN_SHARE = 0.5;

export type SessionPlan = {
  readonly index: number;
  /** Index into the run's games. */
  readonly game: number;
  readonly fate: Fate;
  /** Token subject, or null for an anonymous viewer. */
  readonly subject: string | null;
  /** Client-chosen session id (a UUID derived from the seed), so a comeback can name it. */
  readonly sessionId: string;
  readonly joinAtMs: number;
  /** crash / dropShort / dropLong: the last heartbeat before going silent. leave: when it leaves. */
  readonly stopAtMs: number | null;
  /** dropShort / dropLong: when it comes back. */
  readonly returnAtMs: number | null;
};

/** What the verifier does at one moment. */
export type Action =
  | { readonly kind: "join"; readonly session: number }
  | { readonly kind: "heartbeat"; readonly session: number }
  | { readonly kind: "leave"; readonly session: number }
  | { readonly kind: "drop"; readonly session: number }
  | { readonly kind: "return"; readonly session: number }
  | { readonly kind: "joinStale"; readonly from: number; readonly count: number };

export type Step = { readonly atMs: number; readonly actions: Action[]; readonly check: boolean };

/** Stale sessions joined per action: one pipelined batch over a shared connection. */
export const STALE_JOIN_BATCH = 500;

export function planSessions(config: VerifyConfig, runTag: string): SessionPlan[] {
  const random = seededRandom(deriveSeed(config.seed, "verify-cleanup", "fates"));
  const fates = assignFates(config.sessions, random);
  const whole = (min: number, max: number) => Math.floor(min + random() * (max - min + 1));
  return fates.map((fate, index) => {
    const phase = whole(0, 29) * 1000;
    const beats = (min: number, max: number) => phase + whole(min, max) * HEARTBEAT_INTERVAL_MS;
    let stopAtMs: number | null = null;
    let returnAtMs: number | null = null;
    switch (fate) {
      case "heartbeat":
        break;
      case "crash":
        stopAtMs = beats(2, 6);
        break;
      case "leave":
        stopAtMs = whole(60, 300) * 1000;
        break;
      case "dropShort":
        stopAtMs = beats(2, 8);
        returnAtMs = stopAtMs + whole(60, 90) * 1000;
        break;
      case "dropLong":
        stopAtMs = beats(2, 4);
        returnAtMs = stopAtMs + whole(210, 270) * 1000;
        break;
      default:
        fate satisfies never;
    }
    return {
      index,
      game: index % config.games,
      fate,
      subject: random() < SIGNED_IN_SHARE ? `verify-viewer-${index}` : null,
      sessionId: seededUuid(random, runTag),
      joinAtMs: phase,
      stopAtMs,
      returnAtMs,
    };
  });
}

/** Exact shares (largest remainder), at least one of each fate, shuffled by the seed. */
function assignFates(sessions: number, random: () => number): Fate[] {
  const counts = new Map<Fate, number>(FATES.map((f) => [f, Math.max(1, Math.floor(FATE_SHARES[f] * sessions))]));
  let total = [...counts.values()].reduce((a, b) => a + b, 0);
  while (total < sessions) {
    counts.set("heartbeat", counts.get("heartbeat")! + 1);
    total++;
  }
  while (total > sessions) {
    const largest = FATES.reduce((a, b) => (counts.get(a)! >= counts.get(b)! ? a : b));
    counts.set(largest, counts.get(largest)! - 1);
    total--;
  }
  const fates = FATES.flatMap((f) => Array<Fate>(counts.get(f)!).fill(f));
  for (let i = fates.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [fates[i], fates[j]] = [fates[j], fates[i]];
  }
  return fates;
}

/** A version-4-shaped UUID from the seeded stream; `runTag` (hex) keeps runs on one backend apart. */
function seededUuid(random: () => number, runTag: string): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join("");
  const tag = (runTag + "00000000").slice(0, 8);
  return `${tag}-${hex(4)}-4${hex(3)}-${"89ab"[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
}

/**
 * Every step of the run in time order: the second-by-second actions and a
 * check at the end of every minute. Heartbeats are due every 30 s after a
 * session joins (or comes back) until it stops.
 */
export function buildSteps(sessions: readonly SessionPlan[], config: VerifyConfig): Step[] {
  const endMs = config.minutes * 60_000;
  const steps = new Map<number, { actions: Action[]; check: boolean }>();
  const at = (ms: number) => {
    let step = steps.get(ms);
    if (step === undefined) steps.set(ms, (step = { actions: [], check: false }));
    return step;
  };
  for (let from = 0; from < config.stale; from += STALE_JOIN_BATCH) {
    at(0).actions.push({ kind: "joinStale", from, count: Math.min(STALE_JOIN_BATCH, config.stale - from) });
  }
  for (const s of sessions) {
    at(s.joinAtMs).actions.push({ kind: "join", session: s.index });
    const beatUntil = s.fate === "heartbeat" || s.fate === "leave" ? endMs : s.stopAtMs!;
    for (let t = s.joinAtMs + HEARTBEAT_INTERVAL_MS; t <= beatUntil && t <= endMs; t += HEARTBEAT_INTERVAL_MS) {
      if (s.fate === "leave" && t >= s.stopAtMs!) break;
      at(t).actions.push({ kind: "heartbeat", session: s.index });
    }
    if (s.fate === "leave") at(s.stopAtMs!).actions.push({ kind: "leave", session: s.index });
    if (s.fate === "dropShort" || s.fate === "dropLong") {
      at(s.stopAtMs!).actions.push({ kind: "drop", session: s.index });
      if (s.returnAtMs! <= endMs) {
        at(s.returnAtMs!).actions.push({ kind: "return", session: s.index });
        for (let t = s.returnAtMs! + HEARTBEAT_INTERVAL_MS; t <= endMs; t += HEARTBEAT_INTERVAL_MS) {
          at(t).actions.push({ kind: "heartbeat", session: s.index });
        }
      }
    }
  }
  for (let minute = 1; minute * 60_000 <= endMs; minute++) at(minute * 60_000).check = true;
  return [...steps.entries()].sort((a, b) => a[0] - b[0]).map(([atMs, step]) => ({ atMs, ...step }));
}
