// Sync-protocol timestamps are u64 commit timestamps, sent as base64 of the
// 8 little-endian bytes (the client's `longToU64` / `u64ToLong`). On our side
// they are bigints: a JS number loses precision above 2^53, and Convex-style
// timestamps (nanoseconds since the epoch) are far above that.

/** The largest u64: timestamps above it cannot be encoded. */
export const MAX_U64 = (1n << 64n) - 1n;

const U64_BYTES = 8;

/** Base64 of 8 bytes: 11 characters and one "=" of padding (accepted without it too). */
const ENCODED_U64 = /^[A-Za-z0-9+/]{11}=?$/;

// A fan-out encodes the same one or two timestamps (start and end version)
// for every viewer: the last few encodings are kept, so thousands of
// Transitions cost one encoding each instead of a buffer and a string each.
const RECENT = 4;
const recentTs: bigint[] = [];
const recentText: string[] = [];

/** Encodes a u64 as the client expects it. Throws on a value outside 0..2^64-1: that is our bug, not the peer's. */
export function encodeTs(ts: bigint): string {
  for (let i = 0; i < recentTs.length; i++) if (recentTs[i] === ts) return recentText[i];
  if (ts < 0n || ts > MAX_U64) throw new RangeError(`timestamp ${ts} is not a u64`);
  const bytes = Buffer.allocUnsafe(U64_BYTES);
  bytes.writeBigUInt64LE(ts);
  const text = bytes.toString("base64");
  if (recentTs.length === RECENT) {
    recentTs.shift();
    recentText.shift();
  }
  recentTs.push(ts);
  recentText.push(text);
  return text;
}

/** Decodes a peer's timestamp; null when it is not base64 of exactly 8 bytes. */
export function decodeTs(encoded: unknown): bigint | null {
  if (typeof encoded !== "string" || !ENCODED_U64.test(encoded)) return null;
  const bytes = Buffer.from(encoded, "base64");
  if (bytes.length !== U64_BYTES) return null;
  return bytes.readBigUInt64LE();
}
