// Connections cut mid-mutation: the backend drops every client's socket at
// the worst moment — right after a mutation committed, before its response
// could leave — again and again while official and lean clients send
// non-idempotent mutations (each joinStream without a sessionId creates a
// session; each chat message is a row). Every mutation must settle, and
// each must have happened exactly once.
import type { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { describe, expect, test } from "vitest";
import { systemClock } from "../../src/load/clock.ts";
import { LeanClient } from "../../src/load/sync/leanClient.ts";
import { seedGames, useReliability } from "./support/harness.ts";

const t = useReliability();
const joinStream = makeFunctionReference<"mutation", { gameId: string; deviceType: string }, { sessionId: string }>("liveSessions:joinStream");
const sendMessage = makeFunctionReference<"mutation", { gameId: string; message: string }, string>("chat:sendMessage");
const getViewerCount = makeFunctionReference<"query", { gameId: string }, number>("liveSessions:getViewerCount");

/** Joins per client, sent a few at a time so some are always in flight. */
const JOINS_PER_CLIENT = 24;
const IN_FLIGHT = 4;
/** Cuts, each right after a commit; spaced so the clients' reconnect backoff stays short. */
const CUTS = 25;
const CUT_EVERY_COMMITS = 4;

describe("connections cut right after a commit, before the response", () => {
  test("every mutation settles, and each was applied exactly once", { timeout: 90_000 }, async () => {
    const [gameId] = await t.admin().mutation(seedGames, { count: 1 });
    const official: ConvexClient[] = [await t.client(null), await t.client(null), await t.client({ subject: "chatty-1" }), await t.client({ subject: "chatty-2" })];
    const lean = [0, 1, 2].map(() => new LeanClient({ url: t.url, token: null, epochMicros: systemClock.epochMicros }));
    await Promise.all(lean.map((c) => c.connected()));

    let commits = 0;
    let cuts = 0;
    const stop = t.backend.engine.onCommit(() => {
      if (++commits % CUT_EVERY_COMMITS !== 0 || cuts >= CUTS) return;
      cuts += 1;
      // Inside the commit path: the mutation is durable in memory, its response not yet sent.
      t.backend.server.dropConnections();
    });
    try {
      const joins: Promise<string>[] = [];
      const sendJoins = async (join: () => Promise<{ sessionId: string }>) => {
        for (let i = 0; i < JOINS_PER_CLIENT; i += IN_FLIGHT) {
          const batch = Array.from({ length: IN_FLIGHT }, () => join().then((r) => r.sessionId));
          joins.push(...batch);
          await Promise.all(batch);
        }
      };
      const messages: string[] = [];
      const chat = async (client: ConvexClient, who: string) => {
        for (let i = 0; i < 8; i++) {
          const text = `${who} message ${i}`;
          messages.push(text);
          await client.mutation(sendMessage, { gameId, message: text });
        }
      };
      await Promise.all([
        ...official.map((c) => sendJoins(() => c.mutation(joinStream, { gameId, deviceType: "web" }))),
        ...lean.map((c) => sendJoins(async () => (await c.mutation("liveSessions:joinStream", { gameId, deviceType: "tv" })).value as { sessionId: string })),
        chat(official[2], "chatty-1"),
        chat(official[3], "chatty-2"),
      ]);
      const sessionIds = await Promise.all(joins);
      stop();

      expect(cuts).toBe(CUTS);
      const stats = t.backend.server.stats();
      // Cut right after their commits, some mutations were re-sent and answered from the log, not run again.
      expect(stats.mutationsReplayed).toBeGreaterThan(0);
      expect(new Set(sessionIds).size).toBe(sessionIds.length);
      const rows = await t.everything();
      const sessions = (rows.live_stream_sessions as { session_id: string; game_id: string; active: boolean }[]).filter((s) => s.game_id === gameId);
      expect(sessions.length).toBe(sessionIds.length);
      expect(new Set(sessions.map((s) => s.session_id))).toEqual(new Set(sessionIds));
      expect(await (await t.http(null)).query(getViewerCount, { gameId })).toBe(sessionIds.length);
      const texts = (rows.live_chat_messages as { message: string }[]).map((m) => m.message).sort();
      expect(texts).toEqual([...messages].sort());
      expect((await t.invariants()).violations).toEqual([]);
      expect(t.internalErrors).toEqual([]);
      console.log(`reconnect: ${sessionIds.length} joins and ${messages.length} chat messages across ${cuts} cuts; ${stats.mutationsReplayed} re-sent mutations answered from the log; ${lean.reduce((n, c) => n + c.reconnects, 0)} lean reconnects`);
    } finally {
      stop();
      await Promise.all(lean.map((c) => c.close()));
    }
  });
});
