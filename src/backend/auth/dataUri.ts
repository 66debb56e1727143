// RFC 2397 `data:` URIs, as auth.config.ts may give a JWKS inline
// (e.g. "data:text/plain;charset=utf-8;base64,eyJrZXlzIjpb..."). Like the
// Convex backend, the media type is not checked: only the payload matters.

/** True when `uri` is a data: URI (it may still be malformed). */
export function isDataUri(uri: string): boolean {
  return /^data:/i.test(uri.trimStart());
}

/** The decoded payload of a data: URI as UTF-8 text. Throws a sentence when malformed. */
export function decodeDataUri(uri: string): string {
  const text = uri.trim();
  if (!isDataUri(text)) throw new Error("it does not start with \"data:\"");
  const comma = text.indexOf(",");
  if (comma < 0) throw new Error("it has no \",\" separating the media type from the data");
  const meta = text.slice("data:".length, comma);
  const data = text.slice(comma + 1);
  const isBase64 = /;base64$/i.test(meta.trim());
  if (!isBase64) {
    try {
      return decodeURIComponent(data);
    } catch {
      throw new Error("its percent-encoded data is malformed");
    }
  }
  // Forgiving base64: whitespace is ignored and the URL-safe alphabet is accepted.
  const compact = data.replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
    throw new Error("its base64 data is malformed");
  }
  return Buffer.from(compact, "base64").toString("utf8");
}
