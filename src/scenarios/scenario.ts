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

/** What seeding needs to know about the run beyond its config (see partition.ts). */
export type SeedScope = {
  /** Derived alike by every shard of the run (runKey): seeded games and titles are shared through it. */
  readonly key: string;
  /** This machine's shard, 0-based; {0, 1} when the run is not sharded. Populations are seeded once across shards. */
  readonly shard: Slice;
};

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
  /** This process among every process of every shard: slice index shard·workers + worker of shards·workers. */
  readonly slice: Slice;
  /** This machine's shard, 0-based ({0, 1} unsharded); a Partition of slice and shard says which viewers, writers and games are this process's. */
  readonly shard: Slice;
  /**
   * Short id of this run on this machine (every shard has its own), carried in nonces so runs — and the
   * shards of one run — sharing a backend never confuse each other's writes: a receiver times only writes
   * sent from its own machine, whose clock it shares.
   */
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
  /**
   * Seeds the backend once per machine; the result (plain JSON) is handed to every process's run.
   * Every shard of a run calls it, so it must be idempotent and agree across shards (see SeedScope).
   */
  prepare(admin: AdminApi, config: ScenarioConfig, log: (message: string) => void, scope: SeedScope): Promise<Seed>;
  /** Runs this process's slice until the schedule ends or the signal aborts; then finishes its accounting. */
  run(runtime: ScenarioRuntime<Seed>): Promise<void>;
};
