// The sending side of one sync connection: every frame it writes, chunking
// of large Transitions, and whether the peer keeps up with what it is sent.
//
// Backpressure, per connection:
//   flowing ──(buffer > high water at a flush)──▶ held  (Transitions coalesce: none is built)
//   held ──(buffer ≤ low water)──▶ flowing             (one Transition from the current results)
//   held for slowConsumerTimeoutMs, or buffer > hard limit ──▶ the connection is closed
// A held viewer therefore costs its query set, never a backlog of the
// updates it missed.
import { encodeServerMessage, splitTransitionFrame } from "../../protocol/sync/index.ts";
import type { SyncContext, SyncTransport } from "./syncContext.ts";

const PING_FRAME = encodeServerMessage({ type: "Ping" });

/** What a flush may do now. */
export type FlushAdmission = "send" | "hold" | "overflow";

/** What a tick found. */
export type TickFinding = "quiet" | "pinged" | "drained" | "stuck" | "overflow";

export class Outbox {
  private lastSentAt: number;
  /** When the socket went above the high-water mark; null while it drains normally. */
  private heldSince: number | null = null;
  private transitionSeq = 0;

  constructor(
    private readonly connectionId: number,
    private readonly transport: SyncTransport,
    private readonly ctx: SyncContext,
  ) {
    this.lastSentAt = ctx.now();
  }

  send(frame: string): void {
    this.lastSentAt = this.ctx.now();
    this.ctx.counters.framesSent += 1;
    this.ctx.counters.charsSent += frame.length;
    this.transport.send(frame);
  }

  /** An encoded Transition, in chunks when it is larger than one frame may be. */
  sendTransition(frame: string): void {
    this.ctx.counters.transitionsSent += 1;
    if (frame.length <= this.ctx.tuning.maxTransitionFrameChars) return this.send(frame);
    this.ctx.counters.transitionsChunked += 1;
    const transitionId = `${this.connectionId}-${++this.transitionSeq}`;
    for (const chunk of splitTransitionFrame(frame, this.ctx.tuning.transitionChunkChars, transitionId)) {
      this.send(chunk);
    }
  }

  /** Asked before a Transition is built: a held or newly full socket gets none. */
  admitTransition(): FlushAdmission {
    const buffered = this.transport.bufferedBytes();
    if (buffered > this.ctx.tuning.sendHardLimitBytes) return "overflow";
    if (this.heldSince === null && buffered > this.ctx.tuning.sendHighWaterBytes) this.heldSince = this.ctx.now();
    if (this.heldSince === null) return "send";
    this.ctx.counters.transitionsCoalesced += 1;
    return "hold";
  }

  /** A write finished: true when a held socket has drained and may be sent to again. */
  drained(): boolean {
    if (this.heldSince === null || this.transport.bufferedBytes() > this.ctx.tuning.sendLowWaterBytes) return false;
    this.heldSince = null;
    return true;
  }

  /** Periodic: overflow and stuck sockets, and a ping to a peer that has heard nothing for a while. */
  tick(now: number): TickFinding {
    if (this.transport.bufferedBytes() > this.ctx.tuning.sendHardLimitBytes) return "overflow";
    if (this.heldSince !== null) {
      if (this.drained()) return "drained";
      return now - this.heldSince >= this.ctx.tuning.slowConsumerTimeoutMs ? "stuck" : "quiet";
    }
    if (now - this.lastSentAt < this.ctx.tuning.pingIntervalMs) return "quiet";
    this.ctx.counters.pingsSent += 1;
    this.send(PING_FRAME);
    return "pinged";
  }
}
