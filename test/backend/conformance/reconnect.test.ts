// Reconnects: the server cuts every sync socket in the middle of a stream of
// mutations (as a network failure would). The official client reconnects
// and re-sends what it has not seen confirmed; the backend must apply each
// mutation exactly once — answering re-sent ones it already ran from memory.
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { eventually, useConformance } from "./harness.ts";

const api = anyApi;

const t = useConformance({ app: "fixture" });

const MUTATIONS = 200;

describe("reconnect without duplicate mutations", () => {
  it("200 pipelined mutations cut off twice mid-stream are each applied exactly once", async () => {
    const client = t.client();
    const watcher = t.client();
    let watched: number[] = [];
    watcher.onUpdate(api.entries.list, { stream: "cut" }, (seqs: number[]) => (watched = seqs));
    await eventually(() => watcher.connectionState().isWebSocketConnected, "the watcher to connect");

    const executedBefore = t.backend.server.stats().mutationsExecuted;
    const executed = () => t.backend.server.stats().mutationsExecuted - executedBefore;
    const results = Array.from({ length: MUTATIONS }, (_, seq) => client.mutation(api.entries.append, { stream: "cut", seq, pauseMs: 1 }));

    let drops = 0;
    await eventually(() => executed() >= MUTATIONS / 5, "a fifth of the mutations to run");
    drops += t.backend.server.dropConnections();
    await eventually(() => executed() >= (MUTATIONS * 3) / 5, "three fifths of the mutations to run", 10_000);
    drops += t.backend.server.dropConnections();

    // The official client backs off 0.5-1.5 s, then 1-3 s, before reconnecting.
    await expect(Promise.all(results)).resolves.toEqual(Array.from({ length: MUTATIONS }, (_, seq) => seq));
    expect(drops).toBeGreaterThanOrEqual(2);
    expect(client.connectionState().connectionCount).toBeGreaterThanOrEqual(3);

    const expected = Array.from({ length: MUTATIONS }, (_, seq) => seq);
    await expect(t.http().query(api.entries.list, { stream: "cut" })).resolves.toEqual(expected);
    await eventually(() => watched.length === MUTATIONS, "the watcher to see every entry", 10_000);
    expect(watched).toEqual(expected);
    // The server's own count agrees: re-sent mutations that had run were answered, not run again.
    expect(executed()).toBe(MUTATIONS);
  });

  it("a signed-in client is still itself after its connection is cut", async () => {
    const client = await t.signedIn({ subject: "reconnecting-rita" });
    const seen: string[] = [];
    client.onUpdate(api.identity.whoAmI, {}, (subject: string) => seen.push(subject));
    await eventually(() => seen.length === 1, "the first result");

    expect(t.backend.server.dropConnections()).toBeGreaterThanOrEqual(1);
    await expect(client.mutation(api.entries.append, { stream: "rita", seq: 1 })).resolves.toBe(1);
    expect(client.connectionState().connectionCount).toBeGreaterThanOrEqual(2);
    // Re-authenticated on the new connection: her queries still run as her, never as anonymous.
    await expect(client.query(api.identity.whoAmI, {})).resolves.toBe("reconnecting-rita");
    expect(seen.every((subject) => subject === "reconnecting-rita")).toBe(true);
  });
});
