// The embedded backend's network layer: one HTTP server carrying the HTTP
// API and, on upgrade, the sync WebSocket. The engine and authenticator are
// given; this module owns sockets, subscriptions and their timers.
import { createServer, type Server } from "node:http";
import type { Authenticator, Engine } from "../contracts.ts";
import { PortInUseError, ServerListenError } from "./errors.ts";
import { FlushScheduler } from "./flushScheduler.ts";
import { HealthMonitor } from "./healthMonitor.ts";
import { createHttpHandler } from "./httpApi.ts";
import { MutationLog } from "./mutationLog.ts";
import { QueryHub } from "./queryHub.ts";
import { newCounters, type ServerStats } from "./stats.ts";
import type { SyncContext } from "./syncContext.ts";
import { SyncEndpoint } from "./syncEndpoint.ts";
import { TransitionFrames } from "./transitionFrames.ts";
import { resolveTuning, type ServerTuning } from "./tuning.ts";

export { PortInUseError, ServerListenError } from "./errors.ts";
export type { ServerStats } from "./stats.ts";
export { DEFAULT_TUNING, type ServerTuning } from "./tuning.ts";

export type ServerOptions = {
  readonly engine: Engine;
  readonly authenticator: Authenticator;
  readonly host: string;
  /** 0 picks a free port. */
  readonly port: number;
  /** Limits and timers; defaults in tuning.ts. Tests shrink them. */
  readonly tuning?: Partial<ServerTuning>;
  /** Wall-clock ms for token expiry, pings and timeouts; Date.now by default. */
  readonly now?: () => number;
  /** Told about exceptions contained to one connection or request (they never reach the process). */
  readonly onInternalError?: (error: unknown) => void;
};

export type RunningServer = {
  /** `http://host:port`: what ConvexClient / ConvexHttpClient take. */
  readonly url: string;
  readonly port: number;
  /** Closes every socket and stops listening. The engine is left running: its owner closes it. */
  close(): Promise<void>;
  stats(): ServerStats;
  /**
   * Drills and tests: cuts every sync socket abruptly (no close frame), as a
   * network failure would; clients reconnect. Returns how many were cut.
   */
  dropConnections(): number;
};

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const tuning = resolveTuning(options.tuning);
  const now = options.now ?? Date.now;
  const counters = newCounters();
  const hub = new QueryHub(
    options.engine,
    { maxConcurrentRuns: tuning.maxConcurrentQueryRuns, runTimeoutMs: tuning.queryRunTimeoutMs },
    counters,
  );
  const scheduler = new FlushScheduler(tuning.fanOutSliceMs);
  const mutations = new MutationLog(
    {
      perSession: tuning.mutationResultsPerSession,
      total: tuning.mutationResultsTotal,
      sessionIdleTtlMs: tuning.sessionIdleTtlMs,
    },
    now,
  );
  const ctx: SyncContext = {
    engine: options.engine,
    authenticator: options.authenticator,
    hub,
    scheduler,
    mutations,
    tuning,
    counters,
    frames: new TransitionFrames(),
    now,
    onInternalError: options.onInternalError,
  };
  const endpoint = new SyncEndpoint(ctx);
  const health = new HealthMonitor({ connections: () => endpoint.size, intervalMs: tuning.healthSampleIntervalMs });
  const http = createServer(
    createHttpHandler({
      engine: options.engine,
      authenticator: options.authenticator,
      health,
      counters,
      maxBodyBytes: tuning.maxHttpBodyBytes,
      onInternalError: options.onInternalError,
    }),
  );
  http.on("upgrade", (request, socket, head) => {
    if (endpoint.handleUpgrade(request, socket, head)) return;
    socket.end("HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n");
  });
  http.on("clientError", (_error, socket) => socket.destroy());

  // Subscribed in the same turn the hub read engine.latestTs, so no commit falls between them.
  const stopCommits = options.engine.onCommit((commit) => {
    // Called inside the engine's commit path: a failure here must not reach the engine.
    try {
      hub.handleCommit(commit);
      scheduler.commitProcessed();
    } catch (error) {
      counters.internalErrors += 1;
      options.onInternalError?.(error);
    }
  });
  let port: number;
  try {
    port = await listen(http, options.host, options.port, tuning.listenBacklog);
  } catch (error) {
    stopCommits();
    hub.close();
    health.stop();
    throw error;
  }
  // Every connection is visited once per sweepIntervalMs, a share of them per step.
  const sweepStepMs = Math.min(tuning.sweepStepMs, tuning.sweepIntervalMs);
  const sweep = setInterval(() => {
    try {
      endpoint.sweepStep(now(), sweepStepMs / tuning.sweepIntervalMs);
      mutations.sweep();
    } catch (error) {
      // A timer callback that throws would take the process down.
      counters.internalErrors += 1;
      options.onInternalError?.(error);
    }
  }, sweepStepMs);
  sweep.unref();

  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost(options.host)}:${port}`,
    port,
    close: () =>
      (closing ??= (async () => {
        clearInterval(sweep);
        health.stop();
        stopCommits();
        scheduler.stop();
        hub.close();
        const stopped = new Promise<void>((resolve) => http.close(() => resolve()));
        await endpoint.closeAll();
        http.closeAllConnections();
        await stopped;
      })()),
    dropConnections: () => endpoint.dropAll(),
    stats: () => {
      let subscriptions = 0;
      for (const connection of endpoint.connections) subscriptions += connection.subscriptionCount;
      return { ...counters, connections: endpoint.size, sharedQueries: hub.size, subscriptions };
    },
  };
}

function listen(http: Server, host: string, port: number, backlog: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(error.code === "EADDRINUSE" ? new PortInUseError(port, host) : new ServerListenError(port, host, error));
    };
    http.once("error", onError);
    http.listen({ port, host, backlog }, () => {
      http.off("error", onError);
      const address = http.address();
      resolve(typeof address === "object" && address !== null ? address.port : port);
    });
  });
}

/** IPv6 literals need brackets in a URL. */
function urlHost(host: string): string {
  return host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
}
