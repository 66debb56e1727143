// Every limit and timer of the network layer, each with the reason for its
// value. Tests shrink some of them through `startServer({ tuning })`.

export type ServerTuning = {
  /**
   * A sync Ping goes out when nothing else was sent for this long. The
   * official client reconnects after 60 s without a frame
   * (WebSocketManager.serverInactivityThreshold = 60000); Convex pings every
   * 15 s, so three pings can be lost or delayed before the client gives up.
   */
  readonly pingIntervalMs: number;
  /** One sweep for all connections (pings, slow consumers, dead peers) instead of a timer per socket: each is visited once per this. */
  readonly sweepIntervalMs: number;
  /**
   * The sweep runs in steps this far apart, each visiting its share of the
   * connections, so its socket writes never pile up in one turn of the
   * event loop.
   */
  readonly sweepStepMs: number;
  /**
   * A peer from which nothing arrived (no frame, no WebSocket pong to our
   * pings) for this long is gone; its socket is terminated. Convex's
   * CLIENT_TIMEOUT, also 120 s.
   */
  readonly peerSilenceTimeoutMs: number;
  /**
   * A WebSocket ping goes only to a peer we have heard nothing from for this
   * long. Peers that talk (heartbeats, mutations) prove themselves; a quiet
   * one gets 3 chances to pong before peerSilenceTimeoutMs. Pinging every
   * peer on every sweep cost one socket write each — with thousands of
   * viewers, a 100+ ms stall of the event loop every sweep.
   */
  readonly transportPingAfterSilenceMs: number;
  /**
   * Transitions whose JSON is longer than this go as TransitionChunks. Keeps
   * every frame a few MB at most, far below the 100 MiB a `ws` client accepts
   * by default, so neither end buffers one enormous frame.
   */
  readonly maxTransitionFrameChars: number;
  /** Payload characters per TransitionChunk. */
  readonly transitionChunkChars: number;
  /**
   * Slow consumers: above this many bytes queued on a socket we stop sending
   * Transitions to it and only remember that it is behind; when it drains
   * below `sendLowWaterBytes` it gets ONE transition with the latest state.
   * Server memory per slow viewer is then bounded by its query set, not by
   * how many updates it missed.
   */
  readonly sendHighWaterBytes: number;
  readonly sendLowWaterBytes: number;
  /**
   * A consumer stuck above the high-water mark this long is closed (code
   * 1008, reason "SlowConsumer"). Under the client's own 60 s silence limit,
   * so we close it before it starts doubting the server.
   */
  readonly slowConsumerTimeoutMs: number;
  /**
   * Hard cap on bytes left unread by one socket, whatever filled it (huge
   * mutation results, many responses). Checked before each Transition is
   * built and on every sweep; above it the connection is closed at once:
   * memory must not grow with a peer that does not read.
   */
  readonly sendHardLimitBytes: number;
  /** Largest incoming frame. Convex caps function arguments at 16 MiB. */
  readonly maxClientFrameBytes: number;
  /** Largest HTTP request body, same reason. */
  readonly maxHttpBodyBytes: number;
  /**
   * Queued mutations per connection. Convex allows 1000 pending mutations on
   * one WebSocket (OPERATION_QUEUE_BUFFER_SIZE) and so do we; more is a
   * runaway client.
   */
  readonly maxPendingMutations: number;
  /** In-flight actions per connection, same limit and reason as mutations. */
  readonly maxInflightActions: number;
  /**
   * Frames waiting behind an Authenticate whose token is being verified.
   * A client has no reason to send more than its query set and pending
   * mutations meanwhile; beyond this it is flooding.
   */
  readonly maxQueuedFrames: number;
  /**
   * A query run that has not returned after this long is given up: its
   * subscribers get a QueryFailed and it is retried on the next commit.
   * Bounds the commits kept for in-flight runs (commitWindow.ts). Convex's
   * sync worker gives up on a transition after the same 60 s.
   */
  readonly queryRunTimeoutMs: number;
  /**
   * Query re-runs in flight at once across the server. The engine is one
   * JS thread; more concurrency only interleaves awaits and multiplies
   * memory, while this many keeps it busy.
   */
  readonly maxConcurrentQueryRuns: number;
  /**
   * Longest stretch of fan-out flushing (viewers receiving a changed result)
   * before the event loop reads sockets again. One write can change a query
   * that 10,000 viewers hold — one socket write each, 100+ ms in all — and a
   * heartbeat arriving meanwhile should wait for a slice, not for the lot
   * (its target is p99 < 50 ms). Every turn also accepts ONE new connection
   * (see listenBacklog), so while the fan-out is behind, the slice sets how
   * fast the server admits viewers: the rest of each turn goes to the
   * sockets that spoke, and the fan-out takes what is left whatever the
   * slice. 10,000 viewers over a 30 s ramp (333 a second), every one
   * watching its game's count: with 1 ms slices viewers connected up to
   * 16–33 s after their planned arrival (connect p99), with 0.5 ms 10–18 s,
   * with 0.25 ms 2.6–4.3 s; 0.1 ms spent more on turns than it gained
   * (1.6–6.7 s, count freshness worse).
   */
  readonly fanOutSliceMs: number;
  /**
   * Connections the kernel may hold completed but not yet accepted. Node 20
   * accepts one connection per turn of the event loop (measured: 600 queued
   * connections took 643 turns): busy with fan-out in 2 ms slices, the
   * server accepted about 200 a second. A ramp of 333 viewers a second overflowed
   * Node's default of 511, and the client's kernel retries a dropped
   * handshake only after 1, 3, 7, 15 … s: viewers connected tens of seconds
   * late. The kernel caps this at net.core.somaxconn.
   */
  readonly listenBacklog: number;
  /**
   * Mutation results remembered per session, so a mutation the client
   * re-sends after a reconnect is answered from memory, not run twice. A
   * client re-sends only what it has not seen confirmed — seconds' worth —
   * so the last 1024 per session are plenty (above the 1000-pending cap).
   */
  readonly mutationResultsPerSession: number;
  /** Remembered mutation results across all sessions; least recently active sessions go first. */
  readonly mutationResultsTotal: number;
  /**
   * A session idle this long is forgotten. Far longer than the client's
   * 16 s maximum reconnect backoff, so no live client loses its results.
   */
  readonly sessionIdleTtlMs: number;
  /**
   * The process samples its own health (event-loop lag, GC, CPU) this often
   * for GET /api/csn-rt/health. A second is fine enough to line stalls up
   * with a run's per-second latencies and coarse enough to cost nothing.
   */
  readonly healthSampleIntervalMs: number;
};

