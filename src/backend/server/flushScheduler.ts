// Batches transition work. Connections are marked dirty as results and
// responses arrive; one callback on the next turn of the event loop lets
// each dirty connection build at most one Transition from the latest state,
// however many results changed in between. Connections waiting for a
// timestamp the server has not reached yet (a mutation committed but its
// commit not yet processed) are woken by the next processed commit.

export interface Flushable {
  flush(): void;
  /** Flush after the others in a batch (connections whose news is only their own responses). */
  readonly flushLate?: boolean;
}

export class FlushScheduler {
  private dirty = new Set<Flushable>();
  private readonly waitingForCommit = new Set<Flushable>();
  private scheduled = false;
  private stopped = false;

  markDirty(connection: Flushable): void {
    this.dirty.add(connection);
    this.schedule();
  }

  waitForCommit(connection: Flushable): void {
    this.waitingForCommit.add(connection);
  }

  commitProcessed(): void {
    if (this.waitingForCommit.size === 0) return;
    for (const connection of this.waitingForCommit) this.dirty.add(connection);
    this.waitingForCommit.clear();
    this.schedule();
  }

  forget(connection: Flushable): void {
    this.dirty.delete(connection);
    this.waitingForCommit.delete(connection);
  }

  stop(): void {
    this.stopped = true;
    this.dirty.clear();
    this.waitingForCommit.clear();
  }

  private schedule(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.run());
  }

  private run(): void {
    this.scheduled = false;
    const batch = this.dirty;
    this.dirty = new Set();
    // flush() contains its own failures (see SyncConnection), so one bad connection cannot starve the rest.
    // Viewers whose queries changed go first; writers awaiting confirmation after:
    // a mutation's latency to its passive viewers is what the CSN targets measure.
    const late: Flushable[] = [];
    for (const connection of batch) {
      if (connection.flushLate) late.push(connection);
      else connection.flush();
    }
    for (const connection of late) connection.flush();
  }
}
