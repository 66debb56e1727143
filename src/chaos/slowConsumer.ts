// A viewer whose device stops reading: a raw `ws` socket that subscribes to
// a busy query (several times over, so every update is large) and then
// pauses its net.Socket, so the backend's writes pile up in the kernel and
// then in the server's send buffer. Beside it a twin with the same
// subscriptions keeps reading, to show what the paused one missed.
//
// When it reads again, what arrives tells what the server did:
//   a close 1008 "SlowConsumer…"   the server gave up on it (slowConsumerTimeoutMs)
//   a close without a frame        the server closed it and then cut it (ws's close timeout)
//   fewer updates than the twin's  the server coalesced: it skipped updates and sent the latest state
//   every update                   the backlog fit in the socket buffers (too short a pause to matter)
//
// It talks to the backend directly, never through the drill's proxy: the
// proxy would read the socket on its behalf and hide the backpressure.
import { randomUUID } from "node:crypto";
import WebSocket, { type RawData } from "ws";
import { decodeTs, encodeClientMessage, syncPath } from "../protocol/sync/index.ts";

/** Long enough for a loaded backend to answer a first subscription. */
const SUBSCRIBE_TIMEOUT_MS = 30_000;
/** After reading again: the backlog (or the close frame behind it) arrives within this on loopback. */
const SETTLE_MS = 5_000;

export type SlowConsumerOutcome = {
  readonly subscriptions: number;
  /** How long the socket went unread, ms. */
  readonly pausedMs: number;
  /** Updates (Transition frames) and bytes the reading twin got meanwhile, and its largest frame. */
  readonly twin: { readonly transitions: number; readonly bytes: number; readonly largest: number };
  /** What reached the paused socket once it read again, up to the update that caught it up with the twin. */
  readonly afterResume: { readonly transitions: number; readonly bytes: number; readonly largest: number };
  /** How long catching up took after reading again, ms; null when it never did (closed, or still behind). */
  readonly caughtUpMs: number | null;
  /** How the server ended it, or null when it was still open. */
  readonly closed: { readonly code: number; readonly reason: string } | null;
};

type Tally = { transitions: number; bytes: number; largest: number };

export class SlowConsumer {
  private pausedAt: number | null = null;
  private resumedAt: number | null = null;
  private readonly twinTally: Tally = { transitions: 0, bytes: 0, largest: 0 };
  private readonly resumedTally: Tally = { transitions: 0, bytes: 0, largest: 0 };
  private closedWith: { code: number; reason: string } | null = null;
  private readonly closed: Promise<void>;
  /** The newest state the twin was sent (its last Transition's end ts). */
  private twinTs = 0n;
  /** Set on reading again: the twin's ts then, which the slow socket must reach. */
  private target: bigint | null = null;
  private caughtUpAt: number | null = null;
  private onCaughtUp: () => void = () => {};

  private constructor(
    private readonly slow: WebSocket,
    private readonly twin: WebSocket,
    readonly subscriptions: number,
  ) {
    this.closed = new Promise((resolve) => slow.once("close", () => resolve()));
    slow.on("close", (code, reason) => {
      if (this.pausedAt !== null) this.closedWith = { code, reason: reason.toString() };
    });
    slow.on("message", (data) => this.slowFrame(data));
    twin.on("message", (data) => {
      const ts = transitionEndTs(data);
      if (ts === null) return;
      if (ts > this.twinTs) this.twinTs = ts;
      if (this.paused()) count(this.twinTally, data);
    });
  }

  /**
   * Connects both sockets to `url`, subscribes each `subscriptions` times to
   * `udfPath(args)`, and pauses the slow one as soon as its first update arrived.
   */
  static async start(url: string, udfPath: string, args: Record<string, unknown>, subscriptions: number): Promise<SlowConsumer> {
    const [slow, twin] = await Promise.all([subscribe(url, udfPath, args, subscriptions), subscribe(url, udfPath, args, subscriptions)]);
    const consumer = new SlowConsumer(slow, twin, subscriptions);
    // ws keeps its net.Socket on `_socket`: pausing it stops reading while ws itself stays open.
    socketOf(slow).pause();
    consumer.pausedAt = Date.now();
    return consumer;
  }

