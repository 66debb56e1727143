// A viewer's connect latency counts from its planned arrival in the ramp to
// the moment its socket is open — not from when the generator got round to
// dialling, and not before the socket is actually open.
import { describe, expect, test } from "vitest";
import type { LatencyMetric } from "../../src/metrics/metricNames.ts";
import type { ClientKind, VirtualClient } from "../../src/load/virtualClient.ts";
import { arrived } from "../../src/scenarios/common.ts";
import type { ScenarioRuntime } from "../../src/scenarios/scenario.ts";

function harness() {
  const recorded: { metric: LatencyMetric; micros: number; kind?: ClientKind }[] = [];
  let nowUs = 10_000_000;
  const rt = {
    clock: { epochMicros: () => nowUs, nowMs: () => nowUs / 1000 },
    metrics: { record: (metric: LatencyMetric, micros: number, kind?: ClientKind) => recorded.push({ metric, micros, kind }) },
  } as unknown as ScenarioRuntime<null>;
  /** A client whose socket opens `afterUs` from now (or fails). */
  const client = (kind: ClientKind, afterUs: number, fails = false) =>
    ({
      kind,
      connected: async () => {
        await Promise.resolve();
        nowUs += afterUs;
        if (fails) throw new Error("connection refused");
      },
    }) as unknown as VirtualClient;
  return { rt, recorded, client };
}

describe("arrived", () => {
  test("records from the planned arrival to the open socket, per client kind", async () => {
    const { rt, recorded, client } = harness();
    // Planned 2 s before "now"; the socket opens 250 ms later.
    await arrived(rt, client("official", 250_000), 8_000);
    expect(recorded).toEqual([{ metric: "connect_us", micros: 2_250_000, kind: "official" }]);
  });

  test("a connection that never opens records nothing and its failure reaches the caller", async () => {
    const { rt, recorded, client } = harness();
    await expect(arrived(rt, client("lean", 1_000, true), 10_000)).rejects.toThrow("connection refused");
    expect(recorded).toEqual([]);
  });
});
