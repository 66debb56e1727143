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
import Denque from "denque";

export interface Flushable {
  flush(): void;
  /** True when a client is waiting on this connection (see above); read when it is marked dirty. */
  readonly urgent: boolean;
}

// Which queue holds a connection. Queues are FIFO rings with lazy removal:
// moving or forgetting a connection only changes its mark, and an entry whose
// mark no longer matches its queue is skipped when it comes up.
//
// Why not one Set per queue: at 10,000 viewers every publication adds a
// thousand connections to a set and deletes them one by one over several
// turns, so the set's table grows and shrinks (both reallocate) about ten
// times a second. Those tables outlive a young-generation collection and were
// about a third of everything the server promoted to the old generation
// (a sampling heap profile of a 10,000-viewer run). The marks live in one Map
// that only grows when a connection first becomes dirty.
type Queue = "none" | "urgent" | "fanOut";

type Mark = { queue: Queue; waitingForCommit: boolean };

export class FlushScheduler {
  private readonly marks = new Map<Flushable, Mark>();
  private readonly urgent = new Denque<Flushable>();
  private readonly fanOut = new Denque<Flushable>();
  /** Live fan-out entries (the ring may also hold stale ones). */
  private fanOutCount = 0;
  private readonly waitingForCommit = new Denque<Flushable>();
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
    if (this.stopped) return;
    const mark = this.markOf(connection);
    // A connection is in at most one queue: an urgent flush sends the fan-out too.
    if (connection.urgent) {
      if (mark.queue === "urgent") return;
      if (mark.queue === "fanOut") this.fanOutCount -= 1;
      mark.queue = "urgent";
      this.urgent.push(connection);
    } else if (mark.queue === "none") {
      mark.queue = "fanOut";
      this.fanOutCount += 1;
      this.fanOut.push(connection);
    }
    this.schedule();
  }

  waitForCommit(connection: Flushable): void {
    if (this.stopped) return;
    const mark = this.markOf(connection);
    if (mark.waitingForCommit) return;
    mark.waitingForCommit = true;
    this.waitingForCommit.push(connection);
  }

  commitProcessed(): void {
    // markDirty never touches waitingForCommit, so draining it here is safe.
    for (let connection = this.waitingForCommit.shift(); connection !== undefined; connection = this.waitingForCommit.shift()) {
      const mark = this.marks.get(connection);
      if (mark?.waitingForCommit !== true) continue;
      mark.waitingForCommit = false;
      this.markDirty(connection);
    }
  }

  forget(connection: Flushable): void {
    const mark = this.marks.get(connection);
    if (mark?.queue === "fanOut") this.fanOutCount -= 1;
    this.marks.delete(connection);
  }

  stop(): void {
    this.stopped = true;
    this.marks.clear();
    this.urgent.clear();
    this.fanOut.clear();
    this.fanOutCount = 0;
    this.waitingForCommit.clear();
  }

  private markOf(connection: Flushable): Mark {
    let mark = this.marks.get(connection);
    if (mark === undefined) {
      mark = { queue: "none", waitingForCommit: false };
      this.marks.set(connection, mark);
    }
    return mark;
  }

  /** Takes `connection` out of `queue` if it is (still) there; false for a stale entry. */
  private take(connection: Flushable, queue: Queue): boolean {
    const mark = this.marks.get(connection);
    if (mark?.queue !== queue) return false;
    mark.queue = "none";
    return true;
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
    if (this.fanOutCount > 0) this.schedule();
  }

  private flushUrgent(): void {
    // Connections marked during this run wait for the next turn: sockets get read in between.
    for (let n = this.urgent.length; n > 0; n--) {
      const connection = this.urgent.shift()!;
      if (this.take(connection, "urgent")) connection.flush();
    }
  }

  private flushFanOutSlice(): void {
    const deadline = this.clock() + this.sliceMs;
    let flushed = 0;
    this.behind = false;
    for (let connection = this.fanOut.shift(); connection !== undefined; connection = this.fanOut.shift()) {
      if (!this.take(connection, "fanOut")) continue;
      this.fanOutCount -= 1;
      connection.flush();
      // Reading the clock costs about as much as a small flush; every few connections is enough.
      flushed += 1;
      if (flushed % 8 === 0 && this.clock() >= deadline) {
        this.behind = this.fanOutCount > 0;
        return;
      }
    }
  }
}
