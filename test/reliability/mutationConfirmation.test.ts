// Found by the fuzzer: a mutation that commits nothing (a progress write
// older than the one held, answered `applied: false`) answers with the
// latest commit's ts, which the client has already seen. The official
// client settles a mutation only on a Transition after its response, so the
// server must send one anyway — before the fix the call hung forever.
import { makeFunctionReference } from "convex/server";
import { describe, expect, test } from "vitest";
import { seedContent, useReliability } from "./support/harness.ts";

const t = useReliability();
const updateProgress = makeFunctionReference<"mutation", Record<string, unknown>, { applied: boolean }>("watchProgress:updateProgress");
const getViewerCount = makeFunctionReference<"query", { gameId: string }, number>("liveSessions:getViewerCount");

describe("the official client over WebSocket", () => {
  test("a mutation that writes nothing still resolves, with and without a subscription open", async () => {
    const [contentId] = await t.admin().mutation(seedContent, { count: 1, durationSeconds: 1000 });
    const alice = await t.client({ subject: "alice" });
    expect((await alice.mutation(updateProgress, { contentId, positionSeconds: 10, durationSeconds: 1000 })).applied).toBe(true);
    const late = { contentId, positionSeconds: 5, durationSeconds: 1000, clientUpdatedAt: Date.now() - 60_000 };
    const within = <T>(p: Promise<T>) => Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error("the mutation never settled")), 5_000))]);
    expect((await within(alice.mutation(updateProgress, late))).applied).toBe(false);

    const [gameId] = await t.admin().mutation(makeFunctionReference<"mutation", { count: number }, string[]>("seed:createGames"), { count: 1 });
    const seen: number[] = [];
    alice.onUpdate(getViewerCount, { gameId }, (n) => seen.push(n));
    expect((await within(alice.mutation(updateProgress, late))).applied).toBe(false);
    expect(t.internalErrors).toEqual([]);
  });
});
