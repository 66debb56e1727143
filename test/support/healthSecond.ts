// One second of a backend's self-reported health (protocol/http/health.ts),
// ordinary unless a test says otherwise.
import type { BackendHealthSample } from "../../src/protocol/http/index.ts";

export function healthSecond(overrides: Partial<BackendHealthSample> = {}): BackendHealthSample {
  return {
    at: 1_000,
    intervalMs: 1000,
    cpuPercent: 50,
    eventLoopLagMs: { p99: 2, max: 5 },
    gc: { pauses: 3, totalMs: 9, longestMs: 4 },
    rssMb: 200,
    connections: 10,
    ...overrides,
  };
}
