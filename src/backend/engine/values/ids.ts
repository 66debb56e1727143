// Convex document ids, encoded the way the real backend encodes them
// (crates/value/src/id_v6.rs in convex-backend):
//
//   bytes  = VInt(tableNumber) ++ internalId (16 bytes) ++ footer (2 bytes, LE)
//   footer = fletcher16(VInt(tableNumber) ++ internalId) ^ VERSION
//   id     = base32(bytes), Crockford alphabet in lower case, MSB first, no padding
//
// Because the table number is inside the id, `normalizeId` and `v.id("t")`
// can tell which table an id belongs to without looking anything up.
import { randomFillSync } from "node:crypto";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz";
const INTERNAL_ID_LENGTH = 16;
const FOOTER_LENGTH = 2;
const VERSION = 0;
/** A VInt for a u32 takes one to five bytes. */
const MAX_TABLE_NUMBER_LENGTH = 5;

const DECODE_TABLE = new Int8Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE_TABLE[ALPHABET.charCodeAt(i)] = i;

function base32Length(byteLength: number): number {
  return Math.ceil((byteLength * 8) / 5);
}
const MIN_ID_LENGTH = base32Length(1 + INTERNAL_ID_LENGTH + FOOTER_LENGTH);
const MAX_ID_LENGTH = base32Length(MAX_TABLE_NUMBER_LENGTH + INTERNAL_ID_LENGTH + FOOTER_LENGTH);

export type DecodedId = { readonly tableNumber: number; readonly internalId: Uint8Array };

function encodeBase32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

/**
 * The bytes of `text`, or null when it is not base32 in its one canonical
 * spelling: leftover bits past the last whole byte must be fewer than a
 * character and all zero (so one document has one id string).
 */
function decodeBase32(text: string): Uint8Array | null {
  const out = new Uint8Array(Math.floor((text.length * 5) / 8));
  let buffer = 0;
  let bits = 0;
  let pos = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const digit = code < 128 ? DECODE_TABLE[code] : -1;
    if (digit < 0) return null;
    buffer = (buffer << 5) | digit;
    bits += 5;
    if (bits >= 8) {
      out[pos++] = (buffer >>> (bits - 8)) & 0xff;
      bits -= 8;
      buffer &= (1 << bits) - 1;
    }
  }
  return bits < 5 && buffer === 0 ? out : null;
}

function fletcher16(bytes: Uint8Array, length: number): number {
  let c0 = 0;
  let c1 = 0;
  for (let i = 0; i < length; i++) {
    c0 = (c0 + bytes[i]) & 0xff;
    c1 = (c1 + c0) & 0xff;
  }
  return (c1 << 8) | c0;
}

export function encodeId(tableNumber: number, internalId: Uint8Array): string {
  const bytes = new Uint8Array(MAX_TABLE_NUMBER_LENGTH + INTERNAL_ID_LENGTH + FOOTER_LENGTH);
  let pos = 0;
  let n = tableNumber >>> 0;
  while (n >= 0x80) {
    bytes[pos++] = (n & 0x7f) | 0x80;
    n >>>= 7;
  }
  bytes[pos++] = n;
  bytes.set(internalId, pos);
  pos += INTERNAL_ID_LENGTH;
  const footer = fletcher16(bytes, pos) ^ VERSION;
  bytes[pos++] = footer & 0xff;
  bytes[pos++] = footer >>> 8;
  return encodeBase32(bytes.subarray(0, pos));
}

/** Decodes an id string; null when it is not a well-formed Convex id. */
export function decodeId(id: string): DecodedId | null {
  if (typeof id !== "string" || id.length < MIN_ID_LENGTH || id.length > MAX_ID_LENGTH) return null;
  const bytes = decodeBase32(id);
  if (bytes === null) return null;
  let tableNumber = 0;
  let pos = 0;
  for (let i = 0; ; i++) {
    if (i >= MAX_TABLE_NUMBER_LENGTH || pos >= bytes.length) return null;
    const byte = bytes[pos++];
    tableNumber += (byte & 0x7f) * 2 ** (7 * i);
    if (byte < 0x80) break;
  }
  if (tableNumber === 0 || tableNumber > 0xffffffff) return null;
  if (pos + INTERNAL_ID_LENGTH + FOOTER_LENGTH !== bytes.length) return null;
  const expected = fletcher16(bytes, pos + INTERNAL_ID_LENGTH) ^ VERSION;
  const footer = bytes[pos + INTERNAL_ID_LENGTH] | (bytes[pos + INTERNAL_ID_LENGTH + 1] << 8);
  if (footer !== expected) return null;
  return { tableNumber, internalId: bytes.slice(pos, pos + INTERNAL_ID_LENGTH) };
}

/** The table number inside an id, or null for a malformed id. */
export function tableNumberOfId(id: string): number | null {
  return decodeId(id)?.tableNumber ?? null;
}

// Random internal ids, drawn from a pooled buffer: one crypto call per 4096 ids.
const POOL_IDS = 4096;
const pool = new Uint8Array(INTERNAL_ID_LENGTH * POOL_IDS);
let poolOffset = pool.length;

export function newInternalId(): Uint8Array {
  if (poolOffset >= pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const id = pool.slice(poolOffset, poolOffset + INTERNAL_ID_LENGTH);
  poolOffset += INTERNAL_ID_LENGTH;
  return id;
}

export function newId(tableNumber: number): string {
  return encodeId(tableNumber, newInternalId());
}
