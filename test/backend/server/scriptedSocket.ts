// A SyncConnection wired to an in-memory transport and the fake engine: the
// test plays the client frame by frame and reads back every frame sent.
import type { JSONValue } from "convex/values";
import { FlushScheduler } from "../../../src/backend/server/flushScheduler.ts";
import { MutationLog } from "../../../src/backend/server/mutationLog.ts";
import { QueryHub } from "../../../src/backend/server/queryHub.ts";
import { newCounters, type ServerCounters } from "../../../src/backend/server/stats.ts";
import type { SyncContext, SyncTransport } from "../../../src/backend/server/syncContext.ts";
import { SyncConnection } from "../../../src/backend/server/syncConnection.ts";
import { TransitionFrames } from "../../../src/backend/server/transitionFrames.ts";
import { resolveTuning, type ServerTuning } from "../../../src/backend/server/tuning.ts";
import {
  decodeServerMessage,
  encodeClientMessage,
  TransitionAssembler,
  type ClientMessage,
  type ServerMessage,
  type Transition,
} from "../../../src/protocol/sync/index.ts";
import { FakeAuthenticator, FakeEngine } from "./fakeEngine.ts";

export class ScriptedTransport implements SyncTransport {
  readonly frames: string[] = [];
  /** Where every transport of a world records (connection, frame) in send order. */
  constructor(
    private readonly sendLog: Array<{ transport: ScriptedTransport; frame: string }> = [],
  ) {}
  buffered = 0;
  closed: { code: number | null; reason: string } | null = null;

  /** Frames sent together in one batch, by batch: proves what leaves in one write. */
  readonly batches: string[][] = [];
  private batching: string[] | null = null;

  send(frame: string): void {
    this.frames.push(frame);
    this.batching?.push(frame);
    this.sendLog.push({ transport: this, frame });
  }
  batch(sends: () => void): void {
    this.batching = [];
    try {
      sends();
    } finally {
      if (this.batching.length > 0) this.batches.push(this.batching);
      this.batching = null;
    }
  }
  bufferedBytes(): number {
    return this.buffered;
  }
  close(code: number | null, reason: string): void {
    this.closed = { code, reason };
  }

  /** Every frame decoded, chunks reassembled. */
  messages(): ServerMessage[] {
    const assembler = new TransitionAssembler();
    const out: ServerMessage[] = [];
    for (const frame of this.frames) {
      const decoded = decodeServerMessage(frame);
      if (!decoded.ok) throw new Error(decoded.error.message);
      const whole = assembler.accept(decoded.message);
      if (!whole.ok) throw new Error(whole.error.message);
      if (whole.message !== null) out.push(whole.message);
    }
    return out;
  }

  transitions(): Transition[] {
    return this.messages().filter((m): m is Transition => m.type === "Transition");
  }
}

export class World {
  readonly engine = new FakeEngine();
  readonly authenticator = new FakeAuthenticator();
  readonly counters: ServerCounters = newCounters();
  readonly scheduler: FlushScheduler;
  readonly hub: QueryHub;
  readonly ctx: SyncContext;
  /** Added to Date.now() for the connections' clock. */
  clockOffsetMs = 0;
  private nextId = 1;

  constructor(tuning: Partial<ServerTuning> = {}) {
    const resolved = resolveTuning(tuning);
    this.hub = new QueryHub(this.engine, { maxConcurrentRuns: 8, runTimeoutMs: 60_000 }, this.counters);
    this.scheduler = new FlushScheduler(resolved.fanOutSliceMs);
    this.engine.onCommit((commit) => {
      this.hub.handleCommit(commit);
      this.scheduler.commitProcessed();
    });
    const now = (): number => Date.now() + this.clockOffsetMs;
    this.ctx = {
      engine: this.engine,
      authenticator: this.authenticator,
      hub: this.hub,
      scheduler: this.scheduler,
      mutations: new MutationLog({ perSession: 100, total: 1000, sessionIdleTtlMs: 60_000 }, now),
      tuning: resolved,
      frames: new TransitionFrames(),
      counters: this.counters,
      now,
    };
  }

  /** Every frame any connection of this world sent, in order. */
  readonly sendLog: Array<{ transport: ScriptedTransport; frame: string }> = [];

  connect(): Client {
    const transport = new ScriptedTransport(this.sendLog);
    return new Client(new SyncConnection(this.nextId++, transport, this.ctx), transport);
  }
}

export class Client {
  constructor(
    readonly connection: SyncConnection,
    readonly transport: ScriptedTransport,
  ) {}

  send(message: ClientMessage): void {
    this.connection.receive(encodeClientMessage(message));
  }

  subscribe(queryId: number, udfPath: string, args: { [key: string]: JSONValue }, baseVersion = queryId): void {
    this.send({
      type: "ModifyQuerySet",
      baseVersion,
      newVersion: baseVersion + 1,
      modifications: [{ type: "Add", queryId, udfPath, args: [args] }],
    });
  }

  mutate(requestId: number, udfPath: string, args: { [key: string]: JSONValue }): void {
    this.send({ type: "Mutation", requestId, udfPath, args: [args] });
  }

  /** The client's view of each query after every Transition, with that Transition's end ts. */
  views(): Array<{ ts: bigint; values: Map<number, JSONValue> }> {
    const values = new Map<number, JSONValue>();
    return this.transport.transitions().map((transition) => {
      for (const m of transition.modifications) {
        if (m.type === "QueryUpdated") values.set(m.queryId, m.value);
        else values.delete(m.queryId);
      }
      return { ts: transition.endVersion.ts, values: new Map(values) };
    });
  }
}

/** Lets pending promises, setImmediate batches and query runs finish until `predicate` holds. */
export async function until(predicate: () => boolean, what = "condition"): Promise<void> {
  for (let i = 0; i < 2_000; i += 1) {
    if (predicate()) return;
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`never reached: ${what}`);
}

/** Lets everything already queued run. */
export async function settle(turns = 20): Promise<void> {
  for (let i = 0; i < turns; i += 1) await new Promise((resolve) => setImmediate(resolve));
}
