/**
 * The engine's clock: what `Date.now()` inside functions returns and when
 * scheduled functions and crons fire.
 *
 * real:    follows the wall clock; timers are `setTimeout`s.
 * virtual: starts at the wall clock (or where a data file's clock left off,
 *          if that is later) and stands still until `advance(ms)`,
 *          which walks time forward to each due timer in turn (earliest
 *          first, ties in creation order), runs it to completion (timers
 *          it creates that fall inside the window fire too), then settles at
 *          now + ms.
 */
import type { Clock } from "../contracts.ts";
import { wallClockMs } from "./runtime/dateShim.ts";

export type TimerCallback = () => Promise<void> | void;

/** Node's setTimeout holds at most 2^31 - 1 ms; longer waits re-arm. */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export interface EngineClock extends Clock {
  /** Runs `callback` when the clock reaches `atMs`. Returns a cancel function. */
  setTimer(atMs: number, callback: TimerCallback): () => void;
  /** Cancels every pending timer (engine shutdown). */
  stop(): void;
}

type VirtualTimer = { at: number; seq: number; callback: TimerCallback; cancelled: boolean };

class VirtualClock implements EngineClock {
  readonly mode = "virtual" as const;
  private nowMs: number;
  private timers: VirtualTimer[] = [];
  private seq = 0;
  private advancing: Promise<void> = Promise.resolve();

  constructor(resumeAtMs: number) {
    this.nowMs = Math.max(wallClockMs(), resumeAtMs);
  }

  now(): number {
    return this.nowMs;
  }

  setTimer(atMs: number, callback: TimerCallback): () => void {
    const timer: VirtualTimer = { at: atMs, seq: this.seq++, callback, cancelled: false };
    this.timers.push(timer);
    // Already due (runAfter(0), runAt(now)): it runs right away, as with the
    // real clock — time does not have to move for it. advance(0) queues
    // behind any advance in progress, which may pick it up first.
    if (atMs <= this.nowMs) setImmediate(() => void this.advance(0));
    return () => {
      timer.cancelled = true;
    };
  }

  stop(): void {
    for (const timer of this.timers) timer.cancelled = true;
    this.timers = [];
  }

  advance(ms: number): Promise<void> {
    if (!(ms >= 0) || !Number.isFinite(ms)) {
      return Promise.reject(new Error(`advance(ms) needs a finite, non-negative number of milliseconds, got ${ms}`));
    }
    // Overlapping advances run one after another, each from where the last ended.
    const run = this.advancing.then(() => this.advanceNow(ms));
    this.advancing = run.catch(() => undefined);
    return run;
  }

  private async advanceNow(ms: number): Promise<void> {
    const target = this.nowMs + ms;
    for (;;) {
      const due = this.takeEarliestDue(target);
      if (due === null) break;
      if (due.at > this.nowMs) this.nowMs = due.at;
      await due.callback();
    }
    this.nowMs = Math.max(this.nowMs, target);
  }

  /** Removes and returns the earliest timer due by `target` (ties: first created). */
  private takeEarliestDue(target: number): VirtualTimer | null {
    this.timers = this.timers.filter((t) => !t.cancelled);
    let best = -1;
    for (let i = 0; i < this.timers.length; i++) {
      const t = this.timers[i];
      if (t.at > target) continue;
      const b = this.timers[best];
      if (best < 0 || t.at < b.at || (t.at === b.at && t.seq < b.seq)) best = i;
    }
    if (best < 0) return null;
    const [timer] = this.timers.splice(best, 1);
    return timer;
  }
}

class RealClock implements EngineClock {
  readonly mode = "real" as const;
  private readonly handles = new Set<NodeJS.Timeout>();

  now(): number {
    return wallClockMs();
  }

  advance(): Promise<void> {
    return Promise.reject(new Error("advance() is only available with the virtual clock"));
  }

  setTimer(atMs: number, callback: TimerCallback): () => void {
    let handle: NodeJS.Timeout | undefined;
    let cancelled = false;
    const arm = () => {
      const wait = Math.min(Math.max(0, atMs - wallClockMs()), MAX_TIMEOUT_MS);
      handle = setTimeout(() => {
        this.handles.delete(handle!);
        if (cancelled) return;
        if (atMs > wallClockMs()) return arm();
        void Promise.resolve()
          .then(callback)
          .catch(() => undefined);
      }, wait);
      this.handles.add(handle);
    };
    arm();
    return () => {
      cancelled = true;
      if (handle) {
        clearTimeout(handle);
        this.handles.delete(handle);
      }
    };
  }

  stop(): void {
    for (const handle of this.handles) clearTimeout(handle);
    this.handles.clear();
  }
}

/** `resumeAtMs`: a virtual clock never starts before this (time does not run backwards across a restart). */
export function createClock(mode: "real" | "virtual", resumeAtMs = 0): EngineClock {
  return mode === "virtual" ? new VirtualClock(resumeAtMs) : new RealClock();
}
