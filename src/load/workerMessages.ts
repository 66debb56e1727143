// The messages between the coordinating process and its load processes
// (Node IPC, structured clone). One union per direction, each switch closed.
import type { JSONValue } from "convex/values";
import type { ScenarioConfig } from "../scenarios/config.ts";
import type { Gauges, Slice } from "../scenarios/scenario.ts";
import type { IntervalSample } from "../metrics/recorder.ts";
import type { HealthSample } from "./generatorHealth.ts";
import type { SigningKey } from "./keys.ts";

export type WorkerAssignment = {
  scenario: string;
  config: ScenarioConfig;
  seed: JSONValue;
  /** This process among all processes of all shards. */
  slice: Slice;
  /** This machine's shard, 0-based. */
  shard: Slice;
  runId: string;
  url: string;
  /** When the scenario's schedule starts, epoch ms (the same for every process). */
  startAtMs: number;
  /** Interval length and origin for IntervalSample indexes. */
  intervalMs: number;
  auth: { key: SigningKey; issuer: string; audience?: string };
};

export type ToWorker =
  | { type: "start"; assignment: WorkerAssignment }
  | { type: "stop" }
  /** Every process's value for `topic`, in process order (see ScenarioRuntime.allGather). */
  | { type: "gathered"; topic: string; values: JSONValue[] };

export type FromWorker =
  | { type: "ready" }
  | { type: "sample"; sample: IntervalSample; health: HealthSample; gauges: Gauges; reconnects: number }
  | { type: "log"; message: string }
  | { type: "gather"; topic: string; value: JSONValue }
  | { type: "done"; error?: string };
