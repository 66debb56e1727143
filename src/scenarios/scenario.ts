// What a scenario is (STYLE 2): a plain object with its defaults and default
// thresholds, a validation of its knobs, a `prepare` that seeds the backend
// once (with admin rights, in the coordinating process), and a `run` that
// each load process executes for its slice of the viewers. Scenarios never
// touch sockets or histograms directly: they get a ScenarioRuntime.
import type { JSONValue } from "convex/values";
import type { LoadClock } from "../load/clock.ts";
import type { TimerQueue } from "../load/timerQueue.ts";
import type { ClientKind, VirtualClient } from "../load/virtualClient.ts";
import type { MetricsRecorder } from "../metrics/recorder.ts";
import type { ScenarioConfig } from "./config.ts";

/** Admin access for seeding: internal functions over HTTP with the deployment's admin key. */
export interface AdminApi {
  mutation<T = JSONValue>(udfPath: string, args: Record<string, JSONValue>): Promise<T>;
  query<T = JSONValue>(udfPath: string, args: Record<string, JSONValue>): Promise<T>;
}

/** Which part of the whole load this process runs: item i belongs to slice i % count. */
export type Slice = { readonly index: number; readonly count: number };

export function inSlice(itemIndex: number, slice: Slice): boolean {
  return itemIndex % slice.count === slice.index;
}

/** Gauges a load process reports for the dashboard (not part of the report's metrics). */
export type Gauges = {
  connectedViewers: number;
  targetViewers: number;
};

export const NO_GAUGES: Gauges = { connectedViewers: 0, targetViewers: 0 };

export function sumGauges(all: readonly Gauges[]): Gauges {
  return all.reduce(
    (sum, g) => ({ connectedViewers: sum.connectedViewers + g.connectedViewers, targetViewers: sum.targetViewers + g.targetViewers }),
    NO_GAUGES,
  );
}

export interface ScenarioRuntime<Seed> {
  readonly config: ScenarioConfig;
  readonly seed: Seed;
  readonly slice: Slice;
  /** Short id of this run, carried in nonces so runs sharing a backend never confuse each other's writes. */
  readonly runId: string;
  readonly clock: LoadClock;
  /** Epoch ms at which every process starts its schedule (so processes stay in step). */
  readonly startAtMs: number;
  /** Aborted when the run must stop (duration over, Ctrl-C). */
  readonly signal: AbortSignal;
  readonly queue: TimerQueue;
  readonly metrics: MetricsRecorder;
  /** Connects a virtual client as `subject` (null: anonymous), lean unless told otherwise. */
  connect(subject: string | null, kind?: ClientKind, claims?: { name?: string; permissions?: string[] }): Promise<VirtualClient>;
  /** Independent seeded random stream for a named part of the scenario. */
  random(...parts: (string | number)[]): () => number;
  /** Updates this process's gauges (merged across processes by the coordinator). */
  gauge(update: Partial<Gauges>): void;
  /**
   * Exchanges a value with every load process of this run: resolves, in
   * every process, with all processes' values (in process order) once each
   * has sent its own. A barrier — every process must call it with the topic.
   */
  allGather<T extends JSONValue>(topic: string, value: T): Promise<T[]>;
  /** Resolves at epoch ms `atMs`, or at once when the run is aborted. */
  sleepUntil(atMs: number): Promise<void>;
  /** A line for the run's log; one starting with "note:" also goes into the report's notes. */
  log(message: string): void;
}

export type Scenario<Seed = unknown> = {
  readonly name: string;
  readonly description: string;
  /** Knobs this scenario sets differently from BASE_CONFIG. */
  readonly defaults: Partial<ScenarioConfig>;
  /** Threshold expressions (src/metrics/thresholds.ts grammar) applied unless overridden. */
  readonly thresholds: readonly string[];
  /** Scenario-specific problems with the config, each a sentence naming the option. */
  validate(config: ScenarioConfig): string[];
  /** How many virtual clients the whole run connects (the dashboard's target). */
  targetConnections(config: ScenarioConfig): number;
  /** Seeds the backend once; the result (plain JSON) is handed to every process's run. */
  prepare(admin: AdminApi, config: ScenarioConfig, log: (message: string) => void): Promise<Seed>;
  /** Runs this process's slice until the schedule ends or the signal aborts; then finishes its accounting. */
  run(runtime: ScenarioRuntime<Seed>): Promise<void>;
};
