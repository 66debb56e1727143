// Convex's "clean" JSON export (format "json"), from the encoded form the
// engine produces: int64 → decimal string, special floats (NaN, ±Infinity,
// -0) → "NaN" / "Infinity" / "-Infinity" / 0, bytes → base64 string. Lossy on
// purpose — it is for people and curl; ConvexHttpClient asks for the
// lossless `convex_encoded_json`.
import type { JSONValue } from "convex/values";

export function exportClean(encoded: JSONValue): JSONValue {
  if (encoded === null || typeof encoded !== "object") return encoded;
  if (Array.isArray(encoded)) return encoded.map(exportClean);
  const keys = Object.keys(encoded);
  if (keys.length === 1) {
    const special = exportSpecial(keys[0], encoded[keys[0]]);
    if (special !== undefined) return special;
  }
  // fromEntries defines own properties, so a field named "__proto__" stays a field.
  return Object.fromEntries(keys.map((key) => [key, exportClean(encoded[key])]));
}

function exportSpecial(key: string, payload: JSONValue): JSONValue | undefined {
  if (typeof payload !== "string") return undefined;
  switch (key) {
    case "$integer": {
      const bytes = Buffer.from(payload, "base64");
      return bytes.length === 8 ? bytes.readBigInt64LE().toString() : undefined;
    }
    case "$float": {
      const bytes = Buffer.from(payload, "base64");
      if (bytes.length !== 8) return undefined;
      const float = bytes.readDoubleLE();
      if (Number.isNaN(float)) return "NaN";
      if (float === Infinity) return "Infinity";
      if (float === -Infinity) return "-Infinity";
      return float === 0 ? 0 : float;
    }
    case "$bytes":
      return payload;
    default:
      return undefined;
  }
}
