import { describe, expect, test, vi } from "vitest";
import { VIEWER_COUNT_SHARDS } from "../../convex/lib/viewerCounts.ts";
import { FreshnessTracker } from "../../src/load/freshness.ts";
import { MetricsRecorder } from "../../src/metrics/recorder.ts";

/** A tracker and the latencies it records, as [µs, client kind]. */
function setup() {
  const metrics = new MetricsRecorder();
  const record = vi.spyOn(metrics, "record");
  const tracker = new FreshnessTracker("viewer_count_freshness_us", metrics);
  const samples = () => record.mock.calls.map(([, value, kind]) => [value, kind]);
  return { tracker, samples };
}

/** A publication's covers: the given shard versions, every other shard at 0. */
function covers(versions: Record<number, number>): number[] {
  const all = new Array<number>(VIEWER_COUNT_SHARDS).fill(0);
  for (const [shard, version] of Object.entries(versions)) all[Number(shard)] = version;
  return all;
}

describe("viewer-count freshness", () => {
  test("a change is timed from its intended time to the first publication that covers it", () => {
    const { tracker, samples } = setup();
    const probe = tracker.addProbe("lean");
    tracker.observed(probe, covers({ 3: 4 }), 500);
    tracker.changed({ shard: 3, version: 5 }, 1_000);
    tracker.changed({ shard: 7, version: 1 }, 1_200);
    // Shard 3 moved past the change, shard 7 did not yet.
    tracker.observed(probe, covers({ 3: 5 }), 2_000);
    expect(samples()).toEqual([[1_000, "lean"]]);
    tracker.observed(probe, covers({ 3: 5 }), 2_500); // nothing new
    tracker.observed(probe, covers({ 3: 5, 7: 1 }), 3_000);
    expect(samples()).toEqual([[1_000, "lean"], [1_800, "lean"]]);
  });

  test("changes already in a probe's first publication are not its to see", () => {
    const { tracker, samples } = setup();
    tracker.changed({ shard: 0, version: 1 }, 100);
    const probe = tracker.addProbe("official");
    tracker.observed(probe, covers({ 0: 1, 6: 1 }), 900);
    // Answered after the probe's first publication, which already had it.
    tracker.changed({ shard: 6, version: 1 }, 200);
    tracker.changed({ shard: 0, version: 2 }, 1_000);
    tracker.observed(probe, covers({ 0: 2 }), 1_400);
    expect(samples()).toEqual([[400, "official"]]);
  });

  test("a join and a leave that publish the same count are timed by the publication that covers them", () => {
    const { tracker, samples } = setup();
    const probe = tracker.addProbe("lean");
    tracker.observed(probe, covers({}), 0);
    tracker.changed({ shard: 2, version: 1 }, 1_000); // join
    tracker.changed({ shard: 9, version: 1 }, 1_100); // leave
    tracker.observed(probe, covers({ 2: 1, 9: 1 }), 1_700);
    expect(samples()).toEqual([[700, "lean"], [600, "lean"]]);
  });

  test("a publication never times a change it does not include, however late that change was made", () => {
    const { tracker, samples } = setup();
    const probe = tracker.addProbe("lean");
    tracker.observed(probe, covers({ 1: 1 }), 0);
    tracker.changed({ shard: 1, version: 3 }, 1_000);
    tracker.observed(probe, covers({ 1: 2 }), 1_010); // someone else's change, not this one
    expect(samples()).toEqual([]);
    tracker.observed(probe, covers({ 1: 3 }), 2_000);
    expect(samples()).toEqual([[1_000, "lean"]]);
  });

  test("a change whose mutation answers after the probe showed it is timed from when the probe did", () => {
    const { tracker, samples } = setup();
    const probe = tracker.addProbe("lean");
    tracker.observed(probe, covers({}), 0);
    tracker.observed(probe, covers({ 4: 1 }), 1_300);
    tracker.observed(probe, covers({ 4: 2 }), 2_300);
    tracker.changed({ shard: 4, version: 1 }, 1_000);
    tracker.changed({ shard: 4, version: 2 }, 2_000);
    expect(samples()).toEqual([[300, "lean"], [300, "lean"]]);
  });

  test("every probe of the game times every change once; changes arriving out of order are kept in order", () => {
    const { tracker, samples } = setup();
    const [a, b] = [tracker.addProbe("lean"), tracker.addProbe("lean")];
    for (const probe of [a, b]) tracker.observed(probe, covers({}), 0);
    tracker.changed({ shard: 5, version: 2 }, 2_000);
    tracker.changed({ shard: 5, version: 1 }, 1_000);
    tracker.observed(a, covers({ 5: 1 }), 3_000);
    tracker.observed(a, covers({ 5: 2 }), 4_000);
    tracker.observed(b, covers({ 5: 2 }), 5_000);
    expect(samples().map(([us]) => us)).toEqual([2_000, 2_000, 4_000, 3_000]);
  });
});
