// A Transition too large for one frame travels as TransitionChunks: the
// serialized Transition cut into consecutive substrings, sent in order with
// nothing in between (client 1.48 `WebSocketManager.assembleTransition`
// drops a half-assembled transition when any other message arrives, and
// rejects a part out of order or with a different transitionId/totalParts).
import type { Decoded, ServerMessage, Transition } from "./messages.ts";
import { decodeServerMessage } from "./serverCodec.ts";

/**
 * Cuts a serialized Transition into TransitionChunk frames of at most
 * `maxChunkChars` characters of payload each. Never cuts between the two
 * halves of a surrogate pair, so every chunk is well-formed UTF-16 and
 * survives UTF-8 encoding on its own.
 */
export function splitTransitionFrame(transitionJson: string, maxChunkChars: number, transitionId: string): string[] {
  if (!Number.isInteger(maxChunkChars) || maxChunkChars < 2) {
    throw new RangeError("maxChunkChars must be an integer of at least 2");
  }
  const pieces: string[] = [];
  let start = 0;
  while (start < transitionJson.length) {
    let end = Math.min(start + maxChunkChars, transitionJson.length);
    if (end < transitionJson.length && isHighSurrogate(transitionJson.charCodeAt(end - 1))) end -= 1;
    pieces.push(transitionJson.slice(start, end));
    start = end;
  }
  return pieces.map((chunk, partNumber) =>
    JSON.stringify({ type: "TransitionChunk", chunk, partNumber, totalParts: pieces.length, transitionId }),
  );
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/**
 * Reassembles TransitionChunks on the receiving side (the lean client's
 * counterpart of the official client's buffer). Feed every decoded message;
 * it returns the message to act on, or null while a transition is partial.
 */
export class TransitionAssembler {
  private buffer: { chunks: string[]; totalParts: number; transitionId: string } | null = null;

  accept(message: ServerMessage): Decoded<ServerMessage | null> {
    if (message.type !== "TransitionChunk") {
      // Like the official client: anything else abandons a partial transition.
      this.buffer = null;
      return { ok: true, message };
    }
    const { partNumber, totalParts, transitionId } = message;
    const buffer = this.buffer ?? { chunks: [], totalParts, transitionId };
    if (
      totalParts === 0 ||
      partNumber !== buffer.chunks.length ||
      buffer.totalParts !== totalParts ||
      buffer.transitionId !== transitionId
    ) {
      this.buffer = null;
      return fail(`TransitionChunk ${partNumber}/${totalParts} of ${transitionId} arrived out of order`);
    }
    buffer.chunks.push(message.chunk);
    if (buffer.chunks.length < totalParts) {
      this.buffer = buffer;
      return { ok: true, message: null };
    }
    this.buffer = null;
    const whole = decodeServerMessage(buffer.chunks.join(""));
    if (!whole.ok) return whole;
    if (whole.message.type !== "Transition") return fail(`chunks assembled into a ${whole.message.type}`);
    return { ok: true, message: whole.message satisfies Transition };
  }
}

function fail(message: string): Decoded<never> {
  return { ok: false, error: { kind: "invalidMessage", message } };
}
