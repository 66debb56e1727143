// Arrival models: WHEN operations are meant to start, separate from WHAT they
// do (the scenario). The open models compute every arrival's intended time
// from the start time alone, so a stalled backend or generator never slides
// the schedule: work that is late is still started at once and its latency is
// measured from the intended time (no coordinated omission), and work that
// cannot start because too much is already in flight is counted as a dropped
// arrival, which makes the run inconclusive.
//
//   constantArrivalRate   r arrivals per second for a duration: t_k = k / r
//   rampingArrivalRate    stages ramping the rate linearly; arrival k happens
//                         when the integral of the rate reaches k
//   closedModel           N users, each: operation, think time, repeat (latency
//                         from the actual send; offered for comparison only)
import type { TimerQueue } from "./timerQueue.ts";
import { sleep } from "./sleep.ts";

export type ArrivalStage = { durationMs: number; targetRatePerSecond: number };

export type OpenModel =
  | { kind: "constant-arrival-rate"; ratePerSecond: number; durationMs: number }
  | { kind: "ramping-arrival-rate"; startRatePerSecond: number; stages: readonly ArrivalStage[] };

export function constantArrivalRate(ratePerSecond: number, durationMs: number): OpenModel {
  return { kind: "constant-arrival-rate", ratePerSecond, durationMs };
}

export function rampingArrivalRate(startRatePerSecond: number, stages: readonly ArrivalStage[]): OpenModel {
  return { kind: "ramping-arrival-rate", startRatePerSecond, stages };
}

/** Intended arrival times in ms after the start, in order, generated lazily. */
export function* arrivalOffsets(model: OpenModel): Generator<number> {
  switch (model.kind) {
    case "constant-arrival-rate": {
      if (model.ratePerSecond <= 0) return;
      const spacingMs = 1000 / model.ratePerSecond;
      // Computed from k each time (never accumulated) so rounding cannot drift.
      for (let k = 0; k * spacingMs < model.durationMs; k++) yield k * spacingMs;
      return;
    }
    case "ramping-arrival-rate": {
      let stageStartMs = 0;
      let rate = model.startRatePerSecond;
      let arrivalsBefore = 0; // integral of the rate up to the stage start
      let k = 0;
      for (const stage of model.stages) {
        const seconds = stage.durationMs / 1000;
        const r0 = rate;
        const r1 = stage.targetRatePerSecond;
        const inStage = ((r0 + r1) / 2) * seconds;
        while (k < arrivalsBefore + inStage) {
          yield stageStartMs + 1000 * timeToReach(k - arrivalsBefore, r0, r1, seconds);
          k++;
        }
        arrivalsBefore += inStage;
        stageStartMs += stage.durationMs;
        rate = r1;
      }
      return;
    }
    default:
      return model satisfies never;
  }
}

/** Seconds into a stage whose rate goes linearly r0 → r1 over `seconds` until `n` arrivals have accrued. */
function timeToReach(n: number, r0: number, r1: number, seconds: number): number {
  const a = (r1 - r0) / (2 * seconds);
  if (Math.abs(a) < 1e-12) return n / r0;
  // a t² + r0 t − n = 0, the root in [0, seconds].
  return (-r0 + Math.sqrt(r0 * r0 + 4 * a * n)) / (2 * a);
}

export type DriveOptions = {
  model: OpenModel;
  /** Epoch ms the schedule counts from. */
  startMs: number;
  queue: TimerQueue;
  /** Arrivals started but not finished, at most; beyond it arrivals are dropped. */
  maxInFlight: number;
  signal: AbortSignal;
  /** Starts one operation; `intendedMs` is when it was meant to start. */
  onArrival: (intendedMs: number, index: number) => Promise<void>;
  onDropped: (intendedMs: number) => void;
};

/** Runs an open model to its end (or until aborted) and resolves once every started operation settled. */
export function driveOpenModel(options: DriveOptions): Promise<{ started: number; dropped: number }> {
  const { queue, signal } = options;
  const offsets = arrivalOffsets(options.model);
  let inFlight = 0;
  let started = 0;
  let dropped = 0;
  let exhausted = false;

  return new Promise((resolve) => {
    const settleIfDone = () => {
      if ((exhausted || signal.aborted) && inFlight === 0) resolve({ started, dropped });
    };
    const scheduleNext = () => {
      const next = signal.aborted ? undefined : offsets.next();
      if (next === undefined || next.done) {
        exhausted = true;
        settleIfDone();
        return;
      }
      queue.at(options.startMs + next.value, (intendedMs) => {
        if (signal.aborted) return settleIfDone();
        if (inFlight >= options.maxInFlight) {
          dropped++;
          options.onDropped(intendedMs);
        } else {
          inFlight++;
          const index = started++;
          options
            .onArrival(intendedMs, index)
            .catch(() => {}) // operations record their own errors
            .finally(() => {
              inFlight--;
              settleIfDone();
            });
        }
        scheduleNext();
      });
    };
    // No abort listener: the queue's owner fires pending entries on abort
    // (TimerQueue.fireAll), and each checks the signal itself.
    scheduleNext();
  });
}

export type ClosedModelOptions = {
  users: number;
  thinkTimeMs: number;
  durationMs: number;
  signal: AbortSignal;
  nowMs: () => number;
  iteration: (userIndex: number) => Promise<void>;
};

/** Closed model: each user runs iteration, waits thinkTimeMs, repeats, until the duration ends. */
export async function runClosedModel(options: ClosedModelOptions): Promise<{ iterations: number }> {
  const endAt = options.nowMs() + options.durationMs;
  let iterations = 0;
  const user = async (index: number) => {
    while (!options.signal.aborted && options.nowMs() < endAt) {
      await options.iteration(index).catch(() => {});
      iterations++;
      if (options.thinkTimeMs > 0) await sleep(options.thinkTimeMs, options.signal);
    }
  };
  await Promise.all(Array.from({ length: options.users }, (_, i) => user(i)));
  return { iterations };
}

