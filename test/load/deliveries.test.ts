import { describe, expect, test } from "vitest";
import { DeliveryTracker } from "../../src/load/deliveries.ts";
import { readFrame, textResult, type ResultText } from "../../src/load/sync/leanFrame.ts";
import { encodeServerMessage } from "../../src/protocol/sync/index.ts";
import { MetricsRecorder } from "../../src/metrics/recorder.ts";
import { RunMetrics } from "../../src/metrics/runMetrics.ts";

function totals(recorder: MetricsRecorder) {
  const run = new RunMetrics(1000);
  run.absorb(recorder.flush(0));
  return run;
}

describe("delivery accounting", () => {
  test("every listening receiver's first sighting is one latency sample; a receiver that never sees a write loses it", () => {
    const metrics = new MetricsRecorder();
    const tracker = new DeliveryTracker({ runId: "run1", game: 0, process: 0 }, metrics);
    const [a, b] = [tracker.addReceiver("lean"), tracker.addReceiver("official")];
    tracker.ready(a, 1_000);
    tracker.ready(b, 1_000);
    const w0 = tracker.newWrite(7, 0, 2_000);
    const w1 = tracker.newWrite(7, 1, 3_000);
    tracker.acknowledged(w0.writeId);
    tracker.acknowledged(w1.writeId);
    // a sees both (w0 twice across frames: still one sample); b only ever sees w0.
    tracker.observe(a, textResult(`[${w0.nonce}]`), 2_500);
    tracker.observe(a, textResult(`[${w0.nonce}, ${w1.nonce}]`), 3_400);
    tracker.observe(b, textResult(`[${w0.nonce}]`), 2_700);
    expect(tracker.finish([tracker.acknowledgedWrites()])).toEqual({ expected: 4, lost: 1 });
    const run = totals(metrics);
    expect(run.summary("mutation_observed_us").count).toBe(3);
    expect(run.counter("deliveries_received")).toBe(3);
    expect(run.counter("deliveries_lost")).toBe(1);
    expect(run.histogramByClient("official", "mutation_observed_us")?.totalCount).toBe(1);
  });

  test("writes of other runs and other games are ignored", () => {
    const metrics = new MetricsRecorder();
    const tracker = new DeliveryTracker({ runId: "run1", game: 0, process: 0 }, metrics);
    const other = new DeliveryTracker({ runId: "run1", game: 1, process: 0 }, new MetricsRecorder());
    const otherRun = new DeliveryTracker({ runId: "run2", game: 0, process: 0 }, new MetricsRecorder());
    const r = tracker.addReceiver("lean");
    tracker.ready(r, 0);
    other.newWrite(1, 0, 10);
    otherRun.newWrite(1, 0, 10);
    tracker.observe(r, textResult(`${other.newWrite(1, 1, 10).nonce} ${otherRun.newWrite(1, 1, 10).nonce}`), 100);
    expect(totals(metrics).summary("mutation_observed_us").count).toBe(0);
  });

  test("a write listed twice is duplicated; a write first seen after a later one of its writer is out of order", () => {
    const metrics = new MetricsRecorder();
    const tracker = new DeliveryTracker({ runId: "run1", game: 0, process: 0 }, metrics);
    const r = tracker.addReceiver("lean");
    tracker.ready(r, 0);
    const first = tracker.newWrite(3, 0, 10);
    const second = tracker.newWrite(3, 1, 20);
    tracker.observe(r, textResult(`${second.nonce} ${second.nonce}`), 30);
    tracker.observe(r, textResult(`${first.nonce} ${second.nonce} ${second.nonce}`), 40);
    const run = totals(metrics);
    expect(run.counter("deliveries_duplicated")).toBe(1);
    expect(run.counter("deliveries_out_of_order")).toBe(1);
  });

  test("writes meant before a receiver was ready, excluded writes and unacknowledged writes are not expected", () => {
    const metrics = new MetricsRecorder();
    const tracker = new DeliveryTracker({ runId: "run1", game: 0, process: 0 }, metrics);
    const r = tracker.addReceiver("lean");
    const early = tracker.newWrite(1, 0, 5);
    tracker.acknowledged(early.writeId);
    tracker.ready(r, 10);
    const hidden = tracker.newWrite(1, 1, 20);
    tracker.acknowledged(hidden.writeId);
    tracker.exclude(hidden.writeId);
    tracker.newWrite(1, 2, 30); // never acknowledged (failed)
    expect(tracker.finish([tracker.acknowledgedWrites()])).toEqual({ expected: 0, lost: 0 });
  });
});

