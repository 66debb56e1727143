// Where a run's ScenarioConfig comes from, in increasing precedence: the base
// CSN defaults, what suits this machine (load processes per core), the
// scenario's own defaults, a JSON config file (--config), then command-line
// flags. Flags and JSON keys are declared once, here.
import { BASE_CONFIG, type ScenarioConfig } from "../scenarios/config.ts";
import { parseDuration, parseNumber } from "./optionParsers.ts";

type Kind = "count" | "duration" | "number" | "model";

export type ConfigFlag = { flag: string; key: keyof ScenarioConfig; kind: Kind; description: string };

export const CONFIG_FLAGS: readonly ConfigFlag[] = [
  { flag: "--duration", key: "durationMs", kind: "duration", description: "how long load runs after the ramp (e.g. 60s, 5m)" },
  { flag: "--ramp", key: "rampMs", kind: "duration", description: "time over which viewers join" },
  { flag: "--seed", key: "seed", kind: "count", description: "seed for every random choice" },
  { flag: "--games", key: "games", kind: "count", description: "live games" },
  { flag: "--viewers", key: "viewers", kind: "count", description: "concurrent viewers in total, spread over games" },
  { flag: "--heartbeat-interval", key: "heartbeatIntervalMs", kind: "duration", description: "heartbeat period (CSN: 30s)" },
  { flag: "--heartbeat-jitter", key: "heartbeatJitterMs", kind: "duration", description: "random shift of each heartbeat, up to ±" },
  { flag: "--churn", key: "churn", kind: "number", description: "share of viewers that leave and rejoin (0..1)" },
  { flag: "--vanish", key: "vanish", kind: "number", description: "share of viewers that vanish without leaving (0..1)" },
  { flag: "--count-watchers", key: "countWatchShare", kind: "number", description: "share of viewers subscribed to the live viewer count (0..1)" },
  { flag: "--chat-rate", key: "chatRate", kind: "number", description: "chat messages per second per game during bursts (CSN: 50)" },
  { flag: "--writers", key: "writers", kind: "count", description: "chat writers per game" },
  { flag: "--burst", key: "burstMs", kind: "duration", description: "length of a chat burst" },
  { flag: "--burst-pause", key: "burstPauseMs", kind: "duration", description: "quiet time between bursts (0: continuous)" },
  { flag: "--moderation-rate", key: "moderationPerMinute", kind: "number", description: "messages hidden per minute per game" },
  { flag: "--chat-page-size", key: "chatPageSize", kind: "count", description: "chat messages each viewer subscribes to" },
  { flag: "--users", key: "users", kind: "count", description: "users with watch progress (CSN: 10,000)" },
  { flag: "--content-items", key: "contentItems", kind: "count", description: "content items to watch" },
  { flag: "--updaters", key: "updaters", kind: "count", description: "users writing progress at once (CSN: 100)" },
  { flag: "--update-rate", key: "updateRate", kind: "number", description: "progress writes per second per updater" },
  { flag: "--devices", key: "devices", kind: "count", description: "devices per updating user (CSN: 3)" },
  { flag: "--late-writes", key: "lateWriteShare", kind: "number", description: "share of progress writes arriving late with an older clock" },
  { flag: "--official-clients", key: "officialClients", kind: "count", description: "viewers on the official ConvexClient (the rest use the lean client)" },
  { flag: "--workers", key: "workers", kind: "count", description: "load processes (default: one per core, up to 4)" },
  { flag: "--model", key: "model", kind: "model", description: "open (intended-time latency, default) or closed" },
  { flag: "--think-time", key: "thinkTimeMs", kind: "duration", description: "closed model: pause between a user's operations" },
  { flag: "--grace", key: "gracePeriodMs", kind: "duration", description: "after load stops, stay connected this long for late deliveries and answers" },
];

// One load process per core, up to 4: a chat viewer costs the generator
// about as much CPU as it costs the backend, and one process's event loop
// saturates long before a machine does. Beyond 4, the backend under test
// (often on the same machine) needs the cores more.
const MAX_DEFAULT_WORKERS = 4;

export function machineDefaults(cores: number): Partial<ScenarioConfig> {
  return { workers: Math.max(1, Math.min(MAX_DEFAULT_WORKERS, cores)) };
}

/** commander's camelCase name for a flag ("--chat-rate" → "chatRate"). */
export function optionName(flag: string): string {
  return flag.replace(/^--/, "").replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

function parseValue(label: string, kind: Kind, raw: unknown): { ok: true; value: number | string } | { ok: false; error: string } {
  if (kind === "model") {
    return raw === "open" || raw === "closed" ? { ok: true, value: raw } : { ok: false, error: `${label} must be "open" or "closed", got ${JSON.stringify(raw)}` };
  }
  if (typeof raw === "number") return Number.isFinite(raw) ? { ok: true, value: raw } : { ok: false, error: `${label} must be a finite number` };
  if (typeof raw !== "string") return { ok: false, error: `${label} must be a number${kind === "duration" ? " of ms or a duration like 30s" : ""}, got ${JSON.stringify(raw)}` };
  return kind === "duration" ? parseDuration(label, raw) : parseNumber(label, raw);
}

export type ConfigLayers = {
  machineDefaults?: Partial<ScenarioConfig>;
  scenarioDefaults: Partial<ScenarioConfig>;
  /** Parsed JSON of --config, if any. */
  file?: Record<string, unknown>;
  fileName?: string;
  /** commander's option values. */
  flags: Record<string, unknown>;
};

/** Merges the layers; returns the config and every problem found on the way. */
export function resolveConfig(layers: ConfigLayers): { config: ScenarioConfig; problems: string[] } {
  const config: ScenarioConfig = { ...BASE_CONFIG, ...layers.machineDefaults, ...layers.scenarioDefaults };
  const problems: string[] = [];
  const known = new Set<string>(["scenario", "thresholds"]);
  for (const { flag, key, kind } of CONFIG_FLAGS) {
    known.add(key);
    if (layers.file && key in layers.file) {
      const parsed = parseValue(`"${key}" in ${layers.fileName ?? "the config file"}`, kind, layers.file[key]);
      if (parsed.ok) (config as Record<string, unknown>)[key] = parsed.value;
      else problems.push(parsed.error);
    }
    const raw = layers.flags[optionName(flag)];
    if (raw !== undefined) {
      const parsed = parseValue(flag, kind, raw);
      if (parsed.ok) (config as Record<string, unknown>)[key] = parsed.value;
      else problems.push(parsed.error);
    }
  }
  for (const key of Object.keys(layers.file ?? {})) {
    if (!known.has(key)) problems.push(`unknown key "${key}" in ${layers.fileName ?? "the config file"} (known: ${[...known].join(", ")})`);
  }
  return { config, problems };
}
