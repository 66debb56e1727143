// The lean virtual client: one WebSocket, the SyncSession state machine, and
// reconnection with capped exponential backoff (like the official client's).
// It allocates little per frame: a chat viewer's Transition is handed on as
// text, and only clients with a "value" subscription parse Transitions.
import { randomUUID } from "node:crypto";
import type { JSONValue } from "convex/values";
import { version as convexClientVersion } from "convex";
import WebSocket from "ws";
import type { StateModification } from "../../protocol/sync/index.ts";
import type { ConnectOptions, MutationOutcome, QueryUpdate, SubscribeMode, VirtualClient } from "../virtualClient.ts";
import type { ResultText } from "./leanFrame.ts";
import { SyncSession } from "./syncSession.ts";

// Reconnect delays: start fast (a restarted backend is usually back within a
// second) and cap well under a test's duration.
const INITIAL_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;
// The official client reconnects after 60 s without any frame; the server
// pings well within that, so silence this long means a dead connection.
const SERVER_SILENCE_MS = 60_000;

type Subscription = { queryId: number; mode: SubscribeMode; onUpdate: (update: QueryUpdate) => void };

export function syncUrl(deploymentUrl: string): string {
  const url = new URL(deploymentUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  url.pathname = `${url.pathname.replace(/\/$/, "")}/api/${convexClientVersion}/sync`;
  return url.toString();
}

export class LeanClient implements VirtualClient {
  readonly kind = "lean" as const;
  private socket: WebSocket | null = null;
  private readonly session: SyncSession;
  private readonly subscriptions = new Map<number, Subscription>();
  private attempts = 0;
  private closed = false;
  private everOpened = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private silenceTimer: NodeJS.Timeout | undefined;
  reconnects = 0;
  /** The last refusal the server sent (AuthError / FatalError), for diagnostics. */
  lastServerError: string | null = null;
  private readonly firstOpen: Promise<void>;
  private opened: () => void = () => {};

  constructor(private readonly options: ConnectOptions) {
    this.session = new SyncSession(randomUUID(), (text) => this.socket?.send(text), {
      onTransition: (_endTs, result, modifications) => this.deliver(result, modifications),
      onServerError: (kind, message) => {
        this.lastServerError = `${kind}: ${message}`;
        // Like the official client: any server-side failure drops the connection and starts over.
        this.socket?.close(1000, kind);
      },
    });
    this.session.setToken(options.token);
    this.firstOpen = new Promise((resolve) => (this.opened = resolve));
    this.connect();
  }

  connected(): Promise<void> {
    return this.firstOpen;
  }

  subscribe(udfPath: string, args: Record<string, JSONValue>, mode: SubscribeMode, onUpdate: (update: QueryUpdate) => void): () => void {
    const queryId = this.session.addQuery(udfPath, args);
    this.subscriptions.set(queryId, { queryId, mode, onUpdate });
    this.session.setDecodeTransitions([...this.subscriptions.values()].some((s) => s.mode === "value"));
    return () => {
      this.subscriptions.delete(queryId);
      this.session.removeQuery(queryId);
    };
  }

  mutation(udfPath: string, args: Record<string, JSONValue>): Promise<MutationOutcome> {
    return this.session.mutate(udfPath, args);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.opened(); // nobody waits forever for a connection that will not come
    clearTimeout(this.retryTimer);
    clearTimeout(this.silenceTimer);
    this.session.abandon("client closed");
    const socket = this.socket;
    this.socket = null;
    if (socket === null || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
      else socket.close(1000, "done");
      // A peer that never answers the close handshake must not hold up shutdown.
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 1000).unref();
    });
  }

  private connect(): void {
    if (this.closed) return;
    const socket = new WebSocket(syncUrl(this.options.url), { perMessageDeflate: false });
    this.socket = socket;
    socket.on("open", () => {
      if (this.everOpened) this.reconnects++;
      this.everOpened = true;
      this.attempts = 0;
      this.session.onOpen();
      this.armSilenceTimer();
      this.opened();
    });
    socket.on("message", (data, isBinary) => {
      if (isBinary) return;
      this.armSilenceTimer();
      // Raw bytes: the session decodes only what it needs (see leanFrame.ts).
      this.session.onFrame(Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data));
    });
    socket.on("error", () => {
      // "close" follows every error; reconnecting happens there.
    });
    socket.on("close", (_code, reason) => {
      if (this.socket === socket) this.socket = null;
      this.session.onClose(reason.toString() || "connection closed");
      clearTimeout(this.silenceTimer);
      this.scheduleReconnect();
    });
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    const backoff = Math.min(MAX_BACKOFF_MS, INITIAL_BACKOFF_MS * 2 ** this.attempts++);
    // Full jitter, so thousands of clients dropped together do not return together.
    this.retryTimer = setTimeout(() => this.connect(), Math.random() * backoff);
  }

  private armSilenceTimer(): void {
    if (this.silenceTimer) {
      this.silenceTimer.refresh();
      return;
    }
    this.silenceTimer = setTimeout(() => this.socket?.terminate(), SERVER_SILENCE_MS);
  }

  private deliver(text: ResultText, modifications: readonly StateModification[] | undefined): void {
    if (this.subscriptions.size === 0) return;
    const receivedAtUs = this.options.epochMicros();
    if (modifications === undefined) {
      // Scanned frame: every scan subscriber looks for its own markers in it.
      for (const sub of this.subscriptions.values()) sub.onUpdate({ receivedAtUs, text });
      return;
    }
    for (const modification of modifications) {
      if (modification.type === "QueryRemoved") continue;
      const sub = this.subscriptions.get(modification.queryId);
      if (sub === undefined) continue;
      if (modification.type === "QueryFailed") {
        sub.onUpdate({ receivedAtUs, error: { message: modification.errorMessage, ...(modification.errorData === undefined ? {} : { data: modification.errorData }) } });
      } else if (sub.mode === "value") {
        sub.onUpdate({ receivedAtUs, value: modification.value });
      } else {
        sub.onUpdate({ receivedAtUs, text });
      }
    }
  }
}
