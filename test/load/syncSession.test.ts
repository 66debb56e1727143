import { describe, expect, test } from "vitest";
import { decodeClientMessage, encodeServerMessage, type ClientMessage, type StateModification } from "../../src/protocol/sync/index.ts";
import { MutationError, SyncSession } from "../../src/load/sync/syncSession.ts";

function scripted() {
  const sent: ClientMessage[] = [];
  const transitions: { endTs: bigint; text: string; modifications?: readonly StateModification[] }[] = [];
  const errors: string[] = [];
  const session = new SyncSession("session-1", (text) => {
    const decoded = decodeClientMessage(text);
    if (!decoded.ok) throw new Error(decoded.error.message);
    sent.push(decoded.message);
  }, {
    onTransition: (endTs, result, modifications) => transitions.push({ endTs, text: result.text(), modifications }),
    onServerError: (kind, message) => errors.push(`${kind}: ${message}`),
  });
  return { session, sent, transitions, errors };
}

const version = (querySet: number, ts: bigint) => ({ querySet, identity: 0, ts });

function transition(fromTs: bigint, toTs: bigint, modifications: StateModification[] = []) {
  return encodeServerMessage({ type: "Transition", startVersion: version(0, fromTs), endVersion: version(1, toTs), modifications });
}

describe("the lean client's sync session", () => {
  test("opening sends Connect, Authenticate, the query set and waiting mutations, in that order", () => {
    const { session, sent } = scripted();
    session.setToken("jwt");
    session.addQuery("chat:listMessages", { gameId: "g" });
    void session.mutate("chat:sendMessage", { gameId: "g", message: "hi" }).catch(() => {});
    expect(sent).toEqual([]);
    session.onOpen();
    expect(sent.map((m) => m.type)).toEqual(["Connect", "Authenticate", "ModifyQuerySet", "Mutation"]);
    expect(sent[2]).toMatchObject({ baseVersion: 0, newVersion: 1, modifications: [{ type: "Add", queryId: 0, udfPath: "chat:listMessages", args: [{ gameId: "g" }] }] });
  });

  test("a mutation resolves only once a Transition reaches its commit ts", async () => {
    const { session } = scripted();
    session.onOpen();
    let settled = false;
    const result = session.mutate("liveSessions:heartbeat", { sessionId: "s" }).then((v) => {
      settled = true;
      return v;
    });
    session.onFrame(encodeServerMessage({ type: "MutationResponse", requestId: 0, success: true, result: null, ts: 10n, logLines: [] }));
    await Promise.resolve();
    expect(settled).toBe(false);
    session.onFrame(transition(0n, 9n));
    await Promise.resolve();
    expect(settled).toBe(false);
    session.onFrame(transition(9n, 10n));
    await expect(result).resolves.toEqual({ value: null, ts: 10n });
  });

  test("a refused mutation rejects with the error message and ConvexError data", async () => {
    const { session } = scripted();
    session.onOpen();
    const result = session.mutate("chat:sendMessage", {});
    session.onFrame(encodeServerMessage({ type: "MutationResponse", requestId: 0, success: false, result: "slow down", errorData: { kind: "RateLimited" }, logLines: [] }));
    const error = await result.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MutationError);
    expect((error as MutationError).failure).toEqual({ message: "slow down", data: { kind: "RateLimited" } });
  });

  test("after a reconnect, unanswered mutations are re-sent with their request ids and answered ones are not", () => {
    const { session, sent } = scripted();
    session.onOpen();
    session.addQuery("liveSessions:getViewerCount", { gameId: "g" });
    void session.mutate("a:answered", {});
    void session.mutate("a:unanswered", {});
    session.onFrame(encodeServerMessage({ type: "MutationResponse", requestId: 0, success: true, result: 1, ts: 50n, logLines: [] }));
    session.onClose("network");
    sent.length = 0;
    session.onOpen();
    expect(sent[0]).toMatchObject({ type: "Connect", sessionId: "session-1", connectionCount: 1, lastCloseReason: "network" });
    expect(sent[1]).toMatchObject({ type: "ModifyQuerySet", baseVersion: 0, newVersion: 1 });
    expect(sent.slice(2)).toEqual([{ type: "Mutation", requestId: 1, udfPath: "a:unanswered", args: [{}] }]);
  });

  test("large Transitions are scanned, not parsed, unless a subscriber needs values", () => {
    const { session, transitions } = scripted();
    session.onOpen();
    const bigValue = Array.from({ length: 100 }, (_, i) => ({ message: `csn-rt:run:0:${i}:123`, pad: "x".repeat(20) }));
    const frame = transition(0n, 7n, [{ type: "QueryUpdated", queryId: 0, value: bigValue, logLines: [], journal: null }]);
    expect(frame.length).toBeGreaterThan(2048);
    session.onFrame(frame);
    expect(transitions[0].endTs).toBe(7n);
    expect(transitions[0].modifications).toBeUndefined();
    expect(transitions[0].text).toContain("csn-rt:run:0:99:123");
    session.setDecodeTransitions(true);
    session.onFrame(transition(7n, 8n, [{ type: "QueryUpdated", queryId: 0, value: bigValue, logLines: [], journal: null }]));
    expect(transitions[1].modifications).toHaveLength(1);
  });

  test("a malformed frame and an AuthError reach the transport as errors", () => {
    const { session, errors } = scripted();
    session.onOpen();
    session.onFrame("{not json");
    session.onFrame(JSON.stringify({ type: "AuthError", error: "token expired", baseVersion: 0, authUpdateAttempted: true }));
    expect(errors[0]).toMatch(/^ProtocolError/);
    expect(errors[1]).toBe("AuthError: token expired");
  });
});
