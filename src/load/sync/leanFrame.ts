// Reading server frames without decoding what the lean client does not need.
// A chat viewer's Transition carries the whole latest-messages page (kilobytes)
// 50 times a second; thousands of viewers decoding and parsing all of it
// would cost more CPU than the backend under test. The lean client only needs
// a Transition's end timestamp (to settle its mutations) and, for markers in
// the result, text it decodes at most once per distinct result — so large
// Transitions are located in the raw bytes, not decoded. Everything else
// (small frames, and any frame whose shape is not the one the fast path
// expects) goes through the strict decoder.
import { decodeServerMessage, decodeTs, type ServerMessage } from "../../protocol/sync/index.ts";

/** A delivered result's text, decoded only if somebody reads it. */
export interface ResultText {
  /**
   * Cheap identity of the result, equal for every receiver of the same query
   * result (null when unknown): the frame's end timestamp plus the length of
   * its modifications, which exclude the per-connection header.
   */
  readonly key: string | null;
  text(): string;
}

export type LeanFrame =
  | { kind: "scannedTransition"; endTs: bigint; result: ResultText }
  | { kind: "message"; message: ServerMessage; text: string }
  | { kind: "invalid"; error: string };

// Below this size a full parse costs about as much as the scan.
const SCAN_FROM_BYTES = 2048;
const TRANSITION_PREFIX = Buffer.from('{"type":"Transition"');
const END_VERSION = Buffer.from('"endVersion":');
const MODIFICATIONS = Buffer.from('"modifications":[');
// The end version and the modifications start sit near the beginning of a Transition.
const HEADER_WINDOW = 512;

export function readFrame(frame: Buffer, needDecodedTransitions: boolean): LeanFrame {
  if (!needDecodedTransitions && frame.length >= SCAN_FROM_BYTES && startsWith(frame, TRANSITION_PREFIX)) {
    const scanned = scanTransition(frame);
    if (scanned !== null) return scanned;
  }
  const text = frame.toString("utf8");
  const decoded = decodeServerMessage(text);
  return decoded.ok ? { kind: "message", message: decoded.message, text } : { kind: "invalid", error: decoded.error.message };
}

function scanTransition(frame: Buffer): LeanFrame | null {
  const versionAt = frame.indexOf(END_VERSION);
  if (versionAt === -1 || versionAt > HEADER_WINDOW) return null;
  const open = versionAt + END_VERSION.length;
  const close = frame.indexOf(0x7d /* } */, open);
  if (close === -1 || close > HEADER_WINDOW) return null;
  const endTs = parseTs(frame.toString("latin1", open, close + 1));
  const modificationsAt = frame.indexOf(MODIFICATIONS);
  if (endTs === null || modificationsAt === -1 || modificationsAt > HEADER_WINDOW) return null;
  let text: string | null = null;
  return {
    kind: "scannedTransition",
    endTs,
    result: {
      key: `${endTs}:${frame.length - modificationsAt}`,
      text: () => (text ??= frame.toString("utf8")),
    },
  };
}

function startsWith(frame: Buffer, prefix: Buffer): boolean {
  return frame.length >= prefix.length && frame.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

function parseTs(versionJson: string): bigint | null {
  try {
    return decodeTs((JSON.parse(versionJson) as { ts?: unknown }).ts);
  } catch {
    return null;
  }
}

/** A result already held as text (decoded frames, official clients): keyed by nothing cheaper than itself. */
export function textResult(text: string): ResultText {
  return { key: null, text: () => text };
}
