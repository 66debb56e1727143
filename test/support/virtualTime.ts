// Time for scenario tests that should not wait in real time: every sleeper
// registers here, and `run` moves the clock straight to the next wake-up
// whenever everything else is waiting. A run of minutes takes milliseconds,
// and the order of events is exactly the schedule's.
import type { LoadClock } from "../../src/load/clock.ts";

type Sleeper = { atMs: number; seq: number; wake: () => void };

export class VirtualTime {
  private sleepers: Sleeper[] = [];
  private seq = 0;
  readonly clock: LoadClock = {
    nowMs: () => this.nowMs,
    epochMicros: () => Math.round(this.nowMs * 1000),
  };

  constructor(public nowMs: number) {}

  sleepUntil(atMs: number): Promise<void> {
    if (atMs <= this.nowMs) return Promise.resolve();
    return new Promise((wake) => this.sleepers.push({ atMs, seq: this.seq++, wake }));
  }

  sleep(ms: number): Promise<void> {
    return this.sleepUntil(this.nowMs + ms);
  }

  /**
   * Settles `task`, advancing the clock whenever nothing but sleepers is left
   * to run. Fails if the task waits on something that is not time (it would
   * never finish) or sleeps past `limitMs`.
   */
  async run<T>(task: Promise<T>, limitMs: number): Promise<T> {
    let settled = false;
    task.then(
      () => (settled = true),
      () => (settled = true),
    );
    for (;;) {
      // A macrotask turn: every promise chain woken by the last step has run as far as it can.
      await new Promise((resolve) => setImmediate(resolve));
      if (settled) return task;
      if (this.sleepers.length === 0) throw new Error("the task is waiting for something other than time");
      this.sleepers.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const next = this.sleepers.shift()!;
      if (next.atMs > limitMs) throw new Error(`the task is still running at ${limitMs} ms`);
      this.nowMs = next.atMs;
      next.wake();
    }
  }
}
