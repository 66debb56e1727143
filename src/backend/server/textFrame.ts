// A server's WebSocket text frame (RFC 6455 §5.2: FIN, opcode 1, no mask,
// no extensions) built in ONE buffer: header and UTF-8 payload together.
//
// Why not ws.send: `ws` frames a message as two buffers (header, payload)
// written under cork, which Node turns into a writev with its bookkeeping
// (a chunk array, a callback closure, a deferred after-write tick). A
// fan-out sends one frame to each of thousands of sockets, so that
// bookkeeping, and the garbage it leaves for the young-generation collector
// whose pauses stop the whole server, is paid thousands of times per write.
// `ws` still does everything else: the handshake, reading, pings, closing.

const OPCODE_TEXT_FIN = 0x81;
/** Payload lengths up to this fit in the 7-bit length field. */
const MAX_7_BIT = 125;
const LENGTH_16_BIT = 126;
const LENGTH_64_BIT = 127;

export function encodeTextFrame(text: string): Buffer {
  const length = Buffer.byteLength(text, "utf8");
  const header = length <= MAX_7_BIT ? 2 : length <= 0xffff ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = OPCODE_TEXT_FIN;
  if (header === 2) {
    frame[1] = length;
  } else if (header === 4) {
    frame[1] = LENGTH_16_BIT;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = LENGTH_64_BIT;
    // A 64-bit length as two 32-bit halves: Buffer lengths are safe integers, so both are exact.
    frame.writeUInt32BE(Math.floor(length / 2 ** 32), 2);
    frame.writeUInt32BE(length >>> 0, 6);
  }
  frame.write(text, header, length, "utf8");
  return frame;
}

// A fan-out writes one shared Transition frame (transitionFrames.ts) to
// socket after socket. A buffer handed to socket.write is never changed
// afterwards, so the same bytes may go to every one of them.
let lastText: string | null = null;
let lastFrame: Buffer = Buffer.alloc(0);

/** encodeTextFrame, reusing the previous call's buffer when the text is the same. */
export function encodeTextFrameOnce(text: string): Buffer {
  if (text !== lastText) {
    lastFrame = encodeTextFrame(text);
    lastText = text;
  }
  return lastFrame;
}
