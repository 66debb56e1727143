// Convex's total order on values (undefined < null < int64 < float64 <
// boolean < string < bytes < array < object), the order every index is kept
// in. `compareValues` from "convex/values" is the specification; it allocates
// a comparable tuple per call, so the common same-type cases (numbers and
// strings, which make up nearly every index key) take a fast path here and
// everything else defers to it.
import { compareValues, type Value } from "convex/values";

export type MaybeValue = Value | undefined;

/**
 * Strings compare by UTF-8 bytes, which is code point order. JavaScript's `<`
 * compares UTF-16 code units; the two disagree only when the first difference
 * pairs a surrogate (U+D800–U+DFFF) with a unit in U+E000–U+FFFF.
 */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i);
    let cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800 && cb >= 0xd800) {
      ca = ca >= 0xe000 ? ca - 0x800 : ca + 0x2000;
      cb = cb >= 0xe000 ? cb - 0x800 : cb + 0x2000;
    }
    return ca < cb ? -1 : 1;
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

export function compareValue(a: MaybeValue, b: MaybeValue): number {
  if (typeof a === "number" && typeof b === "number") {
    if (a < b) return -1;
    if (a > b) return 1;
    // Equal-looking (0 vs -0) or NaN: the spec orders these by bits.
    if (a === b && (a !== 0 || Object.is(a, b))) return 0;
    return compareValues(a, b);
  }
  if (typeof a === "string" && typeof b === "string") return compareStrings(a, b);
  return compareValues(a, b);
}

/** Lexicographic order of two index keys (tuples of values). */
export function compareKeys(a: readonly MaybeValue[], b: readonly MaybeValue[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValue(a[i], b[i]);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

/**
 * Compares only the first `prefix.length` elements of `key` with `prefix`:
 * 0 means `key` starts with `prefix`. Index range bounds have this prefix
 * meaning (`q.eq("a", 1)` covers every key that starts with `[1]`).
 */
export function comparePrefix(key: readonly MaybeValue[], prefix: readonly MaybeValue[]): number {
  for (let i = 0; i < prefix.length; i++) {
    const c = compareValue(key[i], prefix[i]);
    if (c !== 0) return c;
  }
  return 0;
}

export function valuesEqual(a: MaybeValue, b: MaybeValue): boolean {
  return compareValue(a, b) === 0;
}
