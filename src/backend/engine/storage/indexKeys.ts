// Index definitions, the keys documents get in them, and the intervals
// queries read. Every index key ends with `_creationTime` and `_id` (the
// tiebreakers Convex appends), so keys are unique and ties are ordered by
// creation time, then id.
import type { Value } from "convex/values";
import { comparePrefix, type MaybeValue } from "../values/compare.ts";
import type { Key } from "./btree.ts";

export const BY_ID = "by_id";
export const BY_CREATION_TIME = "by_creation_time";

export type IndexDefinition = {
  readonly table: string;
  /** The descriptor, e.g. "by_channel". */
  readonly name: string;
  /** "table.descriptor", the name queries and read sets use. */
  readonly fullName: string;
  /** The fields a range may name, in key order, tiebreakers included. */
  readonly keyFields: readonly string[];
};

export function systemIndexes(table: string): IndexDefinition[] {
  return [
    { table, name: BY_ID, fullName: `${table}.${BY_ID}`, keyFields: ["_id"] },
    {
      table,
      name: BY_CREATION_TIME,
      fullName: `${table}.${BY_CREATION_TIME}`,
      keyFields: ["_creationTime", "_id"],
    },
  ];
}

export function userIndex(table: string, name: string, fields: readonly string[]): IndexDefinition {
  return { table, name, fullName: `${table}.${name}`, keyFields: [...fields, "_creationTime", "_id"] };
}

/** Reads a (possibly dotted) field path; undefined when any step is missing. */
export function readFieldPath(doc: Record<string, Value | undefined>, path: string): MaybeValue {
  if (!path.includes(".")) return doc[path];
  let current: MaybeValue = doc;
  for (const part of path.split(".")) {
    if (current === null || typeof current !== "object" || Array.isArray(current) || current instanceof ArrayBuffer) {
      return undefined;
    }
    current = (current as Record<string, Value | undefined>)[part];
  }
  return current;
}

export function indexKey(index: IndexDefinition, doc: Record<string, Value | undefined>): Key {
  return index.keyFields.map((field) => readFieldPath(doc, field));
}

/**
 * One end of an interval, with prefix meaning: `key` may be shorter than an
 * index key and then stands for every index key that starts with it.
 * Inclusive lower: keys whose prefix is >= key; exclusive lower: > key.
 * Inclusive upper: keys whose prefix is <= key; exclusive upper: < key.
 */
export type Bound = { readonly key: Key; readonly inclusive: boolean };

/** A contiguous range of an index; null ends are unbounded. */
export type Interval = { readonly lower: Bound | null; readonly upper: Bound | null };

export const FULL_INTERVAL: Interval = { lower: null, upper: null };

export function aboveLower(key: Key, lower: Bound | null): boolean {
  if (lower === null) return true;
  const c = comparePrefix(key, lower.key);
  return lower.inclusive ? c >= 0 : c > 0;
}

export function belowUpper(key: Key, upper: Bound | null): boolean {
  if (upper === null) return true;
  const c = comparePrefix(key, upper.key);
  return upper.inclusive ? c <= 0 : c < 0;
}

export function intervalContains(interval: Interval, key: Key): boolean {
  return aboveLower(key, interval.lower) && belowUpper(key, interval.upper);
}
