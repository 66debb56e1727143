// Parsers for option values a person types. Each returns a value or a
// sentence saying what to type instead; callers collect every problem
// before giving up (STYLE 8).
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)?$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** "90s", "2m", "500ms", "1.5h"; a bare number means seconds. */
export function parseDuration(flag: string, text: string): Parsed<number> {
  const match = DURATION.exec(text.trim());
  if (!match) return { ok: false, error: `${flag} must be a duration like 30s, 2m or 500ms, got "${text}"` };
  return { ok: true, value: Math.round(Number(match[1]) * UNIT_MS[(match[2] ?? "s") as keyof typeof UNIT_MS]) };
}

/** The inverse, in the largest unit that says it exactly: 86400000 → "24h", 1500 → "1500ms", 0 → "0s". */
export function formatDuration(ms: number): string {
  if (ms === 0) return "0s";
  for (const unit of ["h", "m", "s"] as const) {
    if (Number.isInteger(ms / UNIT_MS[unit])) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

export function parseNumber(flag: string, text: string): Parsed<number> {
  const value = Number(text.trim().replace(/_/g, ""));
  if (text.trim() === "" || !Number.isFinite(value)) return { ok: false, error: `${flag} must be a number, got "${text}"` };
  return { ok: true, value };
}

/** "2/4" → shard 2 of 4 (1-based, as a person counts machines). */
export function parseShard(text: string): Parsed<{ index: number; count: number }> {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || index < 1 || index > count) {
    return { ok: false, error: `--shard must be I/N with 1 <= I <= N, e.g. --shard 1/4, got "${text}"` };
  }
  return { ok: true, value: { index, count } };
}

export function parseUrl(flag: string, text: string): Parsed<string> {
  try {
    const url = new URL(text);
    if (url.protocol !== "http:" && url.protocol !== "https:") throw new Error("not http");
    return { ok: true, value: url.toString().replace(/\/$/, "") };
  } catch {
    return { ok: false, error: `${flag} must be an http(s) URL like http://127.0.0.1:3210 or https://happy-otter-123.convex.cloud, got "${text}"` };
  }
}
