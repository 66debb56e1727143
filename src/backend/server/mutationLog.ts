// At-most-once mutations across reconnects. The client re-sends every
// mutation it has not seen confirmed when it reconnects with the same
// sessionId (RequestManager.restart), including ones that already ran. So
// each (sessionId, requestId) runs once: the log remembers the outcome — or
// the promise of a run still in flight — and a re-sent request is answered
// from it.
//
// Bounded three ways: per session (oldest results go first), in total
// (least recently active sessions go first) and by idle time (sweep()).
import type { MutationResponse } from "../../protocol/sync/index.ts";

type Entry = { response: Promise<MutationResponse> };

type Session = { readonly entries: Map<number, Entry>; lastActiveMs: number };

export type MutationLogLimits = {
  readonly perSession: number;
  readonly total: number;
  readonly sessionIdleTtlMs: number;
};

export class MutationLog {
  /** Map order is recency order: a session is moved to the end when used. */
  private readonly sessions = new Map<string, Session>();
  private total = 0;

  constructor(
    private readonly limits: MutationLogLimits,
    private readonly now: () => number,
  ) {}

  get size(): number {
    return this.total;
  }

  /**
   * The response of (sessionId, requestId): remembered if the request was
   * seen before (`replayed`), otherwise from running `execute` now.
   */
  runOnce(
    sessionId: string,
    requestId: number,
    execute: () => Promise<MutationResponse>,
  ): { response: Promise<MutationResponse>; replayed: boolean } {
    const session = this.touch(sessionId);
    const known = session.entries.get(requestId);
    if (known !== undefined) return { response: known.response, replayed: true };
    const response = execute();
    session.entries.set(requestId, { response });
    this.total += 1;
    if (session.entries.size > this.limits.perSession) this.dropOldest(session);
    this.enforceTotal(sessionId);
    return { response, replayed: false };
  }

  /** Forgets sessions idle longer than the TTL. */
  sweep(): void {
    const cutoff = this.now() - this.limits.sessionIdleTtlMs;
    for (const [id, session] of this.sessions) {
      if (session.lastActiveMs >= cutoff) break; // recency order: the rest are newer
      this.forget(id, session);
    }
  }

  private touch(sessionId: string): Session {
    let session = this.sessions.get(sessionId);
    if (session === undefined) {
      session = { entries: new Map(), lastActiveMs: 0 };
    } else {
      this.sessions.delete(sessionId);
    }
    session.lastActiveMs = this.now();
    this.sessions.set(sessionId, session);
    return session;
  }

  private dropOldest(session: Session): void {
    const oldest = session.entries.keys().next();
    if (oldest.done) return;
    session.entries.delete(oldest.value);
    this.total -= 1;
  }

  private enforceTotal(keepSessionId: string): void {
    for (const [id, session] of this.sessions) {
      if (this.total <= this.limits.total) return;
      if (id === keepSessionId) {
        this.dropOldest(session);
      } else {
        this.forget(id, session);
      }
    }
  }

  private forget(id: string, session: Session): void {
    this.total -= session.entries.size;
    this.sessions.delete(id);
  }
}