/** A real Transition frame as the lean client reads it (large enough to be scanned, not parsed). */
function leanFrame(queryId: number, querySet: number, ts: bigint, nonces: string[]): ResultText {
  const value = nonces.map((nonce) => ({ message: `${nonce} ${"x".repeat(200)}` }));
  const padding = Array.from({ length: 20 }, () => ({ message: "y".repeat(100) }));
  const text = encodeServerMessage({
    type: "Transition",
    startVersion: { querySet, identity: 0, ts: ts - 1n },
    endVersion: { querySet, identity: 0, ts },
    modifications: [{ type: "QueryUpdated", queryId, value: [...value, ...padding], logLines: [], journal: null }],
  });
  const frame = readFrame(Buffer.from(text), false);
  if (frame.kind !== "scannedTransition") throw new Error("expected the scanned fast path");
  return frame.result;
}

describe("several load processes", () => {
  test("a receiver is held to every process's writes, including ones it never saw", () => {
    const metricsA = new MetricsRecorder();
    const metricsB = new MetricsRecorder();
    const a = new DeliveryTracker({ runId: "run1", game: 0, process: 0 }, metricsA);
    const b = new DeliveryTracker({ runId: "run1", game: 0, process: 1 }, metricsB);
    const viewerOfB = b.addReceiver("lean");
    b.ready(viewerOfB, 0);
    const seen = a.newWrite(1, 0, 100);
    const missed = a.newWrite(1, 1, 200);
    a.acknowledged(seen.writeId);
    a.acknowledged(missed.writeId);
    // B's viewer sees A's first write (timed from its intended time), never the second.
    b.observe(viewerOfB, textResult(`[${seen.nonce}]`), 1_100);
    const everyProcess = [a.acknowledgedWrites(), b.acknowledgedWrites()];
    expect(b.finish(everyProcess)).toEqual({ expected: 2, lost: 1 });
    const run = totals(metricsB);
    expect(run.summary("mutation_observed_us").count).toBe(1);
    expect(run.summary("mutation_observed_us").max).toBeGreaterThanOrEqual(999);
  });
});

describe("parsing a shared result once", () => {
  test("frames of one result with different per-connection headers share one key and give the same sightings", () => {
    const metrics = new MetricsRecorder();
    const tracker = new DeliveryTracker({ runId: "run1", game: 0, process: 0 }, metrics);
    const [a, b] = [tracker.addReceiver("lean"), tracker.addReceiver("lean")];
    tracker.ready(a, 0);
    tracker.ready(b, 0);
    const w0 = tracker.newWrite(1, 0, 10);
    const w1 = tracker.newWrite(1, 1, 20);
    const forA = leanFrame(0, 1, 5n, [w0.nonce]);
    const forB = leanFrame(7, 12, 5n, [w0.nonce]);
    expect(forA.key).toBe(forB.key);
    tracker.observe(a, forA, 100);
    tracker.observe(b, forB, 110);
    // A later result at a later timestamp is a different key, parsed afresh.
    const later = leanFrame(0, 2, 6n, [w0.nonce, w1.nonce]);
    expect(later.key).not.toBe(forA.key);
    tracker.observe(a, later, 200);
    tracker.observe(b, leanFrame(7, 13, 6n, [w0.nonce, w1.nonce]), 210);
    tracker.acknowledged(w0.writeId);
    tracker.acknowledged(w1.writeId);
    expect(tracker.finish([tracker.acknowledgedWrites()])).toEqual({ expected: 4, lost: 0 });
  });
});
