// liveSessions:sessionStates — the admin-only view verify-cleanup checks
// cleanup against: every session of one game, active or not, page by page.
import { beforeEach, describe, expect, test, vi } from "vitest";
import { api, internal } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { SESSION_STATES_MAX_PAGE, STALE_AFTER_MS } from "../../convex/liveSessions";
import { asUser, expectRefusal, newDeployment, seedGame, useFakeClock, type Deployment } from "./harness";

useFakeClock();
let t: Deployment;
beforeEach(() => {
  t = newDeployment();
});

type State = { sessionId: string; active: boolean; lastHeartbeat: number };

async function allStates(gameId: Id<"games">, numItems: number): Promise<{ states: State[]; pages: number }> {
  const states: State[] = [];
  let cursor: string | null = null;
  for (let pages = 1; pages <= 100; pages++) {
    const result: { page: State[]; isDone: boolean; continueCursor: string } = await t.query(internal.liveSessions.sessionStates, {
      gameId,
      paginationOpts: { cursor, numItems },
    });
    states.push(...result.page);
    if (result.isDone) return { states, pages };
    cursor = result.continueCursor;
  }
  throw new Error("sessionStates never finished");
}

describe("sessionStates", () => {
  test("lists every session of the game with its state and last heartbeat, across pages", async () => {
    const gameId = await seedGame(t);
    const other = await seedGame(t);
    const joined: string[] = [];
    for (let i = 0; i < 7; i++) joined.push((await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" })).sessionId);
    await t.mutation(api.liveSessions.joinStream, { gameId: other, deviceType: "web" });
    await t.mutation(api.liveSessions.leaveStream, { sessionId: joined[0] });
    vi.advanceTimersByTime(5_000);
    await t.mutation(api.liveSessions.heartbeat, { sessionId: joined[1] });

    const { states, pages } = await allStates(gameId, 3);
    expect(pages).toBe(3);
    expect(states.map((s) => s.sessionId).sort()).toEqual([...joined].sort());
    const byId = new Map(states.map((s) => [s.sessionId, s]));
    expect(byId.get(joined[0])!.active).toBe(false);
    expect(states.filter((s) => s.active)).toHaveLength(6);
    expect(byId.get(joined[1])!.lastHeartbeat - byId.get(joined[2])!.lastHeartbeat).toBe(5_000);
  });

  test("shows cleanup's work: stale sessions inactive, and as many active rows as the viewer count", async () => {
    const gameId = await seedGame(t);
    const stale = (await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" })).sessionId;
    const healthy = (await asUser(t, "alice").mutation(api.liveSessions.joinStream, { gameId, deviceType: "tv" })).sessionId;
    vi.advanceTimersByTime(STALE_AFTER_MS - 10_000);
    await asUser(t, "alice").mutation(api.liveSessions.heartbeat, { sessionId: healthy });
    vi.advanceTimersByTime(20_000);
    await t.mutation(internal.liveSessions.cleanupStaleSessions, {});

    const { states } = await allStates(gameId, 10);
    expect(Object.fromEntries(states.map((s) => [s.sessionId, s.active]))).toEqual({ [stale]: false, [healthy]: true });
    expect(await t.query(api.liveSessions.getViewerCount, { gameId })).toBe(states.filter((s) => s.active).length);
  });

  test("refuses a page size outside 1..max", async () => {
    const gameId = await seedGame(t);
    for (const numItems of [0, SESSION_STATES_MAX_PAGE + 1, 2.5]) {
      await expectRefusal(t.query(internal.liveSessions.sessionStates, { gameId, paginationOpts: { cursor: null, numItems } }), "InvalidArgument");
    }
  });
});
