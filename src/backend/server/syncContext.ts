// What a SyncConnection is given instead of a socket and globals: the seams
// it talks through. Everything here can be replaced by a test double.
import type { Authenticator, Engine } from "../contracts.ts";
import type { FlushScheduler } from "./flushScheduler.ts";
import type { MutationLog } from "./mutationLog.ts";
import type { QueryHub } from "./queryHub.ts";
import type { ServerCounters } from "./stats.ts";
import type { TransitionFrames } from "./transitionFrames.ts";
import type { ServerTuning } from "./tuning.ts";

/** The socket, seen from the state machine. */
export interface SyncTransport {
  /** Queues one text frame. */
  send(frame: string): void;
  /**
   * Runs `sends` with the socket corked, so the frames it queues leave in one
   * write. On loopback a write costs as much as a round trip (the kernel
   * delivers to the peer inside the syscall), so a mutation's response and
   * its confirming Transition go together.
   */
  batch(sends: () => void): void;
  /** Bytes queued by send() and not yet handed to the network. */
  bufferedBytes(): number;
  /** Closes with a status code and reason; `null` closes without a status code. */
  close(code: number | null, reason: string): void;
}

export type SyncContext = {
  readonly engine: Engine;
  readonly authenticator: Authenticator;
  readonly hub: QueryHub;
  readonly scheduler: FlushScheduler;
  readonly mutations: MutationLog;
  readonly tuning: ServerTuning;
  readonly counters: ServerCounters;
  /** Transition frames shared across the connections of a fan-out. */
  readonly frames: TransitionFrames;
  /** Wall-clock ms: token expiry, pings, slow-consumer timeouts. */
  readonly now: () => number;
  /** Told about exceptions contained to one connection (for logs); never rethrown. */
  readonly onInternalError?: (error: unknown) => void;
};
