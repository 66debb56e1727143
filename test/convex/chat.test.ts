import { beforeEach, describe, expect, test, vi } from "vitest";
import { api } from "../../convex/_generated/api";
import { MAX_MESSAGE_LENGTH } from "../../convex/chat";
import { CHAT_BURST } from "../../convex/lib/rateLimit";
import { allRows, asAdmin, asUser, expectRefusal, newDeployment, useFakeClock, seedGame, type Deployment } from "./harness";

useFakeClock();
let t: Deployment;
beforeEach(() => {
  t = newDeployment();
});

describe("sending and listing", () => {
  test("messages come back in time order with the sender's name, trimmed", async () => {
    const gameId = await seedGame(t);
    const alice = asUser(t, "alice", { name: "Alice A." });
    await alice.mutation(api.chat.sendMessage, { gameId, message: "  first  " });
    vi.advanceTimersByTime(10);
    await asUser(t, "bob").mutation(api.chat.sendMessage, { gameId, message: "second" });
    const list = await t.query(api.chat.listMessages, { gameId });
    expect(list.map((m) => [m.userName, m.message])).toEqual([
      ["Alice A.", "first"],
      ["bob", "second"],
    ]);
  });

  test("the limit keeps the most recent messages, still in time order", async () => {
    const gameId = await seedGame(t);
    for (let i = 0; i < 8; i++) {
      vi.advanceTimersByTime(1000);
      await asUser(t, `u${i}`).mutation(api.chat.sendMessage, { gameId, message: `m${i}` });
    }
    const list = await t.query(api.chat.listMessages, { gameId, limit: 3 });
    expect(list.map((m) => m.message)).toEqual(["m5", "m6", "m7"]);
  });

  test("messages of other games are not listed", async () => {
    const g1 = await seedGame(t);
    const g2 = await seedGame(t);
    await asUser(t, "alice").mutation(api.chat.sendMessage, { gameId: g1, message: "hello g1" });
    expect(await t.query(api.chat.listMessages, { gameId: g2 })).toEqual([]);
  });

  test.each([
    ["an empty message", ""],
    ["a whitespace-only message", " \n\t "],
    ["an over-long message", "x".repeat(MAX_MESSAGE_LENGTH + 1)],
  ])("refuses %s and writes nothing", async (_name, message) => {
    const gameId = await seedGame(t);
    await expectRefusal(asUser(t, "alice").mutation(api.chat.sendMessage, { gameId, message }), "InvalidArgument");
    expect(await allRows(t, "live_chat_messages")).toHaveLength(0);
  });

  test("a message of exactly the maximum length is accepted", async () => {
    const gameId = await seedGame(t);
    await asUser(t, "alice").mutation(api.chat.sendMessage, { gameId, message: "x".repeat(MAX_MESSAGE_LENGTH) });
    expect(await allRows(t, "live_chat_messages")).toHaveLength(1);
  });

  test("anonymous viewers cannot chat", async () => {
    const gameId = await seedGame(t);
    await expectRefusal(t.mutation(api.chat.sendMessage, { gameId, message: "hi" }), "Unauthenticated");
    expect(await allRows(t, "live_chat_messages")).toHaveLength(0);
  });

  test("an unknown game is refused", async () => {
    const gameId = await seedGame(t);
    await t.run(async (ctx) => ctx.db.delete(gameId));
    await expectRefusal(asUser(t, "alice").mutation(api.chat.sendMessage, { gameId, message: "hi" }), "NotFound");
    await expectRefusal(t.query(api.chat.listMessages, { gameId }), "NotFound");
  });

  test.each([0, -1, 1.5, 10_000])("refuses a listing limit of %s", async (limit) => {
    const gameId = await seedGame(t);
    await expectRefusal(t.query(api.chat.listMessages, { gameId, limit }), "InvalidArgument");
  });
});

describe("rate limiting", () => {
  test("a burst beyond the allowance is refused with a retry time, and allowed again later", async () => {
    const gameId = await seedGame(t);
    const alice = asUser(t, "alice");
    for (let i = 0; i < CHAT_BURST; i++) await alice.mutation(api.chat.sendMessage, { gameId, message: `m${i}` });
    const error = await alice.mutation(api.chat.sendMessage, { gameId, message: "one too many" }).catch((e) => e);
    expect(error.data).toMatchObject({ kind: "RateLimited" });
    expect(error.data.retryAfterMs).toBeGreaterThan(0);
    expect(error.data.retryAfterMs).toBeLessThanOrEqual(1000);
    expect(await allRows(t, "live_chat_messages")).toHaveLength(CHAT_BURST);
    // Another user is unaffected.
    await asUser(t, "bob").mutation(api.chat.sendMessage, { gameId, message: "hi" });
    vi.advanceTimersByTime(error.data.retryAfterMs);
    await alice.mutation(api.chat.sendMessage, { gameId, message: "back again" });
  });
});

