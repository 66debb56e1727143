// The knobs of a simulation, defined once. Every scenario reads the ones it
// needs from this one flat shape, so one CLI flag (--viewers) or JSON key
// ("viewers") means the same thing in every scenario. Defaults come from
// the CSN targets; each scenario overrides the ones it cares about.
import { formatDuration } from "../commands/optionParsers.ts";

export type ScenarioConfig = {
  /** How long load is applied, ms (after the ramp). */
  durationMs: number;
  /** Time over which viewers join / the rate ramps up, ms. */
  rampMs: number;
  /** Seed for every random choice (who joins when, jitter, churn). */
  seed: number;

  /** Live games to spread viewers over. */
  games: number;
  /** Concurrent viewers, in total (spread evenly over games). */
  viewers: number;
  /** Heartbeat period, ms (CSN: 30 s). */
  heartbeatIntervalMs: number;
  /** Each heartbeat is moved by up to ± this much, so viewers do not beat in lockstep. */
  heartbeatJitterMs: number;
  /** Share of viewers that leave and rejoin during the run, 0..1. */
  churn: number;
  /** Share of viewers that vanish without leaving (crash), 0..1. */
  vanish: number;
  /** Share of viewers that subscribe to their game's live viewer count, 0..1. */
  countWatchShare: number;

  /** Chat messages per second per game during a burst (CSN: 50). */
  chatRate: number;
  /** Accounts that send chat messages, per game. */
  writers: number;
  /** Burst length and pause between bursts, ms; a pause of 0 means one continuous burst. */
  burstMs: number;
  burstPauseMs: number;
  /** Moderation actions per minute per game during the run. */
  moderationPerMinute: number;
  /** listMessages page size viewers subscribe to. */
  chatPageSize: number;

  /** Users with watch progress seeded (CSN: 10,000). */
  users: number;
  /** Content items. */
  contentItems: number;
  /** Users writing progress concurrently (CSN: 100). */
  updaters: number;
  /** Progress writes per second per updater. */
  updateRate: number;
  /** Devices per updating user, each subscribed to Continue Watching (CSN: 3). */
  devices: number;
  /** Share of writes delivered late with an older device clock (must lose), 0..1. */
  lateWriteShare: number;

  /** Viewers that run the official ConvexClient instead of the lean client. */
  officialClients: number;
  /** Load processes to spread viewers over (default: one per core, up to 4). */
  workers: number;
  /** Open model (intended-time latency) or closed model (fixed users, think time). */
  model: "open" | "closed";
  /** Closed model only: pause between one user's operations, ms. */
  thinkTimeMs: number;
  /** After load stops, how long clients stay connected: receivers may still report deliveries before any missing one counts as lost, and answers still in flight arrive, ms. */
  gracePeriodMs: number;
};

export const BASE_CONFIG: ScenarioConfig = {
  durationMs: 60_000,
  rampMs: 10_000,
  seed: 1,
  games: 1,
  viewers: 1_000,
  heartbeatIntervalMs: 30_000,
  heartbeatJitterMs: 3_000,
  churn: 0.05,
  vanish: 0.02,
  countWatchShare: 1,
  chatRate: 50,
  writers: 50,
  burstMs: 10_000,
  burstPauseMs: 0,
  moderationPerMinute: 6,
  chatPageSize: 20,
  users: 10_000,
  contentItems: 200,
  updaters: 100,
  updateRate: 1,
  devices: 3,
  lateWriteShare: 0.1,
  officialClients: 5,
  workers: 1,
  model: "open",
  thinkTimeMs: 1_000,
  gracePeriodMs: 5_000,
};

/** Every problem with the shared knobs, each a sentence naming the option to fix. */
export function validateBaseConfig(config: ScenarioConfig): string[] {
  const problems: string[] = [];
  const positiveInt = (value: number, flag: string, max: number) => {
    if (!Number.isInteger(value) || value < 1 || value > max) problems.push(`${flag} must be a whole number from 1 to ${max}, got ${value}`);
  };
  const nonNegativeInt = (value: number, flag: string, max: number) => {
    if (!Number.isInteger(value) || value < 0 || value > max) problems.push(`${flag} must be a whole number from 0 to ${max}, got ${value}`);
  };
  // Durations are said the way they are typed (30s, 2m), whether they came from a flag or a config file's ms.
  const duration = (value: number, flag: string, min: number, max: number) => {
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${flag} must be from ${formatDuration(min)} to ${formatDuration(max)}, got ${Number.isFinite(value) ? formatDuration(value) : String(value)}`);
    }
  };
  const share = (value: number, flag: string) => {
    if (!Number.isFinite(value) || value < 0 || value > 1) problems.push(`${flag} must be a share between 0 and 1, got ${value}`);
  };
  const positive = (value: number, flag: string, max: number) => {
    if (!Number.isFinite(value) || value <= 0 || value > max) problems.push(`${flag} must be more than 0 and at most ${max}, got ${value}`);
  };
  // Bounds keep every run finite and inside what one machine can attempt.
  duration(config.durationMs, "--duration", 1, 24 * 3600_000);
  duration(config.rampMs, "--ramp", 0, 3600_000);
  nonNegativeInt(config.seed, "--seed", 2 ** 31);
  positiveInt(config.games, "--games", 1_000);
  nonNegativeInt(config.viewers, "--viewers", 200_000);
  duration(config.heartbeatIntervalMs, "--heartbeat-interval", 1, 3600_000);
  duration(config.heartbeatJitterMs, "--heartbeat-jitter", 0, 3600_000);
  share(config.churn, "--churn");
  share(config.vanish, "--vanish");
  share(config.countWatchShare, "--count-watchers");
  if (config.churn + config.vanish > 1) problems.push("--churn and --vanish together must not exceed 1");
  positive(config.chatRate, "--chat-rate", 10_000);
  positiveInt(config.writers, "--writers", 10_000);
  duration(config.burstMs, "--burst", 1, 3600_000);
  duration(config.burstPauseMs, "--burst-pause", 0, 3600_000);
  if (!Number.isFinite(config.moderationPerMinute) || config.moderationPerMinute < 0 || config.moderationPerMinute > 600) {
    problems.push(`--moderation-rate must be between 0 and 600 per minute, got ${config.moderationPerMinute}`);
  }
  positiveInt(config.chatPageSize, "--chat-page-size", 200);
  positiveInt(config.users, "--users", 1_000_000);
  positiveInt(config.contentItems, "--content-items", 100_000);
  positiveInt(config.updaters, "--updaters", 100_000);
  positive(config.updateRate, "--update-rate", 100);
  positiveInt(config.devices, "--devices", 10);
  share(config.lateWriteShare, "--late-writes");
  nonNegativeInt(config.officialClients, "--official-clients", 1_000);
  positiveInt(config.workers, "--workers", 64);
  if (config.model !== "open" && config.model !== "closed") problems.push(`--model must be "open" or "closed", got ${String(config.model)}`);
  duration(config.thinkTimeMs, "--think-time", 0, 3600_000);
  duration(config.gracePeriodMs, "--grace", 0, 600_000);
  if (problems.length === 0 && config.heartbeatJitterMs >= config.heartbeatIntervalMs) {
    problems.push("--heartbeat-jitter must be smaller than --heartbeat-interval");
  }
  return problems;
}
