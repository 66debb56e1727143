import { beforeEach, describe, expect, test } from "vitest";
import { api } from "../../convex/_generated/api";
import { allRows, asUser, newDeployment, seedGame, type Deployment } from "./harness";

let t: Deployment;
beforeEach(() => {
  t = newDeployment();
});

describe("callers and their users row", () => {
  test("a valid token is enough: the row is created on first use, named from the token", async () => {
    const gameId = await seedGame(t);
    await asUser(t, "sub-1", { name: "Sam" }).mutation(api.chat.sendMessage, { gameId, message: "hi" });
    const users = await allRows(t, "users");
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ subject: "sub-1", name: "Sam", permissions: [] });
  });

  test("one caller keeps one row across many calls, refreshed when the token's name changes", async () => {
    const gameId = await seedGame(t);
    await asUser(t, "sub-1", { name: "Sam" }).mutation(api.chat.sendMessage, { gameId, message: "a" });
    await asUser(t, "sub-1", { name: "Sam" }).mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" });
    await asUser(t, "sub-1", { name: "Samuel" }).mutation(api.chat.sendMessage, { gameId, message: "b" });
    const users = await allRows(t, "users");
    expect(users).toHaveLength(1);
    expect(users[0].name).toBe("Samuel");
    const messages = await t.query(api.chat.listMessages, { gameId });
    expect(messages.map((m) => m.userName)).toEqual(["Sam", "Samuel"]);
  });

  test("a token without a name falls back to the subject", async () => {
    const gameId = await seedGame(t);
    await t.withIdentity({ subject: "nameless" }).mutation(api.chat.sendMessage, { gameId, message: "hi" });
    expect((await allRows(t, "users"))[0].name).toBe("nameless");
  });

  test("anonymous viewers watch without creating a user", async () => {
    const gameId = await seedGame(t);
    await t.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" });
    expect(await allRows(t, "users")).toHaveLength(0);
    const [session] = await allRows(t, "live_stream_sessions");
    expect(session.user_id).toBeUndefined();
  });
});