export const DEFAULT_TUNING: ServerTuning = {
  pingIntervalMs: 15_000,
  sweepIntervalMs: 5_000,
  sweepStepMs: 100,
  peerSilenceTimeoutMs: 120_000,
  transportPingAfterSilenceMs: 30_000,
  maxTransitionFrameChars: 4 * 1024 * 1024,
  transitionChunkChars: 1024 * 1024,
  sendHighWaterBytes: 1024 * 1024,
  sendLowWaterBytes: 256 * 1024,
  slowConsumerTimeoutMs: 30_000,
  sendHardLimitBytes: 64 * 1024 * 1024,
  maxClientFrameBytes: 16 * 1024 * 1024,
  maxHttpBodyBytes: 16 * 1024 * 1024,
  maxPendingMutations: 1000,
  maxInflightActions: 1000,
  maxQueuedFrames: 2000,
  queryRunTimeoutMs: 60_000,
  maxConcurrentQueryRuns: 32,
  fanOutSliceMs: 0.25,
  listenBacklog: 4096,
  mutationResultsPerSession: 1024,
  mutationResultsTotal: 200_000,
  sessionIdleTtlMs: 10 * 60_000,
  healthSampleIntervalMs: 1_000,
};

/** Merges overrides, refusing nonsense so a typo in a test fails loudly. */
export function resolveTuning(overrides: Partial<ServerTuning> | undefined): ServerTuning {
  const tuning = { ...DEFAULT_TUNING, ...overrides };
  for (const [name, value] of Object.entries(tuning)) {
    if (!Number.isFinite(value) || value <= 0) throw new RangeError(`tuning.${name} must be a positive number`);
  }
  if (tuning.sendLowWaterBytes > tuning.sendHighWaterBytes) {
    throw new RangeError("tuning.sendLowWaterBytes must not exceed sendHighWaterBytes");
  }
  return tuning;
}
