// Reads what the backend holds for a check: every session of every game
// (liveSessions:sessionStates, admin key only, page by page) and every
// game's viewer count (the public liveSessions:getViewerCount).
//
// The rows of a game take several queries to read. A viewer count taken
// before and after them that did not change means no join, leave or cleanup
// of that game committed in between (each moves the count; the verifier holds
// its own joins and leaves back while it reads), so rows and count describe
// one moment. When the count moved (a cleanup run in real time), the game is
// read again; if it keeps moving, its count is not compared this time.
import type { AdminApi } from "../scenarios/scenario.ts";
import type { GameObservation, ObservedSession } from "./check.ts";

/** liveSessions.ts SESSION_STATES_MAX_PAGE: the most one page may hold. */
const PAGE_SIZE = 1000;
/** Pages per game before giving up: 1,000 × 1,000 sessions is far past any run's size. */
const MAX_PAGES = 1000;
/** Re-reads of a game whose count moved during the read. */
const MAX_ATTEMPTS = 3;

type StatesPage = { page: { sessionId: string; active: boolean; lastHeartbeat: number }[]; isDone: boolean; continueCursor: string };

export async function observeGames(admin: AdminApi, gameIds: readonly string[]): Promise<GameObservation[]> {
  return await Promise.all(gameIds.map((gameId) => observeGame(admin, gameId)));
}

async function observeGame(admin: AdminApi, gameId: string): Promise<GameObservation> {
  let sessions = new Map<string, ObservedSession>();
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const before = await viewerCount(admin, gameId);
    sessions = await readStates(admin, gameId);
    const after = await viewerCount(admin, gameId);
    if (before === after) return { sessions, viewerCount: after };
  }
  return { sessions, viewerCount: null };
}

async function viewerCount(admin: AdminApi, gameId: string): Promise<number> {
  return await admin.query<number>("liveSessions:getViewerCount", { gameId });
}

async function readStates(admin: AdminApi, gameId: string): Promise<Map<string, ObservedSession>> {
  const sessions = new Map<string, ObservedSession>();
  let cursor: string | null = null;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result: StatesPage = await admin.query<StatesPage>("liveSessions:sessionStates", {
      gameId,
      paginationOpts: { cursor, numItems: PAGE_SIZE },
    });
    for (const s of result.page) sessions.set(s.sessionId, { active: s.active, lastHeartbeat: s.lastHeartbeat });
    if (result.isDone) return sessions;
    cursor = result.continueCursor;
  }
  throw new Error(`game ${gameId} has more than ${MAX_PAGES * PAGE_SIZE} sessions; verify-cleanup reads at most that many`);
}
