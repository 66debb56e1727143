// The knobs of `csn-rt verify-cleanup`, their defaults and their limits.
// Every limit carries its reason; validation returns every problem at once.

export type VerifyConfig = {
  /** Viewer sessions that live a full lifecycle (each with its own connection). */
  sessions: number;
  /** Live games the sessions are spread over (one viewer count checked per game). */
  games: number;
  /** Extra sessions that join together and never heartbeat: one cleanup run must retire them all. */
  stale: number;
  /** How long the lifecycle runs, in (simulated or real) minutes; a check after every minute. */
  minutes: number;
  /** Seed for every choice: fates, heartbeat phases, when sessions crash, leave and come back. */
  seed: number;
  /** virtual: the backend's clock is driven by the verifier; real: wall-clock time. */
  clock: "virtual" | "real";
};

export const DEFAULT_VERIFY_CONFIG: VerifyConfig = {
  sessions: 1_000,
  games: 5,
  // Above convex/liveSessions.ts's batch of 500, so the default run proves the cleanup chains itself.
  stale: 1_000,
  minutes: 10,
  seed: 1,
  clock: "virtual",
};

/**
 * The last fate-changing event (a long-dropped viewer coming back) happens
 * before 7 minutes and a check must follow it; 8 minutes leaves room for
 * both (see plan.ts for the timeline).
 */
export const MIN_MINUTES = 8;
/** A real-time run this long is almost certainly a typo (hours, not minutes). */
export const MAX_MINUTES = 240;
/** Every fate gets at least one session from this many on. */
export const MIN_SESSIONS = 5;
/** One process holds a WebSocket per lifecycle session; past this it measures itself. */
export const MAX_SESSIONS = 20_000;
/** seed:createGames makes at most 100 games per call. */
export const MAX_GAMES = 100;
/** 100,000 stale sessions are 200 chained cleanup transactions: far past the CSN target, still bounded. */
export const MAX_STALE = 100_000;

export function validateVerifyConfig(config: VerifyConfig): string[] {
  const problems: string[] = [];
  const whole = (flag: string, value: number, min: number, max: number, why: string) => {
    if (!Number.isInteger(value) || value < min || value > max) problems.push(`${flag} must be a whole number from ${min} to ${max} (${why}), got ${value}`);
  };
  whole("--sessions", config.sessions, MIN_SESSIONS, MAX_SESSIONS, "at least one session for every fate");
  whole("--games", config.games, 1, MAX_GAMES, "games are seeded in one call");
  whole("--stale", config.stale, 0, MAX_STALE, "0 skips the bulk stale check");
  whole("--minutes", config.minutes, MIN_MINUTES, MAX_MINUTES, `the lifecycle needs ${MIN_MINUTES} minutes to play out and be checked`);
  if (!Number.isSafeInteger(config.seed)) problems.push(`--seed must be a whole number, got ${config.seed}`);
  return problems;
}