  /** Reads again, waits for what the server left for it, closes both sockets and says what happened. */
  async check(): Promise<SlowConsumerOutcome> {
    this.target = this.twinTs;
    this.resumedAt = Date.now();
    const caughtUp = new Promise<void>((resolve) => (this.onCaughtUp = resolve));
    socketOf(this.slow).resume();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, caughtUp, new Promise<void>((resolve) => (timer = setTimeout(resolve, SETTLE_MS)))]);
    clearTimeout(timer);
    const outcome: SlowConsumerOutcome = {
      subscriptions: this.subscriptions,
      pausedMs: this.resumedAt - (this.pausedAt ?? this.resumedAt),
      twin: { ...this.twinTally },
      afterResume: { ...this.resumedTally },
      caughtUpMs: this.caughtUpAt === null ? null : this.caughtUpAt - this.resumedAt,
      closed: this.closedWith,
    };
    this.close();
    return outcome;
  }

  /** Ends both sockets at once (the drill's cleanup). */
  close(): void {
    this.slow.terminate();
    this.twin.terminate();
  }

  private paused(): boolean {
    return this.pausedAt !== null && this.resumedAt === null;
  }

  /** After reading again, counts what arrives until the update that reaches the twin's state. */
  private slowFrame(data: RawData): void {
    if (this.resumedAt === null || this.caughtUpAt !== null) return;
    count(this.resumedTally, data);
    const ts = transitionEndTs(data);
    if (ts !== null && this.target !== null && ts >= this.target) {
      this.caughtUpAt = Date.now();
      this.onCaughtUp();
    }
  }
}

/** A raw sync socket with `count` subscriptions to one query; resolves on its first Transition. */
function subscribe(url: string, udfPath: string, args: Record<string, unknown>, count: number): Promise<WebSocket> {
  const ws = new WebSocket(`${url.replace(/^http/, "ws")}${syncPath("csn-rt-chaos")}`, { perMessageDeflate: false });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`no first result for ${udfPath} within ${SUBSCRIBE_TIMEOUT_MS / 1000} s`)), SUBSCRIBE_TIMEOUT_MS);
    const fail = (error: Error) => {
      clearTimeout(timer);
      ws.terminate();
      reject(error);
    };
    ws.once("error", fail);
    ws.once("close", (code) => fail(new Error(`the backend closed the subscription (code ${code}) before its first result`)));
    ws.once("open", () => {
      ws.send(encodeClientMessage({ type: "Connect", sessionId: randomUUID(), connectionCount: 0, lastCloseReason: null }));
      const modifications = Array.from({ length: count }, (_, queryId) => ({ type: "Add" as const, queryId, udfPath, args: [args as never] }));
      ws.send(encodeClientMessage({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1, modifications }));
    });
    const onFirst = (data: RawData) => {
      if (transitionEndTs(data) === null) return;
      clearTimeout(timer);
      ws.off("message", onFirst);
      ws.removeAllListeners("error");
      ws.removeAllListeners("close");
      // An error after this point ends the socket; its close is what the drill reports.
      ws.on("error", () => {});
      resolve(ws);
    };
    ws.on("message", onFirst);
  });
}

function count(tally: Tally, data: RawData): void {
  const bytes = byteLength(data);
  tally.bytes += bytes;
  if (bytes > tally.largest) tally.largest = bytes;
  if (transitionEndTs(data) !== null) tally.transitions += 1;
}

/** A Transition's frame begins with its versions (serverCodec.ts), so only its head is read, not the whole update. */
const TRANSITION_HEAD = /^\{"type":"Transition","startVersion":\{[^}]*\},"endVersion":\{[^}]*"ts":"([^"]+)"/;
/** Enough bytes for the head above. */
const HEAD_BYTES = 200;

/** The end ts of a Transition frame; null for any other frame. */
function transitionEndTs(data: RawData): bigint | null {
  const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  const match = TRANSITION_HEAD.exec(bytes.subarray(0, HEAD_BYTES).toString("utf8"));
  return match === null ? null : decodeTs(match[1]);
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, b) => sum + b.length, 0);
  return data.byteLength;
}

function socketOf(ws: WebSocket): { pause(): void; resume(): void } {
  return (ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
}
