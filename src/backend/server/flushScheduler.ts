// Batches transition work. Connections are marked dirty as results and
// responses arrive; a callback on the next turn of the event loop lets each
// dirty connection build at most one Transition from the latest state,
// however many results changed in between. Connections waiting for a
// timestamp the server has not reached yet (a mutation committed but its
// commit not yet processed) are woken by the next processed commit.
//
// Two kinds of dirty connection:
//   fan-out   only new results of queries it already holds (a viewer whose
//             viewer count or chat page changed). One write may make
//             thousands of these at once.
//   urgent    someone is waiting on it: a mutation's response or
//             confirmation, a query it just subscribed to, a new identity.
//
// Fan-out is flushed in slices of at most `sliceMs`; between slices the
// event loop reads sockets, runs the mutations that arrived and flushes
// their (urgent) connections. So a heartbeat waits for one slice, not for
// a whole 10,000-viewer fan-out, and a fan-out that cannot keep up with the
// writes coalesces instead of queueing: a connection reached late sends one
// Transition with everything that changed meanwhile.
//
// Order within a turn: while fan-out keeps up (its last slice emptied the
// backlog) it goes first — a mutation's latency to its passive viewers is
// what the CSN targets measure, and the writer's confirmation follows a few
// microseconds later. Once fan-out is behind, waiting clients go first: a
// whole slice ahead of every confirmation would only add to a backlog that
// coalesces anyway.

export interface Flushable {
  flush(): void;
  /** True when a client is waiting on this connection (see above); read when it is marked dirty. */
  readonly urgent: boolean;
}

export class FlushScheduler {
  private readonly urgent = new Set<Flushable>();
  private readonly fanOut = new Set<Flushable>();
  private readonly waitingForCommit = new Set<Flushable>();
  private scheduled = false;
  private stopped = false;
  /** The last fan-out slice ran out of time with connections left over. */
  private behind = false;

  /** `sliceMs`: longest stretch of fan-out flushing before the event loop gets a turn. */
  constructor(
    private readonly sliceMs: number,
    private readonly clock: () => number = performance.now.bind(performance),
  ) {}

  markDirty(connection: Flushable): void {
    // The two sets stay disjoint: an urgent flush sends the fan-out too.
    if (connection.urgent) {
      this.fanOut.delete(connection);
      this.urgent.add(connection);
    } else if (!this.urgent.has(connection)) {
      this.fanOut.add(connection);
    }
    this.schedule();
  }

  waitForCommit(connection: Flushable): void {
    this.waitingForCommit.add(connection);
  }

  commitProcessed(): void {
    if (this.waitingForCommit.size === 0) return;
    // markDirty never touches waitingForCommit, so iterating it here is safe.
    for (const connection of this.waitingForCommit) this.markDirty(connection);
    this.waitingForCommit.clear();
  }

  forget(connection: Flushable): void {
    this.urgent.delete(connection);
    this.fanOut.delete(connection);
    this.waitingForCommit.delete(connection);
  }

  stop(): void {
    this.stopped = true;
    this.urgent.clear();
    this.fanOut.clear();
    this.waitingForCommit.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    // flush() contains its own failures (see SyncConnection), so one bad connection cannot starve the rest.
    if (this.behind) {
      this.flushUrgent();
      this.flushFanOutSlice();
    } else {
      this.flushFanOutSlice();
      this.flushUrgent();
    }
    if (this.fanOut.size > 0) this.schedule();
  }

  private flushUrgent(): void {
    // Connections marked during this run wait for the next turn: sockets get read in between.
    const urgent = [...this.urgent];
    this.urgent.clear();
    for (const connection of urgent) connection.flush();
  }

  private flushFanOutSlice(): void {
    const deadline = this.clock() + this.sliceMs;
    let flushed = 0;
    this.behind = false;
    for (const connection of this.fanOut) {
      this.fanOut.delete(connection);
      connection.flush();
      // Reading the clock costs about as much as a small flush; every few connections is enough.
      flushed += 1;
      if (flushed % 8 === 0 && this.clock() >= deadline) {
        this.behind = this.fanOut.size > 0;
        return;
      }
    }
  }
}
