// A viewer's live-stream session, as a browser tab keeps it: join once,
// heartbeat every interval with jitter, re-join when the backend has counted
// the tab out, leave when the tab closes. Socket-free and timer-injected, so
// the same class runs in the page and under fake timers in the tests.
//
//   start() ──join──> watching ──(interval ± jitter)──> heartbeat ──ok──> watching
//                        ▲                                   │
//                        └──────join, same sessionId─── SessionInactive / NotFound
//   leave() (pagehide) ──> left ──start() (pageshow from the back/forward cache)──> joining
//
// A heartbeat still in flight (the connection is down and the client queued
// it) is not stacked with another: the tick is skipped. Any other failure
// keeps the schedule; the next tick tries again, and if heartbeats stay
// broken for 2 minutes the backend's cleanup counts the tab out, and the
// first heartbeat that gets through re-joins it.
import { isCsnErrorData } from "../../../convex/lib/errors";

export type SessionCalls = {
  join(args: { gameId: string; deviceType: string; sessionId: string }): Promise<{ sessionId: string }>;
  heartbeat(args: { sessionId: string }): Promise<null>;
  // What leaving changed is of no use to a closing tab.
  leave(args: { sessionId: string }): Promise<unknown>;
};

export type SessionTimers = {
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** In [0, 1); Math.random in the page. */
  random(): number;
};

export type SessionStatus = "joining" | "watching" | "rejoining" | "left";

export type StreamSessionOptions = {
  gameId: string;
  deviceType: string;
  /** 30 s in production (HEARTBEAT_INTERVAL_MS); the browser tests shorten it. */
  intervalMs: number;
  calls: SessionCalls;
  timers: SessionTimers;
  /** A fresh UUID per tab; kept across re-joins so the backend sees one session come back. */
  sessionId: string;
  onStatus?: (status: SessionStatus) => void;
  onError?: (error: unknown) => void;
};

/**
 * ±10 %: tabs opened together (kickoff, a shared link) would otherwise
 * heartbeat in lockstep, sending every viewer's mutation in the same instant
 * each interval; the jitter spreads them over a fifth of the interval.
 */
export const HEARTBEAT_JITTER = 0.1;

export function nextHeartbeatDelay(intervalMs: number, random: number): number {
  return Math.round(intervalMs * (1 + HEARTBEAT_JITTER * (2 * random - 1)));
}

export class StreamSession {
  private status: SessionStatus = "left";
  private timer: unknown = null;
  private heartbeatInFlight = false;

  constructor(private readonly options: StreamSessionOptions) {}

  get currentStatus(): SessionStatus {
    return this.status;
  }

  /** Joins (or re-joins after pageshow) and starts the heartbeat. */
  start(): void {
    if (this.status !== "left") return;
    void this.join("joining");
  }

  /** The tab is going away: stop heartbeating and tell the backend now, not in 2 minutes. */
  leave(): void {
    if (this.status === "left") return;
    this.setStatus("left");
    this.clearTimer();
    this.options.calls.leave({ sessionId: this.options.sessionId }).catch((error: unknown) => this.options.onError?.(error));
  }

  private async join(status: "joining" | "rejoining"): Promise<void> {
    this.setStatus(status);
    const { gameId, deviceType, sessionId } = this.options;
    try {
      await this.options.calls.join({ gameId, deviceType, sessionId });
    } catch (error) {
      this.options.onError?.(error);
    }
    if (this.status === "left") return;
    this.setStatus("watching");
    this.schedule();
  }

  private schedule(): void {
    this.clearTimer();
    const delay = nextHeartbeatDelay(this.options.intervalMs, this.options.timers.random());
    this.timer = this.options.timers.setTimeout(() => void this.tick(), delay);
  }

  private async tick(): Promise<void> {
    this.timer = null;
    if (this.status !== "watching") return;
    if (this.heartbeatInFlight) return this.schedule();
    this.heartbeatInFlight = true;
    try {
      await this.options.calls.heartbeat({ sessionId: this.options.sessionId });
    } catch (error) {
      const data = (error as { data?: unknown }).data;
      if (isCsnErrorData(data) && (data.kind === "SessionInactive" || data.kind === "NotFound")) {
        // Counted out (left, or no heartbeat for 2 minutes) or forgotten: come back with the same id.
        this.heartbeatInFlight = false;
        if (this.status === "watching") await this.join("rejoining");
        return;
      }
      this.options.onError?.(error);
    } finally {
      this.heartbeatInFlight = false;
    }
    if (this.status === "watching") this.schedule();
  }

  private clearTimer(): void {
    if (this.timer !== null) this.options.timers.clearTimeout(this.timer);
    this.timer = null;
  }

  private setStatus(status: SessionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.options.onStatus?.(status);
  }
}
