// Auth through the official clients against the CSN app's auth.config.ts
// (custom JWT, ES256, one trusted issuer): a token minted with the trusted
// key signs the client in and functions see its claims; an expired token, a
// token from another issuer and a forged signature are refused — the client
// is told, and nothing is written on the refused identity's behalf.
import { ConvexHttpClient } from "convex/browser";
import { beforeAll, describe, expect, it } from "vitest";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { createTokenMinter, generateSigningKey } from "../../../src/load/tokens.ts";
import { eventually, ISSUER, rejectionOf, seedGame, useConformance } from "./harness.ts";

const t = useConformance({ app: "csn" });
let gameId: Id<"games">;

beforeAll(async () => {
  gameId = await seedGame(t);
});

const HOUR_MS = 3_600_000;

/** Tokens the backend must refuse, each signed for the subject "intruder". */
const badTokens: Array<[string, RegExp, () => Promise<string>]> = [
  [
    "an expired token",
    /expired/,
    async () => {
      const minter = await createTokenMinter({ key: t.signingKey, issuer: ISSUER, now: () => Date.now() - 2 * HOUR_MS });
      return minter.mint({ subject: "intruder", ttlSeconds: 3600 });
    },
  ],
  [
    "a token from another issuer",
    /issuer "https:\/\/someone-else\.example" is not one of the configured issuers/,
    async () => {
      const minter = await createTokenMinter({ key: t.signingKey, issuer: "https://someone-else.example" });
      return minter.mint({ subject: "intruder" });
    },
  ],
  [
    "a token with a forged signature",
    /signature does not verify/,
    async () => {
      // Another key claiming the trusted key's id: the header checks out, the signature does not.
      const impostor = await generateSigningKey();
      const forged = { ...impostor, kid: t.signingKey.kid, privateJwk: { ...impostor.privateJwk, kid: t.signingKey.kid } };
      const minter = await createTokenMinter({ key: forged, issuer: ISSUER });
      return minter.mint({ subject: "intruder" });
    },
  ],
];

async function messagesInGame(): Promise<string[]> {
  return (await t.http().query(api.chat.listMessages, { gameId })).map((m) => `${m.userName}: ${m.message}`);
}

describe("auth", () => {
  it("a valid minted token signs the client in and functions see its claims", async () => {
    const alice = await t.signedIn({ subject: "auth-alice", name: "Alice" });
    await alice.mutation(api.chat.sendMessage, { gameId, message: "hi from the socket" });

    const http = new ConvexHttpClient(t.url, { logger: false });
    http.setAuth(await t.tokens.mint({ subject: "auth-alice", name: "Alice" }));
    await http.mutation(api.chat.sendMessage, { gameId, message: "hi over HTTP" });

    expect(await messagesInGame()).toEqual(["Alice: hi from the socket", "Alice: hi over HTTP"]);
  });

  it.each(badTokens)("%s is refused over the WebSocket and nothing is written", async (_name, _reason, mint) => {
    const token = await mint();
    const before = await messagesInGame();
    const authErrorsBefore = t.backend.server.stats().authErrors;
    const client = t.client();
    const authChanges: boolean[] = [];
    client.setAuth(async () => token, (isAuthenticated) => authChanges.push(isAuthenticated));
    // Observe the refusal from the start: it may arrive while we wait for the auth change below.
    const refused = rejectionOf(client.mutation(api.chat.sendMessage, { gameId, message: "let me in" }));

    await eventually(() => authChanges.includes(false), "the client to report the auth failure");
    expect(authChanges).not.toContain(true);
    expect(t.backend.server.stats().authErrors).toBeGreaterThan(authErrorsBefore);
    // The client carries on unauthenticated: a sign-in-only mutation is refused, never run as the intruder.
    const refusal = await refused;
    expect(refusal.data).toMatchObject({ kind: "Unauthenticated" });
    expect(await messagesInGame()).toEqual(before);
  });

  it.each(badTokens)("%s is refused over HTTP with a reason and nothing is written", async (_name, reason, mint) => {
    const before = await messagesInGame();
    const http = new ConvexHttpClient(t.url, { logger: false });
    http.setAuth(await mint());
    const refusal = await rejectionOf(http.mutation(api.chat.sendMessage, { gameId, message: "let me in" }));
    // ConvexHttpClient surfaces the 401 body: {code: "Unauthenticated", message: <why>}.
    expect(JSON.parse(refusal.message)).toEqual({ code: "Unauthenticated", message: expect.stringMatching(reason) });
    expect(await messagesInGame()).toEqual(before);
  });
});
