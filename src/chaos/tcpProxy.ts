// A TCP proxy between clients and the backend, for fault drills: clients
// keep one stable address while the backend behind it is killed and started
// again on another port, and the proxy can cut every connection at once or
// lose every answer in flight, as a flaky network would. It forwards bytes
// and knows nothing of HTTP or WebSocket.
//
//   client ──▶ proxy (stable port) ──▶ backend (retarget() after a restart)
//
// dropAll(): both sockets of every pair are destroyed (no FIN handshake, no
// close frame) — the client sees a network failure and reconnects.
// loseAnswers(true): bytes from the backend are read and thrown away, so a
// request is delivered and run but its answer never arrives.
import { createServer, connect, type Server, type Socket } from "node:net";

type Pair = { readonly client: Socket; readonly upstream: Socket };

export class TcpProxy {
  private readonly pairs = new Set<Pair>();
  private losing = false;
  /** Connections accepted and cut, for the drill's report. */
  readonly counts = { accepted: 0, dropped: 0 };

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private targetPort: number,
    private readonly host: string,
  ) {}

  static start(options: { targetPort: number; host?: string; port?: number }): Promise<TcpProxy> {
    const host = options.host ?? "127.0.0.1";
    return new Promise((resolve, reject) => {
      let proxy: TcpProxy;
      const server = createServer((client) => proxy.accept(client));
      server.once("error", reject);
      server.listen(options.port ?? 0, host, () => {
        const address = server.address();
        proxy = new TcpProxy(server, typeof address === "object" && address !== null ? address.port : 0, options.targetPort, host);
        resolve(proxy);
      });
    });
  }

  get url(): string {
    return `http://${this.host}:${this.port}`;
  }

  /** Connections open through the proxy now. */
  get connections(): number {
    return this.pairs.size;
  }

  /** New connections go to `port` (the restarted backend); open ones are left alone. */
  retarget(port: number): void {
    this.targetPort = port;
  }

  /** Cuts every open connection abruptly; returns how many were cut. */
  dropAll(): number {
    const cut = this.pairs.size;
    for (const pair of [...this.pairs]) this.cut(pair);
    this.counts.dropped += cut;
    return cut;
  }

  /** While on, the backend's bytes are discarded: requests arrive, answers are lost. */
  loseAnswers(on: boolean): void {
    this.losing = on;
  }

  close(): Promise<void> {
    this.dropAll();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    this.counts.accepted += 1;
    const upstream = connect(this.targetPort, this.host);
    const pair: Pair = { client, upstream };
    this.pairs.add(pair);
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    client.on("data", (chunk) => {
      if (!upstream.write(chunk)) client.pause();
    });
    upstream.on("drain", () => client.resume());
    upstream.on("data", (chunk) => {
      if (this.losing) return;
      if (!client.write(chunk)) upstream.pause();
    });
    client.on("drain", () => upstream.resume());
    // Either side failing or closing ends the pair: a backend that died shows as a cut connection.
    for (const socket of [client, upstream]) {
      socket.on("error", () => this.cut(pair));
      socket.on("close", () => this.cut(pair));
    }
  }

  private cut(pair: Pair): void {
    if (!this.pairs.delete(pair)) return;
    pair.client.destroy();
    pair.upstream.destroy();
  }
}
