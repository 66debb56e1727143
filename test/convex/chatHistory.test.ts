// chat:listMessagesPage — the history a viewer scrolls back through: newest
// first, active messages only, in pages that neither skip nor repeat a
// message while new ones arrive and moderators hide old ones.
import { beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import type { Id } from "../../convex/_generated/dataModel";
import { MAX_MESSAGE_LIMIT } from "../../convex/chat";
import { CHAT_BURST } from "../../convex/lib/rateLimit";
import { asAdmin, asUser, expectRefusal, newDeployment, seedGame, useFakeClock, type Deployment } from "./harness";

useFakeClock();
let t: Deployment;
beforeEach(() => {
  t = newDeployment();
});

type Page = { page: { _id: Id<"live_chat_messages">; message: string; createdAt: number }[]; isDone: boolean; continueCursor: string };

/** Sends `texts` one millisecond apart, spreading senders so no one hits the chat rate limit. */
async function send(gameId: Id<"games">, texts: string[]): Promise<Id<"live_chat_messages">[]> {
  const ids: Id<"live_chat_messages">[] = [];
  for (const [i, message] of texts.entries()) {
    vi.advanceTimersByTime(1);
    ids.push(await asUser(t, `sender-${Math.floor(i / CHAT_BURST)}-${message}`).mutation(api.chat.sendMessage, { gameId, message }));
  }
  return ids;
}

const labels = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(3, "0")}`);

async function page(gameId: Id<"games">, numItems: number, cursor: string | null): Promise<Page> {
  return await t.query(api.chat.listMessagesPage, { gameId, paginationOpts: { numItems, cursor } });
}

describe("chat history pages", () => {
  test("the first page holds the newest messages, newest first, and the last page says it is done", async () => {
    const gameId = await seedGame(t);
    await send(gameId, labels("m", 7));
    const first = await page(gameId, 3, null);
    expect(first.page.map((m) => m.message)).toEqual(["m006", "m005", "m004"]);
    expect(first.isDone).toBe(false);
    const second = await page(gameId, 3, first.continueCursor);
    expect(second.page.map((m) => m.message)).toEqual(["m003", "m002", "m001"]);
    const third = await page(gameId, 3, second.continueCursor);
    expect(third.page.map((m) => m.message)).toEqual(["m000"]);
    expect(third.isDone).toBe(true);
  });

  test("hidden and deleted messages are not listed and do not use up a page", async () => {
    const gameId = await seedGame(t);
    const ids = await send(gameId, labels("m", 12));
    // Hide every message but the even ones from m004 on.
    const mod = asAdmin(t);
    for (const [i, id] of ids.entries()) {
      if (i < 4 || i % 2 === 1) await mod.mutation(api.chat.moderateMessage, { messageId: id, status: i % 3 === 0 ? "deleted" : "hidden" });
    }
    const first = await page(gameId, 3, null);
    expect(first.page.map((m) => m.message)).toEqual(["m010", "m008", "m006"]);
    const rest = await page(gameId, 3, first.continueCursor);
    expect(rest.page.map((m) => m.message)).toEqual(["m004"]);
    expect(rest.isDone).toBe(true);
  });

  test("messages of other games never appear", async () => {
    const [g1, g2] = [await seedGame(t), await seedGame(t)];
    await send(g1, ["in g1"]);
    const other = await page(g2, 10, null);
    expect(other.page).toEqual([]);
    expect(other.isDone).toBe(true);
  });

  test("paging back while new messages arrive and others are hidden skips nothing that was there and repeats nothing", async () => {
    const gameId = await seedGame(t);
    const ids = await send(gameId, labels("old", 40));
    const byText = new Map(labels("old", 40).map((text, i) => [text, ids[i]]));
    const mod = asAdmin(t);

    const seen: string[] = [];
    const hiddenUnseen = new Set<string>();
    let cursor: string | null = null;
    for (let round = 0; round < 50; round++) {
      const result: Page = await page(gameId, 6, cursor);
      seen.push(...result.page.map((m) => m.message));
      if (result.isDone) break;
      cursor = result.continueCursor;
      // Between pages: new messages arrive (newer than any cursor), and a
      // moderator hides one message already shown and one not yet reached.
      await send(gameId, [`new-${round}-a`, `new-${round}-b`]);
      const shown = seen[seen.length - 1];
      await mod.mutation(api.chat.moderateMessage, { messageId: byText.get(shown)!, status: "hidden" });
      const ahead = labels("old", 40).filter((text) => !seen.includes(text) && !hiddenUnseen.has(text)).at(-3);
      if (ahead !== undefined) {
        hiddenUnseen.add(ahead);
        await mod.mutation(api.chat.moderateMessage, { messageId: byText.get(ahead)!, status: "hidden" });
      }
    }

    // Every old message appears exactly once, in newest-first order, except the ones hidden before their page came.
    const expected = labels("old", 40).reverse().filter((text) => !hiddenUnseen.has(text));
    expect(seen).toEqual(expected);
    expect(hiddenUnseen.size).toBeGreaterThan(3);
    // The messages that arrived meanwhile are at the top of a fresh first page.
    const fresh = await page(gameId, 2, null);
    expect(fresh.page.map((m) => m.message)).toEqual([expect.stringMatching(/^new-\d+-b$/), expect.stringMatching(/^new-\d+-a$/)]);
  });

  test("a page pinned by its end cursor (as a live usePaginatedQuery page is) gains new messages and keeps its boundary", async () => {
    const gameId = await seedGame(t);
    await send(gameId, labels("m", 10));
    const first = await page(gameId, 4, null);
    const second = await page(gameId, 4, first.continueCursor);
    await send(gameId, ["late-1", "late-2"]);
    // Re-running the first page up to its end cursor: the new messages join it, the boundary holds.
    const rerun: Page = await t.query(api.chat.listMessagesPage, {
      gameId,
      paginationOpts: { numItems: 4, cursor: null, endCursor: first.continueCursor },
    });
    expect(rerun.page.map((m) => m.message)).toEqual(["late-2", "late-1", "m009", "m008", "m007", "m006"]);
    expect((await page(gameId, 4, first.continueCursor)).page).toEqual(second.page);
  });

  test.each([0, -1, 2.5, MAX_MESSAGE_LIMIT + 1])("refuses a page size of %s", async (numItems) => {
    const gameId = await seedGame(t);
    await expectRefusal(page(gameId, numItems, null), "InvalidArgument");
  });

  // Convex's read limits: a negative one used to fail the query with "scanned too many documents" instead.
  test.each([{ maximumRowsRead: -1 }, { maximumRowsRead: 0 }, { maximumRowsRead: 2.5 }, { maximumBytesRead: -5 }, { maximumBytesRead: 0 }])(
    "refuses a read limit of %o",
    async (limit) => {
      const gameId = await seedGame(t);
      await expectRefusal(t.query(api.chat.listMessagesPage, { gameId, paginationOpts: { numItems: 10, cursor: null, ...limit } }), "InvalidArgument");
    },
  );

  test("an unknown game is refused", async () => {
    const gameId = await seedGame(t);
    await t.run(async (ctx) => ctx.db.delete(gameId));
    await expectRefusal(page(gameId, 10, null), "NotFound");
  });
});
