// The connection state machine, played frame by frame over an in-memory
// transport (no sockets), against the fake engine.
import { describe, expect, it } from "vitest";
import type { MutationResponse, Transition } from "../../../src/protocol/sync/index.ts";
import { ADMIN_KEY } from "./fakeEngine.ts";
import { settle, until, World } from "./scriptedSocket.ts";

const CONNECT = { type: "Connect", sessionId: "s-1", connectionCount: 0, lastCloseReason: null } as const;

describe("a sync connection", () => {
  it("starts its first Transition at version zero and carries the query's result", async () => {
    const world = new World();
    const client = world.connect();
    client.send(CONNECT);
    client.subscribe(0, "counter:get", { name: "a" });
    await until(() => client.transport.transitions().length === 1);
    const [first] = client.transport.transitions();
    expect(first.startVersion).toEqual({ querySet: 0, identity: 0, ts: 0n });
    expect(first.endVersion).toEqual({ querySet: 1, identity: 0, ts: 1000n });
    expect(first.modifications).toEqual([{ type: "QueryUpdated", queryId: 0, value: 0, logLines: [], journal: null }]);
  });

  it("starts every Transition exactly where the previous one ended", async () => {
    const world = new World();
    const client = world.connect();
    client.send(CONNECT);
    client.subscribe(0, "counter:get", { name: "a" });
    for (let i = 0; i < 5; i += 1) client.mutate(i, "counter:increment", { name: "a" });
    client.subscribe(1, "counter:get", { name: "b" }, 1);
    await until(() => client.views().at(-1)?.values.get(0) === 5 && client.views().at(-1)?.values.has(1) === true);
    const transitions = client.transport.transitions();
    for (let i = 1; i < transitions.length; i += 1) {
      expect(transitions[i].startVersion).toEqual(transitions[i - 1].endVersion);
    }
  });

  it("sends viewers of one fan-out in the same state the very same frame, each starting where that viewer's last ended", async () => {
    const world = new World();
    const viewers = [world.connect(), world.connect(), world.connect()];
    for (const [i, viewer] of viewers.entries()) {
      viewer.send({ ...CONNECT, sessionId: `s-${i}`, clientTs: Date.now() + 1000 * i });
      viewer.subscribe(0, "counter:get", { name: "a" });
    }
    await until(() => viewers.every((v) => v.transport.transitions().length === 1));
    const writer = world.connect();
    writer.send({ ...CONNECT, sessionId: "writer" });
    writer.mutate(0, "counter:increment", { name: "a" });
    await until(() => viewers.every((v) => v.views().at(-1)?.values.get(0) === 1));
    const fanOut = viewers.map((v) => v.transport.frames.at(-1)!);
    expect(new Set(fanOut).size).toBe(1);
    for (const viewer of viewers) {
      const [first, second] = viewer.transport.transitions();
      expect(second.startVersion).toEqual(first.endVersion);
      // Clock skews differ per viewer; a Transition that changes no identity need not carry one.
      expect(second.clientClockSkew).toBeUndefined();
    }
  });

  it("sends the clock skew with the Transition that confirms a new identity", async () => {
    const world = new World();
    const client = world.connect();
    client.send({ ...CONNECT, clientTs: Date.now() - 5_000 });
    client.send({ type: "Authenticate", tokenType: "User", value: "good:alice", baseVersion: 0 });
    await until(() => client.transport.transitions().some((t) => t.endVersion.identity === 1));
    const confirming = client.transport.transitions().find((t) => t.endVersion.identity === 1)!;
    expect(confirming.clientClockSkew).toBeLessThan(-4_000);
  });

  it("sends a MutationResponse before the Transition that reaches its commit ts", async () => {
    const world = new World();
    const client = world.connect();
    client.send(CONNECT);
    client.subscribe(0, "counter:get", { name: "a" });
    client.mutate(0, "counter:increment", { name: "a" });
    await until(() => client.views().at(-1)?.values.get(0) === 1);
    const messages = client.transport.messages();
    const responseAt = messages.findIndex((m) => m.type === "MutationResponse");
    const response = messages[responseAt] as Extract<MutationResponse, { success: true }>;
    expect(response).toMatchObject({ success: true, result: 1, ts: 1001n });
    const reaching = messages.findIndex((m) => m.type === "Transition" && m.endVersion.ts >= response.ts);
    expect(reaching).toBeGreaterThan(responseAt);
  });

  it("sends a mutation's response and the Transition that confirms it in one write", async () => {
    const world = new World();
    const client = world.connect();
    client.send(CONNECT);
    client.subscribe(0, "counter:get", { name: "a" });
    await until(() => client.transport.transitions().length === 1);
    client.mutate(0, "counter:increment", { name: "a" });
    await until(() => client.views().at(-1)?.values.get(0) === 1);
    const together = client.transport.batches.find((batch) => batch.some((f) => f.includes('"MutationResponse"')));
    expect(together?.map((f) => JSON.parse(f).type)).toEqual(["MutationResponse", "Transition"]);
  });

  it("sends a passive viewer's update before the writer's own confirmation", async () => {
    const world = new World();
    const [writer, viewer] = [world.connect(), world.connect()];
    for (const [client, sessionId] of [[writer, "w"], [viewer, "v"]] as const) {
      client.send({ ...CONNECT, sessionId });
      client.subscribe(0, "counter:get", { name: "a" });
    }
    await until(() => writer.transport.transitions().length === 1 && viewer.transport.transitions().length === 1);
    world.sendLog.length = 0;
    writer.mutate(0, "counter:increment", { name: "a" });
    await until(() => viewer.views().at(-1)?.values.get(0) === 1 && writer.views().at(-1)?.values.get(0) === 1);
    expect(world.sendLog[0].transport).toBe(viewer.transport);
  });

  it("confirms a writer between the slices of a fan-out instead of after all of it", async () => {
    // Slices so short that every check of the clock ends one: 200 viewers take many turns.
    const world = new World({ fanOutSliceMs: 0.001 });
    const viewers = Array.from({ length: 200 }, () => world.connect());
    const [source, writer] = [world.connect(), world.connect()];
    for (const [i, client] of [...viewers, source].entries()) {
      client.send({ ...CONNECT, sessionId: `v${i}` });
      client.subscribe(0, "counter:get", { name: "hot" });
    }
    writer.send({ ...CONNECT, sessionId: "w" });
    writer.subscribe(0, "counter:get", { name: "own" });
    await until(() => [...viewers, source, writer].every((c) => c.transport.transitions().length === 1));
    world.sendLog.length = 0;
    source.mutate(0, "counter:increment", { name: "hot" });
    await until(() => viewers.some((v) => v.views().at(-1)?.values.get(0) === 1), "the fan-out started");
    writer.mutate(0, "counter:increment", { name: "own" });
    await until(() => viewers.every((v) => v.views().at(-1)?.values.get(0) === 1) && writer.views().at(-1)?.values.get(0) === 1);
    const confirmedAt = world.sendLog.findIndex((entry) => entry.transport === writer.transport && entry.frame.includes('"Transition"'));
    const lastViewerAt = world.sendLog.findLastIndex((entry) => viewers.some((v) => v.transport === entry.transport));
    expect(confirmedAt).toBeGreaterThan(0);
    expect(confirmedAt).toBeLessThan(lastViewerAt);
  });

  it("confirms a mutation that changed no subscribed query with an empty Transition", async () => {
    const world = new World();
    const client = world.connect();
    client.send(CONNECT);
    client.subscribe(0, "counter:get", { name: "a" });
    await until(() => client.transport.transitions().length === 1);
    client.mutate(0, "counter:increment", { name: "other" });
    await until(() => client.transport.transitions().length === 2);
    const second = client.transport.transitions()[1];
    expect(second.modifications).toEqual([]);
    expect(second.endVersion.ts).toBe(1001n);
  });

  it("does not re-send a result that a re-run left unchanged", async () => {
    const world = new World();
    const client = world.connect();
    client.send(CONNECT);
    client.subscribe(0, "counter:get", { name: "a" });
    client.mutate(0, "counter:set", { name: "a", value: 5 });
    await until(() => client.views().at(-1)?.values.get(0) === 5);
    const before = client.transport.transitions().length;
    client.mutate(1, "counter:set", { name: "a", value: 5 });
    await until(() => client.transport.transitions().at(-1)!.endVersion.ts === 1002n);
    const last = client.transport.transitions().slice(before);
    expect(last.flatMap((t) => t.modifications)).toEqual([]);
    expect(world.counters.queryRunsUnchanged).toBe(1);
  });

  it("never shows a result at a ts past a commit that landed while it was being computed", async () => {
    const world = new World();
    const client = world.connect();
    client.send(CONNECT);
    client.subscribe(0, "counter:get", { name: "a" });
    await until(() => client.transport.transitions().length === 1);

    const release = world.engine.holdQueries();
    client.mutate(0, "counter:increment", { name: "a" }); // commit 1001
    await until(() => world.engine.queryRuns.get("counter:get") === 2, "the re-run at snapshot 1001 to start");
    client.mutate(1, "counter:increment", { name: "a" }); // commit 1002 while that re-run is in flight
    await until(() => world.engine.latestTs === 1002n, "the second commit");
    release();
    await until(() => client.views().at(-1)?.values.get(0) === 2, "the final value");

    const truth = new Map([
      [1000n, 0],
      [1001n, 1],
      [1002n, 2],
    ]);
    for (const view of client.views()) expect(view.values.get(0)).toBe(truth.get(view.ts));
  });

  it("closes with a protocol error when ModifyQuerySet does not start at the current version", async () => {
    const world = new World();
    const client = world.connect();
    client.send({ type: "ModifyQuerySet", baseVersion: 3, newVersion: 4, modifications: [] });
    await until(() => client.transport.closed !== null);
    expect(client.transport.closed).toEqual({
      code: 1002,
      reason: "ProtocolError: ModifyQuerySet from version 3 to 4, but the query set is at version 0.",
    });
  });

  it("closes with a protocol error when a queryId is added twice", async () => {
    const world = new World();
    const client = world.connect();
    client.subscribe(0, "counter:get", { name: "a" });
    client.subscribe(0, "counter:get", { name: "b" }, 1);
    await until(() => client.transport.closed !== null);
    expect(client.transport.closed?.reason).toBe("ProtocolError: Query 0 was added twice.");
    expect(world.hub.size).toBe(0);
  });

  it("answers a malformed frame with FatalError and a close without status", () => {
    const world = new World();
    const client = world.connect();
    client.connection.receive('{"type":"Mutation","requestId":"seven"}');
    expect(client.transport.messages()).toEqual([
      { type: "FatalError", error: expect.stringMatching(/Mutation.requestId must be a non-negative integer/) },
    ]);
    expect(client.transport.closed).toEqual({ code: null, reason: "" });
    expect(world.counters.malformedFrames).toBe(1);
  });

  it("answers a bad token with AuthError (authUpdateAttempted, the client's base version) and closes", async () => {
    const world = new World();
    const client = world.connect();
    client.send({ type: "Authenticate", tokenType: "User", value: "forged", baseVersion: 0 });
    await until(() => client.transport.closed !== null);
    expect(client.transport.messages()).toEqual([
      { type: "AuthError", error: expect.stringMatching(/token/), baseVersion: 0, authUpdateAttempted: true },
    ]);
    expect(client.transport.closed?.code).toBeNull();
  });

  it("re-runs subscribed queries as the new identity and bumps the identity version", async () => {
    const world = new World();
    const client = world.connect();
    client.send(CONNECT);
    client.subscribe(0, "counter:whoami", {});
    await until(() => client.transport.transitions().length === 1);
    client.send({ type: "Authenticate", tokenType: "User", value: "good:alice", baseVersion: 0 });
    await until(() => client.transport.transitions().length === 2);
    const second = client.transport.transitions()[1];
    expect(second.endVersion.identity).toBe(1);
    expect(second.modifications).toEqual([{ type: "QueryUpdated", queryId: 0, value: "alice", logLines: [], journal: null }]);
  });

  it("lets the admin key act as a user", async () => {
    const world = new World();
    const client = world.connect();
    client.send({
      type: "Authenticate",
      tokenType: "Admin",
      value: ADMIN_KEY,
      baseVersion: 0,
      impersonating: { subject: "carol", issuer: "https://auth.test" },
    });
    client.subscribe(0, "counter:whoami", {});
    await until(() => client.transport.transitions().length === 1);
    expect(client.transport.transitions()[0].modifications[0]).toMatchObject({ value: "admin as carol" });
  });

  it("sends AuthError without authUpdateAttempted once the identity expires", async () => {
    const world = new World();
    const client = world.connect();
    client.send({ type: "Authenticate", tokenType: "User", value: "short:bob:60000", baseVersion: 0 });
    await until(() => client.transport.transitions().length === 1);
    world.clockOffsetMs = 61_000;
    client.connection.tick(Date.now() + world.clockOffsetMs);
    expect(client.transport.messages().at(-1)).toEqual({
      type: "AuthError",
      error: "The auth token expired.",
      baseVersion: 1,
      authUpdateAttempted: false,
    });
    expect(client.transport.closed?.code).toBeNull();
  });

  it("answers a mutation re-sent under the same session from memory instead of running it again", async () => {
    const world = new World();
    const first = world.connect();
    first.send(CONNECT);
    first.mutate(7, "counter:increment", { name: "a" });
    await until(() => first.transport.messages().some((m) => m.type === "MutationResponse"));
    first.connection.peerClosed();

    const second = world.connect();
    second.send({ ...CONNECT, connectionCount: 1 });
    second.mutate(7, "counter:increment", { name: "a" });
    await until(() => second.transport.transitions().length === 1);
    const responses = [first, second].map((c) => c.transport.messages().find((m) => m.type === "MutationResponse"));
    expect(responses[1]).toEqual(responses[0]);
    expect(world.engine.mutationRuns.get("counter:increment")).toBe(1);
    expect(second.transport.transitions()[0].endVersion.ts).toBe(1001n);
  });

  it("holds Transitions back while the socket is not draining, then sends one with the latest state", async () => {
    const world = new World({ sendHighWaterBytes: 1000, sendLowWaterBytes: 100 });
    const viewer = world.connect();
    viewer.send(CONNECT);
    viewer.subscribe(0, "counter:get", { name: "a" });
    await until(() => viewer.transport.transitions().length === 1);

    viewer.transport.buffered = 5000;
    const writer = world.connect();
    for (let i = 0; i < 3; i += 1) writer.mutate(i, "counter:increment", { name: "a" });
    await until(() => world.engine.value("a") === 3);
    await settle();
    expect(viewer.transport.transitions()).toHaveLength(1);
    expect(world.counters.transitionsCoalesced).toBeGreaterThan(0);

    viewer.transport.buffered = 0;
    viewer.connection.written();
    await until(() => viewer.transport.transitions().length === 2);
    await settle();
    expect(viewer.transport.transitions()).toHaveLength(2);
    expect(viewer.views().at(-1)?.values.get(0)).toBe(3);
  });

  it("closes a consumer stuck above the high-water mark for longer than the timeout", async () => {
    const world = new World({ sendHighWaterBytes: 1000, sendLowWaterBytes: 100, slowConsumerTimeoutMs: 30_000 });
    const viewer = world.connect();
    viewer.subscribe(0, "counter:get", { name: "a" });
    viewer.transport.buffered = 5000;
    await settle();
    viewer.connection.tick(Date.now() + 29_000);
    expect(viewer.transport.closed).toBeNull();
    viewer.connection.tick(Date.now() + 31_000);
    expect(viewer.transport.closed).toEqual({ code: 1008, reason: "SlowConsumer: the client stopped draining" });
    expect(world.counters.slowConsumersClosed).toBe(1);
  });

  it("pings a connection that has been idle for the ping interval, and only then", () => {
    const world = new World({ pingIntervalMs: 15_000 });
    const client = world.connect();
    client.connection.tick(Date.now() + 14_000);
    expect(client.transport.frames).toEqual([]);
    client.connection.tick(Date.now() + 16_000);
    expect(client.transport.messages()).toEqual([{ type: "Ping" }]);
  });

  it("tells the client a removed query is gone and drops the shared query", async () => {
    const world = new World();
    const client = world.connect();
    client.subscribe(0, "counter:get", { name: "a" });
    await until(() => client.transport.transitions().length === 1);
    client.send({ type: "ModifyQuerySet", baseVersion: 1, newVersion: 2, modifications: [{ type: "Remove", queryId: 0 }] });
    await until(() => client.transport.transitions().length === 2);
    expect(client.transport.transitions()[1].modifications).toEqual([{ type: "QueryRemoved", queryId: 0 }]);
    expect(world.hub.size).toBe(0);
  });

  it("turns an engine that throws into a failed response for that request only", async () => {
    const world = new World();
    world.engine.runMutation = async () => {
      throw new Error("engine bug");
    };
    const client = world.connect();
    client.mutate(0, "counter:increment", { name: "a" });
    await until(() => client.transport.messages().length === 1);
    expect(client.transport.messages()[0]).toMatchObject({ type: "MutationResponse", success: false, result: "Server Error" });
    expect(client.connection.isOpen).toBe(true);
  });

  it("answers a query with malformed args with QueryFailed instead of dropping the connection", async () => {
    const world = new World();
    const client = world.connect();
    client.send({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [{ type: "Add", queryId: 0, udfPath: "counter:get", args: [1, 2] }],
    });
    await until(() => client.transport.transitions().length === 1);
    const [transition] = client.transport.transitions() as [Transition];
    expect(transition.modifications[0]).toMatchObject({ type: "QueryFailed", errorMessage: expect.stringMatching(/args/) });
  });

  it("closes with a protocol error when Authenticate does not start at the current identity version", async () => {
    const world = new World();
    const client = world.connect();
    client.send({ type: "Authenticate", tokenType: "None", baseVersion: 2 });
    await until(() => client.transport.closed !== null);
    expect(client.transport.closed).toEqual({
      code: 1002,
      reason: "ProtocolError: Authenticate from identity version 2, but the identity is at version 0.",
    });
  });

  it("closes a connection that queues more mutations than the limit, asking it to back off", async () => {
    const world = new World({ maxPendingMutations: 2 });
    world.engine.runMutation = () => new Promise(() => {});
    const client = world.connect();
    for (let i = 0; i < 4; i += 1) client.mutate(i, "counter:increment", { name: "a" });
    await until(() => client.transport.closed !== null);
    expect(client.transport.closed).toEqual({
      code: 1013,
      reason: "TooManyConcurrentRequests: more than 2 pending mutations on one WebSocket",
    });
  });
});
