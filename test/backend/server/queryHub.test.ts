import { describe, expect, it } from "vitest";
import { ANONYMOUS, userIdentity } from "../../../src/backend/server/identity.ts";
import { QueryHub } from "../../../src/backend/server/queryHub.ts";
import type { QuerySpec, SharedQuery } from "../../../src/backend/server/sharedQuery.ts";
import { newCounters } from "../../../src/backend/server/stats.ts";
import { FakeEngine } from "./fakeEngine.ts";
import { settle, until } from "./scriptedSocket.ts";

function spec(name: string): QuerySpec {
  return { udfPath: "counter:get", args: [{ name }], journal: null, componentPath: undefined, identity: ANONYMOUS };
}

function setup(runTimeoutMs = 60_000) {
  const engine = new FakeEngine();
  const counters = newCounters();
  const hub = new QueryHub(engine, { maxConcurrentRuns: 8, runTimeoutMs: runTimeoutMs }, counters);
  engine.onCommit((commit) => hub.handleCommit(commit));
  const notified: SharedQuery[] = [];
  const subscriber = { queryResultChanged: (query: SharedQuery) => notified.push(query) };
  return { engine, counters, hub, notified, subscriber };
}

function asUser(base: QuerySpec, subject: string): QuerySpec {
  return { ...base, identity: userIdentity({ tokenIdentifier: `iss|${subject}`, subject, issuer: "iss" }, null) };
}

describe("sharing across identities", () => {
  it("runs a query that never reads the caller once for every signed-in viewer", async () => {
    const { engine, hub } = setup();
    const queries = Array.from({ length: 30 }, (_, i) => hub.subscribe(asUser(spec("a"), `viewer-${i}`), { queryResultChanged: () => {} }));
    await until(() => queries[0].result !== null);
    // Later subscribers join the now identity-free query at once.
    const late = Array.from({ length: 30 }, (_, i) => hub.subscribe(asUser(spec("a"), `late-${i}`), { queryResultChanged: () => {} }));
    await settle();
    expect(new Set(late).size).toBe(1);
    expect(late[0].identityFree).toBe(true);
    await engine.runMutation("counter:increment", { name: "a" }, { kind: "anonymous" });
    await settle();
    // The first 30 may each have run once before any result said "identity-free"; after that, one run per change.
    const before = engine.queryRuns.get("counter:get")!;
    await engine.runMutation("counter:increment", { name: "a" }, { kind: "anonymous" });
    await settle();
    expect(engine.queryRuns.get("counter:get")).toBe(before + 1);
  });

  it("keeps one run per identity for a query that reads the caller", async () => {
    const { engine, hub } = setup();
    const queries = ["ann", "bob", "cy"].map((who) => hub.subscribe(asUser({ ...spec("a"), udfPath: "counter:whoami" }, who), { queryResultChanged: () => {} }));
    await until(() => queries.every((q) => q.result !== null));
    expect(new Set(queries).size).toBe(3);
    expect(queries.map((q) => q.result!.body)).toEqual(queries.map((_, i) => expect.stringContaining(["ann", "bob", "cy"][i])));
    expect(engine.queryRuns.get("counter:whoami")).toBe(3);
  });

  it("gives every subscriber its own answer again when a shared query starts reading the caller", async () => {
    const { engine, hub } = setup();
    const subscribers = ["ann", "bob"].map((who) => {
      const subscriber = { shared: null as SharedQuery | null, queryResultChanged: (q: SharedQuery) => (subscriber.shared = q), sharedQueryChanged: (q: SharedQuery) => (subscriber.shared = q) };
      subscriber.shared = hub.subscribe(asUser({ ...spec("a"), udfPath: "counter:maybePersonal" }, who), subscriber);
      return subscriber;
    });
    await until(() => subscribers.every((s) => s.shared!.result !== null && s.shared!.identityFree));
    await engine.runMutation("counter:set", { name: "personal", value: 1 }, { kind: "anonymous" });
    await until(() => subscribers.every((s) => s.shared!.result?.body.includes("ann") || s.shared!.result?.body.includes("bob")), "personal answers");
    expect(subscribers[0].shared).not.toBe(subscribers[1].shared);
    expect(subscribers[0].shared!.result!.body).toContain("ann");
    expect(subscribers[1].shared!.result!.body).toContain("bob");
  });
});

