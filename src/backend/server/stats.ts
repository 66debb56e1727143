// Counters the network layer keeps for `serve`'s status line and for tests.
// Plain integers bumped in place on hot paths; `stats()` copies them out.

export type ServerCounters = {
  connectionsOpened: number;
  connectionsClosed: number;
  /** Query function executions started by the subscription layer (shared: one per distinct query, not per viewer). */
  queryRuns: number;
  /** Re-runs whose result matched the previous one: nothing was sent for them. */
  queryRunsUnchanged: number;
  /** Runs given up after queryRunTimeoutMs. */
  queryRunsTimedOut: number;
  commitsProcessed: number;
  transitionsSent: number;
  /** Transitions large enough to travel as TransitionChunks. */
  transitionsChunked: number;
  framesSent: number;
  /** UTF-16 characters of all frames sent (bytes are within 3x of this). */
  charsSent: number;
  pingsSent: number;
  mutationsExecuted: number;
  /** Re-sent mutations answered from the session's memory instead of running again. */
  mutationsReplayed: number;
  actionsExecuted: number;
  httpRequests: number;
  malformedFrames: number;
  protocolErrors: number;
  authErrors: number;
  slowConsumersClosed: number;
  /** Transition builds skipped because the socket was not draining; it later gets one with the latest state. */
  transitionsCoalesced: number;
  /** Exceptions contained to one connection or request instead of reaching the process. */
  internalErrors: number;
  /** Connects whose maxObservedTimestamp was ahead of the engine (a restarted in-memory backend). */
  clientsAheadOfServer: number;
};

export type ServerStats = Readonly<ServerCounters> & {
  readonly connections: number;
  readonly sharedQueries: number;
  readonly subscriptions: number;
};

export function newCounters(): ServerCounters {
  return {
    connectionsOpened: 0,
    connectionsClosed: 0,
    queryRuns: 0,
    queryRunsUnchanged: 0,
    queryRunsTimedOut: 0,
    commitsProcessed: 0,
    transitionsSent: 0,
    transitionsChunked: 0,
    framesSent: 0,
    charsSent: 0,
    pingsSent: 0,
    mutationsExecuted: 0,
    mutationsReplayed: 0,
    actionsExecuted: 0,
    httpRequests: 0,
    malformedFrames: 0,
    protocolErrors: 0,
    authErrors: 0,
    slowConsumersClosed: 0,
    transitionsCoalesced: 0,
    internalErrors: 0,
    clientsAheadOfServer: 0,
  };
}
