// Thousands of virtual viewers each need a timer (heartbeats every 30 s,
// writes at intended times). One setTimeout per viewer would cost a timer
// allocation per event and fire in no particular order when the process
// lags; this queue keeps every due time in a binary min-heap behind a single
// timer, and when it wakes it runs everything that is due, in time order.
import type { LoadClock } from "./clock.ts";

type Entry = { at: number; seq: number; run: (intendedMs: number) => void };

export class TimerQueue {
  private heap: Entry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private timerAt = Infinity;
  private seq = 0;
  private closed = false;

  /** `onLate(ms)`: for each entry the timer ran, how long after its time it woke (not for fireAll). */
  constructor(
    private readonly clock: LoadClock,
    private readonly onLate?: (lateMs: number) => void,
  ) {}

  get size(): number {
    return this.heap.length;
  }

  /** Runs `run(at)` at epoch-ms `at` (or as soon as possible after it). */
  at(at: number, run: (intendedMs: number) => void): void {
    if (this.closed) return;
    this.push({ at, seq: this.seq++, run });
    if (at < this.timerAt) this.arm();
  }

  /**
   * Runs everything pending now, in time order (each with its intended time),
   * e.g. when the run is aborted: sleepers wake and see the abort themselves,
   * so no sleeper needs its own abort listener.
   */
  fireAll(): void {
    while (this.heap.length > 0 && !this.closed) {
      const entry = this.pop()!;
      entry.run(entry.at);
    }
  }

  /** Drops everything pending; later `at` calls are ignored. */
  close(): void {
    this.closed = true;
    this.heap = [];
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    const next = this.heap[0];
    if (next === undefined) {
      this.timer = undefined;
      this.timerAt = Infinity;
      return;
    }
    this.timerAt = next.at;
    this.timer = setTimeout(() => this.fire(), Math.max(0, next.at - this.clock.nowMs()));
  }

  private fire(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.clock.nowMs();
    // Entries scheduled while firing for a time already past run in this same pass.
    while (this.heap.length > 0 && this.heap[0].at <= now && !this.closed) {
      const entry = this.pop()!;
      this.onLate?.(now - entry.at);
      entry.run(entry.at);
    }
    if (!this.closed) this.arm();
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i], heap[parent])) break;
      [heap[i], heap[parent]] = [heap[parent], heap[i]];
      i = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < heap.length && before(heap[l], heap[smallest])) smallest = l;
        if (r < heap.length && before(heap[r], heap[smallest])) smallest = r;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest], heap[i]];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Entry, b: Entry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}
