// Shared set-up for the end-to-end tests: a server on a free port backed by
// the fake engine, official clients that are closed after each test, and a
// raw protocol socket for what the official client does not expose.
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import WebSocket from "ws";
import { startServer, type RunningServer, type ServerTuning } from "../../../src/backend/server/index.ts";
import { decodeServerMessage, encodeClientMessage, type ClientMessage, type ServerMessage } from "../../../src/protocol/sync/index.ts";
import { FakeAuthenticator, FakeEngine } from "./fakeEngine.ts";

export type Backend = {
  readonly engine: FakeEngine;
  readonly authenticator: FakeAuthenticator;
  readonly server: RunningServer;
  client(): ConvexClient;
  httpClient(): ConvexHttpClient;
  raw(): Promise<RawSocket>;
  close(): Promise<void>;
};

export async function startBackend(
  options: { tuning?: Partial<ServerTuning>; clock?: "real" | "virtual" } = {},
): Promise<Backend> {
  const engine = new FakeEngine(options.clock ?? "real");
  const authenticator = new FakeAuthenticator();
  const server = await startServer({ engine, authenticator, host: "127.0.0.1", port: 0, tuning: options.tuning });
  const clients: ConvexClient[] = [];
  const raws: RawSocket[] = [];
  return {
    engine,
    authenticator,
    server,
    client() {
      const client = new ConvexClient(server.url, {
        webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
        logger: false,
      });
      clients.push(client);
      return client;
    },
    httpClient: () => new ConvexHttpClient(server.url, { logger: false }),
    async raw() {
      const socket = await RawSocket.open(`${server.url.replace("http", "ws")}/api/1.48.0/sync`);
      raws.push(socket);
      return socket;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      for (const socket of raws) socket.ws.terminate();
      await server.close();
    },
  };
}

/** A bare protocol client: sends what it is told, records every decoded frame. */
export class RawSocket {
  readonly received: ServerMessage[] = [];
  closeCode: number | null = null;
  private waiters: Array<() => void> = [];

  private constructor(readonly ws: WebSocket) {
    ws.on("message", (data) => {
      const decoded = decodeServerMessage(data.toString());
      if (decoded.ok) this.received.push(decoded.message);
      this.wake();
    });
    ws.on("close", (code) => {
      this.closeCode = code;
      this.wake();
    });
  }

  static open(url: string): Promise<RawSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const socket = new RawSocket(ws);
      ws.once("open", () => resolve(socket));
      ws.once("error", reject);
    });
  }

  send(message: ClientMessage): void {
    this.ws.send(encodeClientMessage(message));
  }

  sendText(text: string): void {
    this.ws.send(text);
  }

  /** Resolves once `predicate` holds over what was received, or rejects after `timeoutMs`. */
  async until(predicate: (socket: RawSocket) => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!predicate(this)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out; received ${JSON.stringify(this.received, bigints)}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  of<T extends ServerMessage["type"]>(type: T): Extract<ServerMessage, { type: T }>[] {
    return this.received.filter((m): m is Extract<ServerMessage, { type: T }> => m.type === type);
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

function bigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? `${value}n` : value;
}

/** Polls `predicate` until it holds (for state only visible through callbacks). */
export async function eventually(predicate: () => boolean, timeoutMs = 5_000, what = "condition"): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
