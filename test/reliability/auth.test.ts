// Every way to act without the right: no token, an expired token, a token
// from the wrong issuer, a bad signature, another viewer's session, another
// user's progress, a non-admin moderating, an anonymous viewer chatting,
// internal functions without the admin key. Each is refused through the
// official clients (WebSocket and HTTP), and nothing is written — the whole
// database is compared before and after.
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { SignJWT, importJWK } from "jose";
import WebSocket from "ws";
import { beforeAll, describe, expect, test } from "vitest";
import { createTokenMinter, generateSigningKey } from "../../src/load/tokens.ts";
import { ISSUER, refusalKind, rejectionOf, seedContent, seedGames, until, useReliability } from "./support/harness.ts";

const t = useReliability();

const sendMessage = makeFunctionReference<"mutation", { gameId: string; message: string }, string>("chat:sendMessage");
const moderateMessage = makeFunctionReference<"mutation", { messageId: string; status: string }, null>("chat:moderateMessage");
const joinStream = makeFunctionReference<"mutation", Record<string, unknown>, { sessionId: string }>("liveSessions:joinStream");
const heartbeat = makeFunctionReference<"mutation", { sessionId: string }, null>("liveSessions:heartbeat");
const leaveStream = makeFunctionReference<"mutation", { sessionId: string }, null>("liveSessions:leaveStream");
const updateProgress = makeFunctionReference<"mutation", Record<string, unknown>, unknown>("watchProgress:updateProgress");
const getProgress = makeFunctionReference<"query", { contentId: string }, unknown>("watchProgress:getProgress");
const getContinueWatching = makeFunctionReference<"query", Record<string, never>, unknown[]>("watchProgress:getContinueWatching");

let gameId: string;
let contentId: string;
let aliceSession: string;
let aliceMessage: string;
let before: Record<string, unknown[]>;

beforeAll(async () => {
  [gameId] = await t.admin().mutation(seedGames, { count: 1 });
  [contentId] = await t.admin().mutation(seedContent, { count: 1, durationSeconds: 1000 });
  const alice = await t.client({ subject: "alice" });
  aliceSession = (await alice.mutation(joinStream, { gameId, deviceType: "web" })).sessionId;
  aliceMessage = await alice.mutation(sendMessage, { gameId, message: "hello" });
  await alice.mutation(updateProgress, { contentId, positionSeconds: 100, durationSeconds: 1000 });
  // The join's viewer-count publication is a write of its own: let it land before taking the picture.
  await until(async () => ((await t.everything()).viewer_counts as { next_publish_at?: number }[]).every((row) => row.next_publish_at === undefined), "the join's count publication");
  before = await t.everything();
}, 60_000);

async function expectNothingWritten(): Promise<void> {
  expect(await t.everything()).toEqual(before);
  expect(t.internalErrors).toEqual([]);
}

/** An official WebSocket client handed `token`; resolves with whether the backend accepted it. */
async function clientWithToken(token: string): Promise<{ client: ConvexClient; accepted: boolean }> {
  const client = new ConvexClient(t.url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false });
  const accepted = await new Promise<boolean>((resolve) => client.setAuth(async () => token, resolve));
  return { client, accepted };
}

async function badTokens(): Promise<Record<string, string>> {
  const valid = await t.tokens.mint({ subject: "mallory", name: "Mallory", permissions: ["write:chat"] });
  const [header, payload, signature] = valid.split(".");
  const expired = await (await createTokenMinter({ key: t.signingKey, issuer: ISSUER, now: () => Date.now() - 2 * 3600_000 })).mint({ subject: "mallory", permissions: ["write:chat"] });
  const wrongIssuer = await (await createTokenMinter({ key: t.signingKey, issuer: "https://evil.example" })).mint({ subject: "mallory", permissions: ["write:chat"] });
  const otherKey = await (await createTokenMinter({ key: await generateSigningKey(), issuer: ISSUER })).mint({ subject: "mallory", permissions: ["write:chat"] });
  // The same kid as the trusted key, signed by another: only the signature check can refuse it.
  const impostorKey = await generateSigningKey();
  const impostor = await new SignJWT({ permissions: ["write:chat"] })
    .setProtectedHeader({ alg: "ES256", kid: t.signingKey.kid, typ: "JWT" })
    .setIssuer(ISSUER)
    .setSubject("alice")
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(await importJWK(impostorKey.privateJwk, "ES256"));
  const elevated = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, "base64url").toString()), sub: "alice" })).toString("base64url");
  const unsigned = `${Buffer.from(JSON.stringify({ alg: "none", typ: "JWT" })).toString("base64url")}.${payload}.`;
  return {
    "an expired token": expired,
    "a token from another issuer": wrongIssuer,
    "a token signed by an unknown key": otherKey,
    "a token signed by another key under the trusted key's id": impostor,
    "a valid token whose claims were edited (subject changed to alice)": `${header}.${elevated}.${signature}`,
    "a token with a corrupted signature": `${header}.${payload}.${signature.slice(0, -4)}${signature.slice(-4) === "AAAA" ? "BBBB" : "AAAA"}`,
    'an unsigned token (alg "none")': unsigned,
    "garbage": "not-a-jwt",
  };
}

