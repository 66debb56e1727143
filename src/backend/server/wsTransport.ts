// A SyncTransport over a `ws` WebSocket. Every frame a connection sends in
// one batch (a flush: pending responses and the Transition that confirms
// them) leaves in ONE socket write of ready-made frames (textFrame.ts) — no
// cork, no writev, no per-frame bookkeeping in `ws` or Node's stream.
import WebSocket from "ws";
import type { SyncTransport } from "./syncContext.ts";
import { encodeTextFrame, encodeTextFrameOnce } from "./textFrame.ts";

/** RFC 6455 caps a close reason at 123 bytes of UTF-8; `ws` throws beyond that. */
const MAX_CLOSE_REASON_BYTES = 123;

type Writable = { write(data: Buffer, callback: () => void): boolean };

export function createWsTransport(ws: WebSocket, written: () => void): SyncTransport {
  let batch: string[] | null = null;

  const writeFrames = (frames: readonly string[]): void => {
    // Once a close has begun, the peer must not get data frames after the close frame.
    if (ws.readyState !== WebSocket.OPEN) return;
    // `ws` keeps its net.Socket on `_socket` while the connection is open.
    const socket = (ws as unknown as { _socket?: Writable })._socket;
    if (socket === undefined) {
      for (const frame of frames) ws.send(frame, written);
      return;
    }
    socket.write(frames.length === 1 ? encodeTextFrameOnce(frames[0]) : Buffer.concat(frames.map(encodeTextFrame)), written);
  };

  return {
    send(frame) {
      if (batch === null) writeFrames([frame]);
      else batch.push(frame);
    },
    batch(sends) {
      if (batch !== null) return sends();
      batch = [];
      try {
        sends();
      } finally {
        const frames = batch;
        batch = null;
        if (frames.length > 0) writeFrames(frames);
      }
    },
    bufferedBytes: () => ws.bufferedAmount,
    close: (code, reason) => (code === null ? ws.close() : ws.close(code, truncateReason(reason))),
  };
}

function truncateReason(reason: string): string {
  if (Buffer.byteLength(reason) <= MAX_CLOSE_REASON_BYTES) return reason;
  let cut = reason.slice(0, MAX_CLOSE_REASON_BYTES);
  while (Buffer.byteLength(cut) > MAX_CLOSE_REASON_BYTES) cut = cut.slice(0, -1);
  return cut;
}
