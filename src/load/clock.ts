// Time as the load generator measures it. Latencies are differences of
// epoch microseconds from performance.timeOrigin + performance.now(): high
// resolution, monotonic within a process, and comparable between the
// generator's processes on one machine (all derive from the same system
// clock), which cross-process delivery latency relies on.
import { performance } from "node:perf_hooks";

export interface LoadClock {
  /** Milliseconds since the epoch, fractional. */
  nowMs(): number;
  /** Integer microseconds since the epoch. */
  epochMicros(): number;
}

export const systemClock: LoadClock = {
  nowMs: () => performance.timeOrigin + performance.now(),
  epochMicros: () => Math.round((performance.timeOrigin + performance.now()) * 1000),
};