describe("the query hub", () => {
  it("runs identical subscriptions once and hands every subscriber the same serialized result", async () => {
    const { engine, hub } = setup();
    const subscribers = Array.from({ length: 20 }, () => ({ queryResultChanged: () => {} }));
    const shared = subscribers.map((s) => hub.subscribe(spec("a"), s));
    await until(() => shared[0].result !== null);
    expect(new Set(shared).size).toBe(1);
    expect(engine.queryRuns.get("counter:get")).toBe(1);
  });

  it("spells a function two ways and still shares one run", async () => {
    const { engine, hub } = setup();
    const viaJs = hub.subscribe({ ...spec("a"), udfPath: "counter.js:get" }, { queryResultChanged: () => {} });
    const plain = hub.subscribe(spec("a"), { queryResultChanged: () => {} });
    await until(() => plain.result !== null);
    expect(viaJs).toBe(plain);
    expect(engine.queryRuns.get("counter:get")).toBe(1);
  });

  it("leaves a query alone when a commit does not touch its read set", async () => {
    const { engine, hub, subscriber } = setup();
    const query = hub.subscribe(spec("a"), subscriber);
    await until(() => query.result !== null);
    await engine.runMutation("counter:increment", { name: "b" }, { kind: "anonymous" });
    await settle();
    expect(engine.queryRuns.get("counter:get")).toBe(1);
    expect(query.result?.invalidAt).toBeNull();
  });

  it("re-runs once more, not once per commit, after a burst of commits during a run", async () => {
    const { engine, hub, subscriber } = setup();
    const query = hub.subscribe(spec("a"), subscriber);
    await until(() => query.result !== null);

    const release = engine.holdQueries();
    await engine.runMutation("counter:increment", { name: "a" }, { kind: "anonymous" });
    await until(() => engine.queryRuns.get("counter:get") === 2, "the re-run to start");
    for (let i = 0; i < 50; i += 1) await engine.runMutation("counter:increment", { name: "a" }, { kind: "anonymous" });
    release();
    await until(() => query.result?.body.includes('"value":51') === true, "the final value");
    await settle();
    expect(engine.queryRuns.get("counter:get")).toBe(3);
    expect(query.result?.invalidAt).toBeNull();
  });

  it("coalesces commits that land in one turn of the event loop into one re-run", async () => {
    const { engine, hub, subscriber } = setup();
    const query = hub.subscribe(spec("a"), subscriber);
    await until(() => query.result !== null);
    await Promise.all(
      Array.from({ length: 30 }, () => engine.runMutation("counter:increment", { name: "a" }, { kind: "anonymous" })),
    );
    await until(() => query.result?.body.includes('"value":30') === true);
    expect(engine.queryRuns.get("counter:get")).toBe(2);
  });

  it("keeps an unchanged re-run's body as the very same string", async () => {
    const { engine, hub, subscriber, counters } = setup();
    const query = hub.subscribe(spec("a"), subscriber);
    await until(() => query.result !== null);
    const before = query.result!.body;
    await engine.runMutation("counter:set", { name: "a", value: 0 }, { kind: "anonymous" });
    await until(() => engine.queryRuns.get("counter:get") === 2 && query.result!.invalidAt === null);
    expect(query.result!.body).toBe(before);
    expect(counters.queryRunsUnchanged).toBe(1);
  });

  it("drops a shared query when its last subscriber leaves, ignoring a run still in flight", async () => {
    const { engine, hub, subscriber, notified } = setup();
    const release = engine.holdQueries();
    const query = hub.subscribe(spec("a"), subscriber);
    await until(() => engine.queryRuns.get("counter:get") === 1);
    hub.unsubscribe(query, subscriber);
    release();
    await settle();
    expect(hub.size).toBe(0);
    expect(notified).toEqual([]);
  });

  it("gives up on a run that does not return in time and retries it on the next commit", async () => {
    const { engine, hub, subscriber, counters } = setup(30);
    const release = engine.holdQueries();
    const query = hub.subscribe(spec("a"), subscriber);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(query.result?.body).toContain('"type":"QueryFailed"');
    expect(counters.queryRunsTimedOut).toBe(1);
    release();
    await engine.runMutation("counter:increment", { name: "a" }, { kind: "anonymous" });
    await until(() => query.result?.body.includes('"value":1') === true, "the retry");
  });
});
