// The sync WebSocket: accepts upgrades at /api/<client version>/sync and
// adapts each `ws` socket to a SyncConnection's SyncTransport. Also owns
// the sweep that pings, detects dead peers and ticks every connection.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type RawData, type WebSocket } from "ws";
import { parseSyncPath } from "../../protocol/sync/index.ts";
import { requestPath } from "./httpIo.ts";
import { RollingCursor } from "./rollingCursor.ts";
import { SyncConnection } from "./syncConnection.ts";
import type { SyncContext } from "./syncContext.ts";
import { createWsTransport } from "./wsTransport.ts";

/** Sockets that ignore our close handshake this long after shutdown are cut. */
const SHUTDOWN_GRACE_MS = 2_000;

type Peer = { readonly connection: SyncConnection; lastHeardAt: number };

export class SyncEndpoint {
  private readonly wss: WebSocketServer;
  private readonly peers = new Map<WebSocket, Peer>();
  private readonly sweepCursor = new RollingCursor(this.peers);
  private nextId = 1;

  constructor(private readonly ctx: SyncContext) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: ctx.tuning.maxClientFrameBytes,
      perMessageDeflate: false,
    });
  }

  get connections(): Iterable<SyncConnection> {
    return [...this.peers.values()].map((peer) => peer.connection);
  }

  get size(): number {
    return this.peers.size;
  }

  /** Takes over an HTTP upgrade when its path is a sync endpoint; false otherwise. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const pathname = requestPath(request.url);
    if (pathname === null || parseSyncPath(pathname) === null) return false;
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(ws));
    return true;
  }

  /**
   * One step of the sweep that pings quiet peers, cuts silent ones and lets
   * each connection do its timed work: visits `share` of the peers, carrying
   * on from the previous step. At 10,000 viewers a sweep pings every quiet
   * one (by estimate a sixth of them); all in one turn, those socket writes
   * held the heartbeats arriving then back by 60–150 ms every 5 s.
   */
  sweepStep(now: number, share: number): void {
    for (const [ws, peer] of this.sweepCursor.take(Math.ceil(this.peers.size * share))) {
      const silentFor = now - peer.lastHeardAt;
      if (silentFor >= this.ctx.tuning.peerSilenceTimeoutMs) {
        ws.terminate();
        continue;
      }
      this.contain(ws, () => {
        if (silentFor >= this.ctx.tuning.transportPingAfterSilenceMs) ws.ping();
        peer.connection.tick(now);
      });
    }
  }

  /** Cuts every socket without a close frame, as a network failure would. Returns how many. */
  dropAll(): number {
    const count = this.peers.size;
    for (const ws of this.peers.keys()) ws.terminate();
    return count;
  }

  async closeAll(): Promise<void> {
    const closed = [...this.peers.keys()].map(
      (ws) =>
        new Promise<void>((resolve) => {
          const timer = setTimeout(() => ws.terminate(), SHUTDOWN_GRACE_MS);
          ws.once("close", () => {
            clearTimeout(timer);
            resolve();
          });
        }),
    );
    for (const peer of this.peers.values()) peer.connection.shutdown();
    await Promise.all(closed);
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    let connection: SyncConnection | null = null;
    const written = (): void => connection?.written();
    const transport = createWsTransport(ws, written);
    connection = new SyncConnection(this.nextId++, transport, this.ctx);
    const peer: Peer = { connection, lastHeardAt: this.ctx.now() };
    this.peers.set(ws, peer);

    ws.on("message", (data, isBinary) => {
      peer.lastHeardAt = this.ctx.now();
      this.contain(ws, () => (isBinary ? peer.connection.receiveBinary() : peer.connection.receive(text(data))));
    });
    ws.on("pong", () => {
      peer.lastHeardAt = this.ctx.now();
    });
    // Oversized or invalid-UTF-8 frames: `ws` reports here, then closes the socket itself.
    ws.on("error", () => {
      this.ctx.counters.malformedFrames += 1;
    });
    ws.on("close", () => {
      this.peers.delete(ws);
      this.contain(ws, () => peer.connection.peerClosed());
    });
  }

  /** Last line of defence: whatever a connection throws ends that connection only. */
  private contain(ws: WebSocket, work: () => void): void {
    try {
      work();
    } catch (error) {
      this.ctx.counters.internalErrors += 1;
      this.ctx.onInternalError?.(error);
      ws.terminate();
    }
  }
}

function text(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}
