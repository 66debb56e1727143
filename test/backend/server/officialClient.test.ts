// The official `convex` client (1.48, unmodified, over `ws`) against the
// embedded server backed by the fake counter engine.
import { anyApi } from "convex/server";
import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_KEY } from "./fakeEngine.ts";
import { eventually, startBackend, type Backend } from "./harness.ts";

const api = anyApi;
let backend: Backend;

afterEach(async () => {
  await backend?.close();
});

/** Resolves with the first value the subscription delivers that satisfies `accept`. */
function nextValue<T>(
  subscribe: (callback: (value: T) => void) => unknown,
  accept: (value: T) => boolean = () => true,
): Promise<T> {
  return new Promise((resolve) => {
    subscribe((value) => {
      if (accept(value)) resolve(value);
    });
  });
}

describe("the official ConvexClient", () => {
  it("sees a subscription update after a mutation", async () => {
    backend = await startBackend();
    const client = backend.client();
    const values: number[] = [];
    client.onUpdate(api.counter.get, { name: "a" }, (value: number) => values.push(value));
    await eventually(() => values.length === 1, 5_000, "the first result");
    expect(values).toEqual([0]);

    await expect(client.mutation(api.counter.increment, { name: "a" })).resolves.toBe(1);
    await eventually(() => values.at(-1) === 1, 5_000, "the update");
    expect(values).toEqual([0, 1]);
  });

  it("resolves a mutation only once its write is visible in the client's queries", async () => {
    backend = await startBackend();
    const client = backend.client();
    let latest: number | undefined;
    client.onUpdate(api.counter.get, { name: "a" }, (value: number) => (latest = value));
    await eventually(() => latest === 0);

    await client.mutation(api.counter.increment, { name: "a", by: 5 });
    // Read-your-writes: the Transition covering the commit arrived before the promise resolved.
    expect(client.client.localQueryResult("counter:get", { name: "a" })).toBe(5);
  });

  it("resolves a mutation promptly when no subscribed query changed", async () => {
    backend = await startBackend();
    const client = backend.client();
    client.onUpdate(api.counter.get, { name: "unrelated" }, () => {});
    const started = Date.now();
    await expect(client.mutation(api.counter.increment, { name: "a" })).resolves.toBe(1);
    expect(Date.now() - started).toBeLessThan(2_000); // far below the 15 s ping that would otherwise carry it
  });

  it("runs a query shared by 50 identical subscriptions once and updates all of them", async () => {
    backend = await startBackend();
    const latest = new Map<number, number>();
    for (let i = 0; i < 50; i += 1) {
      backend.client().onUpdate(api.counter.get, { name: "shared" }, (value: number) => latest.set(i, value));
    }
    await eventually(() => latest.size === 50, 10_000, "50 first results");
    expect(backend.engine.queryRuns.get("counter:get")).toBe(1);

    const writer = backend.client();
    await writer.mutation(api.counter.increment, { name: "shared" });
    await eventually(() => [...latest.values()].every((v) => v === 1), 10_000, "50 updates");
    expect(backend.engine.queryRuns.get("counter:get")).toBe(2);
    expect(backend.server.stats().sharedQueries).toBe(1);
  });

  it("gives a ConvexError's data to a failing query's error handler", async () => {
    backend = await startBackend();
    const error = await new Promise<Error & { data?: unknown }>((resolve) =>
      backend.client().onUpdate(api.counter.failing, {}, () => {}, resolve),
    );
    expect(error.data).toEqual({ kind: "nope" });
  });

  it("rejects a failed mutation with its ConvexError data", async () => {
    backend = await startBackend();
    await expect(backend.client().mutation(api.counter.refuse, {})).rejects.toMatchObject({
      data: { kind: "refused", why: "because" },
    });
  });

  it("runs an action and returns its value", async () => {
    backend = await startBackend();
    await expect(backend.client().action(api.counter.echo, { hello: "world" })).resolves.toEqual({ hello: "world" });
  });

  it("does not run a mutation twice when the socket dies before the client saw it confirmed", async () => {
    backend = await startBackend();
    const client = backend.client();
    let latest: number | undefined;
    client.onUpdate(api.counter.get, { name: "a" }, (value: number) => (latest = value));
    await eventually(() => latest === 0);

    // Hold re-runs so the Transition confirming the mutation cannot be sent yet.
    const release = backend.engine.holdQueries();
    const mutation = client.mutation(api.counter.increment, { name: "a" });
    await eventually(() => backend.engine.value("a") === 1, 5_000, "the commit");
    await eventually(() => backend.server.stats().mutationsExecuted === 1);
    expect(backend.server.dropConnections()).toBe(1);
    release();

    await expect(mutation).resolves.toBe(1);
    await eventually(() => latest === 1);
    expect(backend.engine.mutationRuns.get("counter:increment")).toBe(1);
    expect(backend.engine.value("a")).toBe(1);
    expect(backend.server.stats().mutationsReplayed).toBe(1);
  });

  it("authenticates with a valid token and runs queries as that user", async () => {
    backend = await startBackend();
    const client = backend.client();
    const authChanges: boolean[] = [];
    client.setAuth(async () => "good:alice", (isAuthenticated) => authChanges.push(isAuthenticated));
    const me = await nextValue<string | null>(
      (cb) => client.onUpdate(api.counter.whoami, {}, cb),
      (value) => value === "alice",
    );
    expect(me).toBe("alice");
    await eventually(() => authChanges.includes(true), 5_000, "onChange(true)");
  });

  it("answers a bad token with an AuthError, after which the client carries on unauthenticated", async () => {
    backend = await startBackend();
    const client = backend.client();
    const authChanges: boolean[] = [];
    client.setAuth(async () => "forged", (isAuthenticated) => authChanges.push(isAuthenticated));
    await eventually(() => authChanges.includes(false), 5_000, "onChange(false)");
    expect(backend.server.stats().authErrors).toBeGreaterThanOrEqual(1);

    const me = await nextValue<string | null>((cb) => client.onUpdate(api.counter.whoami, {}, cb));
    expect(me).toBeNull();
  });

  it("lets an admin-key client call internal functions", async () => {
    backend = await startBackend();
    const client = backend.client();
    // setAdminAuth is @internal in the client's types (the dashboard and CLI use it).
    (client.client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(ADMIN_KEY);
    await expect(client.query(api.counter.secret, {})).resolves.toBe(42);
  });

  it("keeps other clients running when one connection sends a malformed frame", async () => {
    backend = await startBackend();
    const client = backend.client();
    let latest: number | undefined;
    client.onUpdate(api.counter.get, { name: "a" }, (value: number) => (latest = value));
    await eventually(() => latest === 0);

    const raw = await backend.raw();
    raw.sendText("{ this is not json");
    await raw.until((socket) => socket.closeCode !== null);
    expect(raw.of("FatalError")[0].error).toMatch(/not JSON/);

    await client.mutation(api.counter.increment, { name: "a" });
    await eventually(() => latest === 1);
    expect(backend.server.stats().malformedFrames).toBe(1);
  });

  it("receives a transition too large for one frame as chunks", async () => {
    backend = await startBackend({ tuning: { maxTransitionFrameChars: 10_000, transitionChunkChars: 4_000 } });
    const value = await nextValue<string>((cb) => backend.client().onUpdate(api.counter.big, { size: 30_000 }, cb));
    expect(value.length).toBeGreaterThanOrEqual(20_000);
    expect(backend.server.stats().transitionsChunked).toBe(1);
  });
});
