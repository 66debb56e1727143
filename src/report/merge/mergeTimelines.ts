// Timelines of several reports, overlaid point by point on `t` (seconds
// since each run's start): shards of one run line up exactly, repeated runs
// are compared from their starts.
//
// A timeline point keeps only a summary {count, p50, p99, max} per latency,
// and percentiles cannot be merged from summaries. So where several inputs
// have a point at the same `t`:
//   count  = sum (exact)          max = max (exact)
//   p50, p99 = the highest input's value: an upper bound of the true merged
//              percentile (no more than 1 − p of any input lies above its own
//              p-quantile, so no more than 1 − p of the union lies above the
//              highest of them) — never an average.
// Points only one input has stay exact. The caller notes how many points are
// upper bounds; whole-run metrics and thresholds come from merged histograms
// and are exact. (Exact merged timelines need an encoded histogram per point:
// a schema addition, proposed rather than made here.)
import type { Report } from "../../metrics/report.ts";

type Timeline = Report["timeline"];
type Point = Timeline["points"][number];
type PointLatency = NonNullable<Point["latencies"][keyof Point["latencies"]]>;

export type MergedTimeline =
  | { ok: true; timeline: Timeline; upperBoundPoints: number }
  | { ok: false; problems: string[] };

export function mergeTimelines(inputs: readonly { label: string; timeline: Timeline }[]): MergedTimeline {
  const intervalMs = inputs[0].timeline.intervalMs;
  const others = inputs.filter((i) => i.timeline.intervalMs !== intervalMs);
  if (others.length > 0) {
    const described = inputs.map((i) => `${i.label} ${i.timeline.intervalMs} ms`).join(", ");
    return { ok: false, problems: [`the reports' timelines use different intervals (${described}), so their points cannot be lined up`] };
  }

  // Keyed by whole milliseconds: `t` is a float of seconds and must not miss its partner by 1e-15.
  const byTime = new Map<number, { point: Point; sources: number; combined: boolean }>();
  for (const { timeline } of inputs) {
    for (const point of timeline.points) {
      const key = Math.round(point.t * 1000);
      const existing = byTime.get(key);
      if (existing === undefined) {
        byTime.set(key, { point: copyPoint(point), sources: 1, combined: false });
        continue;
      }
      existing.sources += 1;
      if (addPointInto(existing.point, point)) existing.combined = true;
    }
  }
  const merged = [...byTime.entries()].sort(([a], [b]) => a - b);
  return {
    ok: true,
    timeline: { intervalMs, points: merged.map(([, m]) => m.point) },
    upperBoundPoints: merged.filter(([, m]) => m.combined).length,
  };
}

function copyPoint(point: Point): Point {
  const latencies: Point["latencies"] = {};
  for (const [metric, l] of entries(point.latencies)) latencies[metric] = { ...l };
  return { t: point.t, latencies, counters: { ...point.counters } };
}

/** Adds `from` into `into`; true when a latency percentile had to become an upper bound. */
function addPointInto(into: Point, from: Point): boolean {
  let combined = false;
  for (const [metric, l] of entries(from.latencies)) {
    const existing = into.latencies[metric];
    if (existing === undefined || existing.count === 0) {
      into.latencies[metric] = { ...l };
    } else if (l.count > 0) {
      into.latencies[metric] = { count: existing.count + l.count, p50: Math.max(existing.p50, l.p50), p99: Math.max(existing.p99, l.p99), max: Math.max(existing.max, l.max) };
      combined = true;
    }
  }
  for (const [metric, n] of Object.entries(from.counters) as [keyof Point["counters"], number][]) {
    into.counters[metric] = (into.counters[metric] ?? 0) + n;
  }
  return combined;
}

function entries(latencies: Point["latencies"]): [keyof Point["latencies"], PointLatency][] {
  return Object.entries(latencies) as [keyof Point["latencies"], PointLatency][];
}