describe("tokens that must not be trusted", () => {
  test("each is refused over WebSocket and over HTTP, and nothing is written", async () => {
    for (const [name, token] of Object.entries(await badTokens())) {
      const { client, accepted } = await clientWithToken(token);
      expect(accepted, `${name} accepted over WebSocket`).toBe(false);
      await client.close();
      const http = new ConvexHttpClient(t.url, { logger: false });
      http.setAuth(token);
      // Each refusal is observed as soon as the call starts: they settle in any order.
      const refusals = [
        http.mutation(sendMessage, { gameId, message: "as someone else" }),
        http.mutation(moderateMessage, { messageId: aliceMessage, status: "hidden" }),
        http.mutation(heartbeat, { sessionId: aliceSession }),
        http.mutation(updateProgress, { contentId, positionSeconds: 999, durationSeconds: 1000 }),
      ].map(rejectionOf);
      for (const refusal of refusals) expect((await refusal).message, name).toMatch(/token|auth|JWT|expired|issuer|signature|Unauthenticated/i);
      await expect(http.query(getContinueWatching, {}), name).rejects.toThrow();
    }
    await expectNothingWritten();
  });
});

describe("acting without the right", () => {
  test("an anonymous viewer cannot chat, moderate, write or read progress", async () => {
    const anonymous = await t.client(null);
    expect(await refusalKind(anonymous.mutation(sendMessage, { gameId, message: "hi" }))).toBe("Unauthenticated");
    expect(await refusalKind(anonymous.mutation(moderateMessage, { messageId: aliceMessage, status: "deleted" }))).toBe("Unauthenticated");
    expect(await refusalKind(anonymous.mutation(updateProgress, { contentId, positionSeconds: 1, durationSeconds: 1000 }))).toBe("Unauthenticated");
    expect(await refusalKind(anonymous.query(getContinueWatching, {}))).toBe("Unauthenticated");
    expect(await refusalKind((await t.http(null)).mutation(sendMessage, { gameId, message: "hi" }))).toBe("Unauthenticated");
    await expectNothingWritten();
  });

  test("another viewer's session cannot be heartbeat, left or taken over, signed in or not", async () => {
    const bob = await t.client({ subject: "bob" });
    const anonymous = await t.client(null);
    expect(await refusalKind(bob.mutation(heartbeat, { sessionId: aliceSession }))).toBe("Forbidden");
    expect(await refusalKind(bob.mutation(leaveStream, { sessionId: aliceSession }))).toBe("Forbidden");
    expect(await refusalKind(bob.mutation(joinStream, { gameId, deviceType: "web", sessionId: aliceSession }))).toBe("Forbidden");
    expect(await refusalKind(bob.mutation(joinStream, { gameId, deviceType: "web", sessionId: aliceSession.toUpperCase() }))).toBe("Forbidden");
    expect(await refusalKind(anonymous.mutation(leaveStream, { sessionId: aliceSession }))).toBe("Forbidden");
    expect(await refusalKind(anonymous.mutation(heartbeat, { sessionId: aliceSession }))).toBe("Forbidden");
    await expectNothingWritten();
  });

  test("another user's progress can be neither read nor written", async () => {
    const bob = await t.client({ subject: "bob" });
    expect(await bob.query(getProgress, { contentId })).toBeNull();
    expect(await bob.query(getContinueWatching, {})).toEqual([]);
    const aliceId = (before.users as { _id: string; subject: string }[]).find((u) => u.subject === "alice")!._id;
    for (const extra of [{ userId: aliceId }, { user_id: aliceId }]) {
      const error = await rejectionOf(bob.mutation(updateProgress, { contentId, positionSeconds: 999, durationSeconds: 1000, ...extra }));
      expect(error.message).toMatch(/extra field/);
    }
    await expectNothingWritten();
  });

  test("only a moderator's token moderates: not a viewer, not a look-alike permissions claim", async () => {
    const lookAlikes = [undefined, [], ["write:chat "], ["WRITE:CHAT"], ["read:chat"]];
    for (const permissions of lookAlikes) {
      const viewer = await t.client({ subject: "alice", name: "alice", permissions: permissions as string[] | undefined });
      expect(await refusalKind(viewer.mutation(moderateMessage, { messageId: aliceMessage, status: "hidden" }))).toBe("Forbidden");
    }
    // A claim that is a string, not an array, is no permission at all.
    const key = await importJWK(t.signingKey.privateJwk, "ES256");
    const stringClaim = await new SignJWT({ permissions: "write:chat" }).setProtectedHeader({ alg: "ES256", kid: t.signingKey.kid }).setIssuer(ISSUER).setSubject("alice").setIssuedAt().setExpirationTime("1h").sign(key);
    const http = new ConvexHttpClient(t.url, { logger: false });
    http.setAuth(stringClaim);
    expect(await refusalKind(http.mutation(moderateMessage, { messageId: aliceMessage, status: "hidden" }))).toBe("Forbidden");
    await expectNothingWritten();
  });

  test("internal functions need the admin key, and a wrong key is refused", async () => {
    const alice = await t.http({ subject: "alice" });
    expect((await rejectionOf(alice.mutation(seedGames, { count: 1 }))).message).toMatch(/Could not find public function for 'seed:createGames'/);
    expect((await rejectionOf((await t.client({ subject: "alice" })).mutation(seedGames, { count: 1 }))).message).toMatch(/Could not find public function/);
    const states = makeFunctionReference<"query">("liveSessions:sessionStates");
    expect((await rejectionOf(alice.query(states, { gameId, paginationOpts: { cursor: null, numItems: 10 } }))).message).toMatch(/Could not find public function/);
    const wrongAdmin = new ConvexHttpClient(t.url, { logger: false });
    (wrongAdmin as unknown as { setAdminAuth(key: string): void }).setAdminAuth("csn-rt|0000");
    await expect(wrongAdmin.mutation(seedGames, { count: 1 })).rejects.toThrow();
    const advance = await fetch(`${t.url}/api/csn-rt/clock/advance`, { method: "POST", headers: { authorization: `Bearer ${await t.tokens.mint({ subject: "alice" })}` }, body: JSON.stringify({ ms: 60_000 }) });
    expect(advance.status).toBe(401);
    await expectNothingWritten();
  });
});
