// Where the sync WebSocket lives: `/api/<client version>/sync`. The official
// client puts its npm version there (e.g. `/api/1.48.0/sync`); any version
// string is accepted, since the protocol itself is what matters.
const SYNC_PATH = /^\/api\/([^/]+)\/sync\/?$/;

export function syncPath(clientVersion: string): string {
  return `/api/${encodeURIComponent(clientVersion)}/sync`;
}

/** The client version named in a sync URL path, or null when the path is not a sync endpoint. */
export function parseSyncPath(pathname: string): string | null {
  const match = SYNC_PATH.exec(pathname);
  if (!match) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return null; // a malformed %-escape is not a version we can name
  }
}
