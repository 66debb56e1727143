// What a person can set for `npm run chaos`, checked in one place: every
// problem comes back at once, each a sentence (STYLE 8). The size of the
// game-night mix follows from --viewers so the whole drill fits a 2-core
// machine beside the backend it is shaking.
import { formatDuration, parseDuration, parseNumber } from "../commands/optionParsers.ts";

export type DrillOptions = {
  /** The load window after simulate's ramp, ms: the faults are spread over it (faultPlan.ts). */
  readonly loadMs: number;
  readonly viewers: number;
  readonly seed: number;
  /** The backend's resident memory must stay under this, MiB. */
  readonly maxRssMb: number;
};

export const DEFAULT_DRILL: DrillOptions = {
  loadMs: 60_000,
  // A few hundred: game-night, the ledger, the slow consumer and the backend share 2 cores.
  viewers: 300,
  seed: 1,
  // Several times what the backend needs for this mix, far below what it
  // reaches when a blocked socket queues every update it misses.
  maxRssMb: 1_024,
};

/** Shorter and the faults fall on top of each other; the kill and restart alone take seconds. */
const MIN_LOAD_MS = 5_000;
/** The drill is a check, not a soak; an hour is a typo for a minute more often than not. */
const MAX_LOAD_MS = 30 * 60_000;
const MAX_VIEWERS = 5_000;

export type DrillFlags = { duration?: string; viewers?: string; seed?: string; maxRss?: string };

/** The options the flags ask for, or every problem with them. */
export function parseDrillFlags(flags: DrillFlags): { ok: true; options: DrillOptions } | { ok: false; problems: string[] } {
  const problems: string[] = [];
  let { loadMs, viewers, seed, maxRssMb } = DEFAULT_DRILL;
  if (flags.duration !== undefined) {
    const parsed = parseDuration("--duration", flags.duration);
    if (!parsed.ok) problems.push(parsed.error);
    else if (parsed.value < MIN_LOAD_MS || parsed.value > MAX_LOAD_MS) problems.push(`--duration must be from ${formatDuration(MIN_LOAD_MS)} to ${formatDuration(MAX_LOAD_MS)}, got ${flags.duration}`);
    else loadMs = parsed.value;
  }
  if (flags.viewers !== undefined) {
    const parsed = wholeNumber("--viewers", flags.viewers, 1, MAX_VIEWERS);
    if (typeof parsed === "string") problems.push(parsed);
    else viewers = parsed;
  }
  if (flags.seed !== undefined) {
    const parsed = wholeNumber("--seed", flags.seed, 0, 2 ** 31 - 1);
    if (typeof parsed === "string") problems.push(parsed);
    else seed = parsed;
  }
  if (flags.maxRss !== undefined) {
    const parsed = wholeNumber("--max-rss", flags.maxRss, 64, 65_536);
    if (typeof parsed === "string") problems.push(parsed);
    else maxRssMb = parsed;
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, options: { loadMs, viewers, seed, maxRssMb } };
}

function wholeNumber(flag: string, text: string, min: number, max: number): number | string {
  const parsed = parseNumber(flag, text);
  if (!parsed.ok) return parsed.error;
  if (!Number.isInteger(parsed.value) || parsed.value < min || parsed.value > max) return `${flag} must be a whole number from ${min} to ${max}, got ${text}`;
  return parsed.value;
}

/** Two games: the viewers split, and the slow consumer's game is one of several busy ones. */
export const DRILL_GAMES = 2;

/** The game-night settings for simulate, scaled from the drill's viewers. */
export function gameNightFlags(options: DrillOptions): Record<string, string> {
  const writers = clamp(Math.round(options.viewers / 30), 2, 10);
  return {
    viewers: String(options.viewers),
    games: String(DRILL_GAMES),
    seed: String(options.seed),
    duration: `${options.loadMs}ms`,
    ramp: `${rampMs(options)}ms`,
    grace: "3s",
    // One load process: simulate, the backend and the drill share two cores.
    workers: "1",
    "official-clients": String(clamp(Math.round(options.viewers / 50), 1, 10)),
    writers: String(writers),
    // Each writer may send one message a second for long (convex/lib/rateLimit.ts).
    "chat-rate": String(writers),
    users: String(clamp(options.viewers, 20, 500)),
    "content-items": "50",
    updaters: String(clamp(Math.round(options.viewers / 20), 2, 20)),
  };
}

/** Viewers join over this, before the load window (and the faults) begin. */
export function rampMs(options: DrillOptions): number {
  return clamp(Math.round(options.loadMs * 0.15), 1_000, 10_000);
}

function clamp(value: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, value));
}
