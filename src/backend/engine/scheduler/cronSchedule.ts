/**
 * When a cron job runs next, for every schedule `cronJobs()` can produce
 * (node_modules/convex/src/server/cron.ts). All times are UTC.
 *
 * Cron strings use the standard five fields:
 *
 *   expr   = minute SP hour SP day-of-month SP month SP day-of-week
 *   field  = item *("," item)
 *   item   = ("*" / range / value) ["/" step]
 *   range  = value "-" value
 *   value  = number / name        ; month names JAN-DEC, day names SUN-SAT (any case)
 *
 * day-of-week is 0-7 (0 and 7 are Sunday). When both day fields are
 * restricted a day matches if either does (classic cron behaviour).
 */
import type { CronJob } from "convex/server";

/** A cron job's schedule (convex/server's `Schedule`, which is not exported). */
export type Schedule = CronJob["schedule"];

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_NAMES = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTH_ABBREVIATIONS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_ABBREVIATIONS = DAY_NAMES.map((d) => d.slice(0, 3));
/** Enough minutes to find any valid match (cron patterns repeat within 28 years). */
const MAX_SEARCH_STEPS = 200_000;

type FieldSpec = { min: number; max: number; names?: string[] };

const FIELDS: FieldSpec[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTH_ABBREVIATIONS },
  { min: 0, max: 7, names: DAY_ABBREVIATIONS },
];

type ParsedCron = { sets: Set<number>[]; domRestricted: boolean; dowRestricted: boolean };

function parseValue(text: string, spec: FieldSpec, cron: string): number {
  const lower = text.toLowerCase();
  const named = spec.names?.indexOf(lower) ?? -1;
  if (named >= 0) return spec.names === MONTH_ABBREVIATIONS ? named + 1 : named;
  if (!/^\d+$/.test(text)) throw new Error(`Invalid cron string "${cron}": "${text}" is not a number`);
  const value = Number(text);
  if (value < spec.min || value > spec.max) {
    throw new Error(`Invalid cron string "${cron}": ${value} is outside ${spec.min}-${spec.max}`);
  }
  return value;
}

function parseField(text: string, spec: FieldSpec, cron: string): Set<number> {
  const out = new Set<number>();
  for (const item of text.split(",")) {
    const [rangeText, stepText] = item.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    if (!Number.isInteger(step) || step < 1) throw new Error(`Invalid cron string "${cron}": bad step in "${item}"`);
    let lo: number;
    let hi: number;
    if (rangeText === "*") {
      lo = spec.min;
      hi = spec.max;
    } else if (rangeText.includes("-")) {
      const [a, b] = rangeText.split("-");
      lo = parseValue(a, spec, cron);
      hi = parseValue(b, spec, cron);
    } else {
      lo = parseValue(rangeText, spec, cron);
      hi = stepText === undefined ? lo : spec.max;
    }
    if (lo > hi) throw new Error(`Invalid cron string "${cron}": range "${rangeText}" is backwards`);
    for (let v = lo; v <= hi; v += step) out.add(v);
  }
  return out;
}

export function parseCron(cron: string): ParsedCron {
  const parts = cron.trim().split(/\s+/);
  if (parts.length !== 5) throw new Error(`Invalid cron string "${cron}": expected 5 fields, got ${parts.length}`);
  const sets = parts.map((part, i) => parseField(part, FIELDS[i], cron));
  if (sets[4].has(7)) sets[4].add(0);
  return { sets, domRestricted: parts[2] !== "*", dowRestricted: parts[4] !== "*" };
}

function cronMatchesDay(cron: ParsedCron, date: Date): boolean {
  const dom = cron.sets[2].has(date.getUTCDate());
  const dow = cron.sets[4].has(date.getUTCDay());
  if (cron.domRestricted && cron.dowRestricted) return dom || dow;
  return dom && dow;
}

/** The first minute strictly after `afterMs` that matches the cron string. */
export function nextCronTime(cron: ParsedCron, afterMs: number): number {
  let t = Math.floor(afterMs / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  for (let step = 0; step < MAX_SEARCH_STEPS; step++) {
    const d = new Date(t);
    if (!cron.sets[3].has(d.getUTCMonth() + 1)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    } else if (!cronMatchesDay(cron, d)) {
      t = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    } else if (!cron.sets[1].has(d.getUTCHours())) {
      t = Math.floor(t / HOUR_MS) * HOUR_MS + HOUR_MS;
    } else if (!cron.sets[0].has(d.getUTCMinutes())) {
      t += MINUTE_MS;
    } else {
      return t;
    }
  }
  throw new Error("Cron string never matches");
}

/** Convex picks a minute when a schedule omits it; pick one per job, stable across restarts. */
export function defaultMinute(identifier: string): number {
  let hash = 0;
  for (let i = 0; i < identifier.length; i++) hash = (hash * 31 + identifier.charCodeAt(i)) >>> 0;
  return hash % 60;
}

/**
 * The next run strictly after `afterMs`. `startMs` anchors interval
 * schedules ("every N seconds, beginning when the job is first deployed").
 */
export function nextRunTime(schedule: Schedule, identifier: string, afterMs: number, startMs: number): number {
  switch (schedule.type) {
    case "interval": {
      const s = schedule as { seconds?: number; minutes?: number; hours?: number };
      const period = (s.seconds ?? 0) * 1000 + (s.minutes ?? 0) * MINUTE_MS + (s.hours ?? 0) * HOUR_MS;
      const periods = Math.floor((afterMs - startMs) / period) + 1;
      return startMs + Math.max(1, periods) * period;
    }
    case "hourly":
      return nextCronTime(parseCron(`${schedule.minuteUTC ?? defaultMinute(identifier)} * * * *`), afterMs);
    case "daily":
      return nextCronTime(parseCron(`${schedule.minuteUTC ?? defaultMinute(identifier)} ${schedule.hourUTC} * * *`), afterMs);
    case "weekly": {
      const day = DAY_NAMES.indexOf(schedule.dayOfWeek);
      return nextCronTime(parseCron(`${schedule.minuteUTC ?? defaultMinute(identifier)} ${schedule.hourUTC} * * ${day}`), afterMs);
    }
    case "monthly":
      return nextCronTime(
        parseCron(`${schedule.minuteUTC ?? defaultMinute(identifier)} ${schedule.hourUTC} ${schedule.day} * *`),
        afterMs,
      );
    case "cron":
      return nextCronTime(parseCron(schedule.cron), afterMs);
    default:
      return schedule satisfies never;
  }
}