describe("moderation", () => {
  test("a hidden message disappears from the listing while others keep arriving", async () => {
    const gameId = await seedGame(t);
    const ids = [];
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(100);
      ids.push(await asUser(t, `u${i}`).mutation(api.chat.sendMessage, { gameId, message: `m${i}` }));
    }
    await asAdmin(t).mutation(api.chat.moderateMessage, { messageId: ids[2], status: "hidden" });
    vi.advanceTimersByTime(100);
    await asUser(t, "u5").mutation(api.chat.sendMessage, { gameId, message: "m5" });
    await asAdmin(t).mutation(api.chat.moderateMessage, { messageId: ids[4], status: "deleted" });
    const list = await t.query(api.chat.listMessages, { gameId });
    expect(list.map((m) => m.message)).toEqual(["m0", "m1", "m3", "m5"]);
    // The limit counts only visible messages.
    expect((await t.query(api.chat.listMessages, { gameId, limit: 3 })).map((m) => m.message)).toEqual(["m1", "m3", "m5"]);
    // Restoring brings it back.
    await asAdmin(t).mutation(api.chat.moderateMessage, { messageId: ids[2], status: "active" });
    expect((await t.query(api.chat.listMessages, { gameId })).map((m) => m.message)).toEqual(["m0", "m1", "m2", "m3", "m5"]);
  });

  test("moderating concurrently with a stream of sends hides exactly the moderated messages", async () => {
    const gameId = await seedGame(t);
    const early = [];
    for (let i = 0; i < 4; i++) early.push(await asUser(t, `early${i}`).mutation(api.chat.sendMessage, { gameId, message: `early${i}` }));
    const sends = Array.from({ length: 12 }, (_, i) =>
      asUser(t, `late${i}`).mutation(api.chat.sendMessage, { gameId, message: `late${i}` }),
    );
    const moderation = [early[0], early[3]].map((messageId) =>
      asAdmin(t).mutation(api.chat.moderateMessage, { messageId, status: "hidden" }),
    );
    await Promise.all([...sends, ...moderation]);
    const visible = (await t.query(api.chat.listMessages, { gameId, limit: 200 })).map((m) => m.message);
    expect(visible).toHaveLength(14);
    expect(visible).not.toContain("early0");
    expect(visible).not.toContain("early3");
    expect(visible).toEqual(expect.arrayContaining(["early1", "early2", "late0", "late11"]));
  });

  test("moderation records who did it", async () => {
    const gameId = await seedGame(t);
    const id = await asUser(t, "alice").mutation(api.chat.sendMessage, { gameId, message: "spam" });
    await asAdmin(t, "mod-1").mutation(api.chat.moderateMessage, { messageId: id, status: "hidden" });
    const [row] = await allRows(t, "live_chat_messages");
    const mod = (await allRows(t, "users")).find((u) => u.subject === "mod-1");
    expect(row.moderated_by).toBe(mod!._id);
    expect(row.moderated_at).toBe(Date.now());
  });

  test("a non-admin and an anonymous caller cannot moderate, and nothing changes", async () => {
    const gameId = await seedGame(t);
    const id = await asUser(t, "alice").mutation(api.chat.sendMessage, { gameId, message: "hello" });
    await expectRefusal(asUser(t, "bob").mutation(api.chat.moderateMessage, { messageId: id, status: "hidden" }), "Forbidden");
    await expectRefusal(
      asUser(t, "eve", { permissions: ["read:chat"] }).mutation(api.chat.moderateMessage, { messageId: id, status: "hidden" }),
      "Forbidden",
    );
    await expectRefusal(t.mutation(api.chat.moderateMessage, { messageId: id, status: "hidden" }), "Unauthenticated");
    const [row] = await allRows(t, "live_chat_messages");
    expect(row.status).toBe("active");
  });

  test("an unknown status is refused by the validator", async () => {
    const gameId = await seedGame(t);
    const id = await asUser(t, "alice").mutation(api.chat.sendMessage, { gameId, message: "hello" });
    await expect(
      asAdmin(t).mutation(api.chat.moderateMessage, { messageId: id, status: "banned" as never }),
    ).rejects.toThrow(/banned|Validator/);
  });
});
