// Shared execution: identical subscriptions run once per change however many
// clients hold them, across different signed-in users too when the query
// never asks who is calling; a query that reads the caller runs once per
// user, and a shared query splits per user the moment it starts asking.
// Counted with the server's own stats (queryRuns: runs started by the
// subscription layer; sharedQueries: distinct live queries).
import type { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { api } from "../../../convex/_generated/api";
import { eventually, seedContent, seedGame, useConformance } from "./harness.ts";

const t = useConformance({ app: "csn" });
const stats = () => t.backend.server.stats();

describe("shared execution in the CSN app", () => {
  it("twenty identical anonymous subscriptions share one run per change", async () => {
    const gameId = await seedGame(t);
    const before = stats();
    const counts = new Map<number, number>();
    for (let i = 0; i < 20; i++) {
      t.client().onUpdate(api.liveSessions.getViewerCount, { gameId }, (count) => counts.set(i, count));
    }
    await eventually(() => counts.size === 20, "20 first results");
    expect(stats().sharedQueries - before.sharedQueries).toBe(1);
    expect(stats().queryRuns - before.queryRuns).toBe(1);

    const runsBefore = stats().queryRuns;
    await t.client().mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" });
    await eventually(() => [...counts.values()].every((count) => count === 1), "20 updates");
    expect(stats().queryRuns - runsBefore).toBe(1);
  });

  it("different signed-in users share one run of a query that never reads the caller", async () => {
    const gameId = await seedGame(t);
    const before = stats();
    const viewers: ConvexClient[] = [t.client()];
    for (let i = 0; i < 4; i++) viewers.push(await t.signedIn({ subject: `sharer-${i}`, name: `Sharer ${i}` }));
    const latest = new Map<number, string[]>();
    viewers.forEach((viewer, i) =>
      viewer.onUpdate(api.chat.listMessages, { gameId }, (messages) => latest.set(i, messages.map((m) => m.message))),
    );
    await eventually(() => latest.size === viewers.length, "every viewer's first result");
    // Each distinct identity may run once before the hub learns the query is identity-free; then they merge.
    expect(stats().sharedQueries - before.sharedQueries).toBe(1);

    const runsBefore = stats().queryRuns;
    await viewers[1].mutation(api.chat.sendMessage, { gameId, message: "hello all" });
    await eventually(() => [...latest.values()].every((messages) => messages.includes("hello all")), "every viewer sees it");
    expect(stats().queryRuns - runsBefore).toBe(1);
    expect(stats().sharedQueries - before.sharedQueries).toBe(1);
  });

  it("a query that reads the caller's identity runs separately for each user", async () => {
    const contentId = await seedContent(t);
    const before = stats();
    const alice = await t.signedIn({ subject: "reader-alice" });
    const aliceOnPhone = await t.signedIn({ subject: "reader-alice" });
    const bob = await t.signedIn({ subject: "reader-bob" });
    const carol = await t.signedIn({ subject: "reader-carol" });
    const seen = new Map<string, number[]>();
    const watch = (name: string, client: ConvexClient) =>
      client.onUpdate(api.watchProgress.getContinueWatching, {}, (rows) =>
        seen.set(name, rows.map((row) => row.positionSeconds)),
      );
    watch("alice", alice);
    watch("aliceOnPhone", aliceOnPhone);
    watch("bob", bob);
    watch("carol", carol);
    await eventually(() => seen.size === 4, "four first results");
    // Alice's two devices share her query; Bob and Carol each get their own.
    expect(stats().sharedQueries - before.sharedQueries).toBe(3);

    const runsBefore = stats().queryRuns;
    await alice.mutation(api.watchProgress.updateProgress, { contentId, positionSeconds: 120, durationSeconds: 1000 });
    await eventually(() => seen.get("aliceOnPhone")?.[0] === 120, "Alice's other device sees her progress");
    expect(seen.get("alice")).toEqual([120]);
    expect(seen.get("bob")).toEqual([]);
    expect(seen.get("carol")).toEqual([]);
    // Only Alice's query read what her write touched.
    expect(stats().queryRuns - runsBefore).toBe(1);
  });
});

describe("shared execution when a query's use of the caller changes", () => {
  // Its own backend (the fixture app), shadowing the CSN one above.
  const t = useConformance({ app: "fixture" });
  const stats = () => t.backend.server.stats();

  it("a shared query that starts reading the caller splits per user, and no one ever sees another's result", async () => {
    const before = stats();
    const clients = new Map<string, ConvexClient>([
      ["anonymous", t.client()],
      ["split-a", await t.signedIn({ subject: "split-a" })],
      ["split-b", await t.signedIn({ subject: "split-b" })],
    ]);
    const history = new Map<string, string[]>();
    for (const [who, client] of clients) {
      history.set(who, []);
      client.onUpdate(anyApi.identity.greeting, {}, (greeting: string) => history.get(who)!.push(greeting));
    }
    const latest = (who: string) => history.get(who)!.at(-1);
    await eventually(() => [...clients.keys()].every((who) => latest(who) === "hello everyone"), "everyone's first greeting");
    expect(stats().sharedQueries - before.sharedQueries).toBe(1);

    // From now on the query asks who is calling: each caller must get their own answer.
    await t.admin().mutation(anyApi.counters.set, { name: "reveal", value: 1 });
    await eventually(() => [...clients.keys()].every((who) => latest(who) === `hello ${who}`), "personal greetings");
    expect(stats().sharedQueries - before.sharedQueries).toBe(3);

    // And back: the three identity-keyed queries find they no longer read the caller and merge again.
    await t.admin().mutation(anyApi.counters.set, { name: "reveal", value: 0 });
    await eventually(() => [...clients.keys()].every((who) => latest(who) === "hello everyone"), "shared greetings again");
    await eventually(() => stats().sharedQueries - before.sharedQueries === 1, "the queries to merge again");

    for (const [who, greetings] of history) {
      expect(greetings.every((greeting) => greeting === "hello everyone" || greeting === `hello ${who}`), `${who} saw ${greetings}`).toBe(true);
    }
  });

  it("a query that reads the caller only through a nested ctx.runQuery is not shared across users", async () => {
    const before = stats();
    const seen = new Map<string, string>();
    for (const who of ["nested-a", "nested-b"]) {
      const client = await t.signedIn({ subject: who });
      client.onUpdate(anyApi.identity.viaNested, {}, (value: string) => seen.set(who, value));
    }
    t.client().onUpdate(anyApi.identity.viaNested, {}, (value: string) => seen.set("anonymous", value));
    await eventually(() => seen.size === 3, "three results");
    expect(Object.fromEntries(seen)).toEqual({
      "nested-a": "nested nested-a",
      "nested-b": "nested nested-b",
      anonymous: "nested anonymous",
    });
    expect(stats().sharedQueries - before.sharedQueries).toBe(3);
  });
});
