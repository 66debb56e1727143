// Rules every stored document must satisfy, with Convex's limits and wording
// (https://docs.convex.dev/production/state/limits, section "Documents";
// messages from convex-backend crates/common/src/document.rs and crates/value).
import { getConvexSize, type Value } from "convex/values";

/** "Size: 1 MiB" per document (MAX_USER_SIZE). */
export const MAX_DOCUMENT_BYTES = 1 << 20;
/** "Field nesting depth: 16"; the document object itself is level 1. */
export const MAX_DOCUMENT_NESTING = 16;
/** "Fields: 1024" per object. */
export const MAX_OBJECT_FIELDS = 1024;
/** "Array elements: 8192". */
export const MAX_ARRAY_LENGTH = 8192;

export const SYSTEM_FIELDS = new Set(["_id", "_creationTime"]);

export type DocumentValue = Record<string, Value>;

/** A byte count the way Convex's `format_bytes` prints limits: "16 MiB", "1.5 KiB", "1534 bytes". */
export function formatBytesExact(n: number): string {
  if (n === 0) return "0 bytes";
  const units: [number, string][] = [
    [2 ** 30, "GiB"], [1e9, "GB"], [2 ** 20, "MiB"], [1e6, "MB"], [2 ** 10, "KiB"], [1e3, "KB"],
  ];
  for (const [size, name] of units) {
    if (n < size) continue;
    if (n % size === 0) return `${n / size} ${name}`;
    if ((n * 10) % size === 0) return `${Math.floor(n / size)}.${Math.floor((n * 10) / size) % 10} ${name}`;
  }
  return `${n} bytes`;
}

/** A size the way the humansize crate prints it in binary units: "1.01 MiB", "512 B". */
export function formatBytesBinary(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = unit === 0 ? String(value) : String(Math.round(value * 100) / 100);
  return `${text} ${units[unit]}`;
}

function nesting(value: Value): number {
  if (Array.isArray(value)) {
    if (value.length > MAX_ARRAY_LENGTH) {
      throw new Error(`Array length is too long (${value.length} > maximum length ${MAX_ARRAY_LENGTH})`);
    }
    let deepest = 0;
    for (const v of value) deepest = Math.max(deepest, nesting(v));
    return 1 + deepest;
  }
  if (value !== null && typeof value === "object" && !(value instanceof ArrayBuffer)) {
    const entries = Object.entries(value);
    if (entries.length > MAX_OBJECT_FIELDS) {
      throw new Error(`Object has too many fields (${entries.length} > maximum number ${MAX_OBJECT_FIELDS})`);
    }
    let deepest = 0;
    for (const [, v] of entries) if (v !== undefined) deepest = Math.max(deepest, nesting(v as Value));
    return 1 + deepest;
  }
  return 0;
}

/**
 * Checks a complete document (system fields included) before it is written
 * and returns its size in bytes.
 */
export function checkDocument(doc: DocumentValue): number {
  for (const field of Object.keys(doc)) {
    if (field.startsWith("_") && !SYSTEM_FIELDS.has(field)) {
      throw new Error(
        `Field '${field}' starts with an underscore, which is only allowed for system fields like '_id'`,
      );
    }
  }
  const depth = nesting(doc);
  if (depth > MAX_DOCUMENT_NESTING) {
    throw new Error(
      `Document is too nested (nested ${depth} levels deep > maximum nesting ${MAX_DOCUMENT_NESTING})`,
    );
  }
  const size = getConvexSize(doc);
  if (size > MAX_DOCUMENT_BYTES) {
    throw new Error(
      `Value is too large (${formatBytesBinary(size)} > maximum size ${formatBytesBinary(MAX_DOCUMENT_BYTES)})`,
    );
  }
  return size;
}

/** The document without `_id` and `_creationTime`, as schema validators see it. */
export function withoutSystemFields(doc: DocumentValue): DocumentValue {
  const { _id: _ignoredId, _creationTime: _ignoredTime, ...rest } = doc;
  return rest;
}
