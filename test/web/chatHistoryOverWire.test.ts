// chat:listMessagesPage through the real embedded backend and the official
// client's paginated-query machinery (what the page's usePaginatedQuery
// uses): a viewer pages back through the history while messages keep
// arriving and a moderator hides some, both in pages already loaded and in
// pages not reached yet. The loaded list must end as exactly the game's
// active messages, newest first — nothing skipped, nothing twice — and no
// update on the way may show a message twice or out of order.
import { ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { CHAT_BURST } from "../../convex/lib/rateLimit.ts";
import { eventually, seedGame, useConformance } from "../backend/conformance/harness.ts";

const t = useConformance({ app: "csn" });

type Line = { _id: Id<"live_chat_messages">; message: string; createdAt: number };

describe("chat history over the wire", () => {
  it("reactive history pages stay gapless and duplicate-free while messages arrive and are hidden", async () => {
    const gameId = await seedGame(t);
    const admin = await t.signedIn({ subject: "wire-mod", name: "Mod", permissions: ["write:chat"] });
    let sender = 0;
    const ids = new Map<string, Id<"live_chat_messages">>();
    /** Each sender stays within the chat's burst allowance. */
    async function send(texts: string[]): Promise<void> {
      for (let i = 0; i < texts.length; i += CHAT_BURST) {
        const client = new ConvexHttpClient(t.url, { logger: false });
        client.setAuth(await t.tokens.mint({ subject: `wire-sender-${sender++}` }));
        for (const message of texts.slice(i, i + CHAT_BURST)) ids.set(message, await client.mutation(api.chat.sendMessage, { gameId, message }));
      }
    }
    const label = (prefix: string, i: number) => `${prefix}${String(i).padStart(3, "0")}`;
    await send(Array.from({ length: 60 }, (_, i) => label("old", i)));

    const reader = t.client();
    const snapshots: Line[][] = [];
    let status = "LoadingFirstPage";
    const { getCurrentValue } = reader.onPaginatedUpdate_experimental(
      // convex 1.48 types this method's args as the query's full args (paginationOpts included); the untyped reference passes what it expects.
      anyApi.chat.listMessagesPage,
      { gameId },
      { initialNumItems: 7 },
      // Typed as PaginationResult in convex 1.48; what arrives is a PaginatedQueryResult.
      (result) => {
        const current = result as unknown as { results: Line[]; status: string };
        snapshots.push(current.results);
        status = current.status;
      },
    );

    const hidden = new Set<string>();
    const hide = async (message: string) => {
      hidden.add(message);
      await admin.mutation(api.chat.moderateMessage, { messageId: ids.get(message)!, status: "hidden" });
    };
    let round = 0;
    for (; round < 40 && status !== "Exhausted"; round++) {
      await eventually(() => status === "CanLoadMore" || status === "Exhausted", "a page to load");
      if (status === "Exhausted") break;
      getCurrentValue()!.loadMore(7);
      // While the page loads: a new message, one already shown hidden, one not yet reached hidden.
      const shown = snapshots.at(-1)!;
      const writes = [send([label("new", round)]), hide(shown[shown.length - 1].message)];
      const ahead = label("old", Math.max(0, 60 - 7 * (round + 2) - 3));
      if (!hidden.has(ahead)) writes.push(hide(ahead));
      await Promise.all(writes);
    }
    expect(round).toBeGreaterThan(5);

    const active = [...ids.keys()].filter((m) => !hidden.has(m));
    await eventually(() => status === "Exhausted" && snapshots.at(-1)!.length === active.length, "every active message loaded");
    const final = snapshots.at(-1)!;
    expect(new Set(final.map((m) => m.message))).toEqual(new Set(active));
    for (const snapshot of snapshots) {
      expect(new Set(snapshot.map((m) => m._id)).size, "no message twice").toBe(snapshot.length);
      for (let i = 1; i < snapshot.length; i++) expect(snapshot[i - 1].createdAt, "newest first").toBeGreaterThanOrEqual(snapshot[i].createdAt);
    }
  }, 30_000);
});
