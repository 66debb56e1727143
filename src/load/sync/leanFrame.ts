// Reading server frames without decoding what the lean client does not need.
// A chat viewer's Transition carries the whole latest-messages page (kilobytes)
// 50 times a second; thousands of viewers parsing all of it would cost more
// CPU than the backend under test. The lean client only needs a Transition's
// end timestamp (to settle its mutations) and the raw text (to find the
// nonces of writes in it), so large Transitions are scanned, not parsed.
// Everything else — small frames, and any frame whose shape is not the one
// the fast path expects — goes through the strict decoder.
import { decodeServerMessage, decodeTs, type ServerMessage } from "../../protocol/sync/index.ts";

export type LeanFrame =
  | { kind: "scannedTransition"; endTs: bigint; text: string }
  | { kind: "message"; message: ServerMessage; text: string }
  | { kind: "invalid"; error: string };

// Below this size a full parse costs about as much as the scan.
const SCAN_FROM_CHARS = 2048;
const TRANSITION_PREFIX = '{"type":"Transition"';
// The end version sits near the start of a Transition; never scan further for it.
const HEADER_WINDOW = 512;
const END_VERSION = /"endVersion":(\{[^{}]*\})/;

export function readFrame(text: string, needDecodedTransitions: boolean): LeanFrame {
  if (!needDecodedTransitions && text.length >= SCAN_FROM_CHARS && text.startsWith(TRANSITION_PREFIX)) {
    const match = END_VERSION.exec(text.slice(0, HEADER_WINDOW));
    if (match) {
      const endTs = parseTs(match[1]);
      if (endTs !== null) return { kind: "scannedTransition", endTs, text };
    }
  }
  const decoded = decodeServerMessage(text);
  return decoded.ok ? { kind: "message", message: decoded.message, text } : { kind: "invalid", error: decoded.error.message };
}

function parseTs(versionJson: string): bigint | null {
  try {
    return decodeTs((JSON.parse(versionJson) as { ts?: unknown }).ts);
  } catch {
    return null;
  }
}
