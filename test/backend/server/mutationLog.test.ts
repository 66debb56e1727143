import { describe, expect, it } from "vitest";
import { MutationLog } from "../../../src/backend/server/mutationLog.ts";
import type { MutationResponse } from "../../../src/protocol/sync/index.ts";

function response(requestId: number): Promise<MutationResponse> {
  return Promise.resolve({ type: "MutationResponse", requestId, success: true, result: requestId, ts: 1n, logLines: [] });
}

describe("the mutation log", () => {
  it("runs a (session, request) once and replays the same response after that", async () => {
    const log = new MutationLog({ perSession: 10, total: 100, sessionIdleTtlMs: 1000 }, () => 0);
    let runs = 0;
    const execute = () => {
      runs += 1;
      return response(1);
    };
    const first = log.runOnce("s", 1, execute);
    const again = log.runOnce("s", 1, execute);
    expect(first.replayed).toBe(false);
    expect(again.replayed).toBe(true);
    expect(await again.response).toEqual(await first.response);
    expect(runs).toBe(1);
    expect(log.runOnce("other", 1, execute).replayed).toBe(false);
  });

  it("shares a run still in flight with a re-sent request", () => {
    const log = new MutationLog({ perSession: 10, total: 100, sessionIdleTtlMs: 1000 }, () => 0);
    const pending = new Promise<MutationResponse>(() => {});
    log.runOnce("s", 1, () => pending);
    expect(log.runOnce("s", 1, () => response(1)).response).toBe(pending);
  });

  it("keeps at most perSession results per session, dropping the oldest", () => {
    const log = new MutationLog({ perSession: 3, total: 100, sessionIdleTtlMs: 1000 }, () => 0);
    for (let id = 0; id < 5; id += 1) log.runOnce("s", id, () => response(id));
    expect(log.size).toBe(3);
    expect(log.runOnce("s", 0, () => response(0)).replayed).toBe(false);
    expect(log.runOnce("s", 4, () => response(4)).replayed).toBe(true);
  });

  it("stays under the total by forgetting the least recently active sessions", () => {
    const log = new MutationLog({ perSession: 10, total: 6, sessionIdleTtlMs: 1000 }, () => 0);
    for (const session of ["a", "b", "c", "d"]) for (let id = 0; id < 2; id += 1) log.runOnce(session, id, () => response(id));
    expect(log.size).toBeLessThanOrEqual(6);
    expect(log.runOnce("d", 1, () => response(1)).replayed).toBe(true);
    expect(log.runOnce("a", 0, () => response(0)).replayed).toBe(false);
  });

  it("forgets sessions idle for longer than the TTL", () => {
    let now = 0;
    const log = new MutationLog({ perSession: 10, total: 100, sessionIdleTtlMs: 1000 }, () => now);
    log.runOnce("old", 1, () => response(1));
    now = 900;
    log.runOnce("recent", 1, () => response(1));
    now = 1500;
    log.sweep();
    expect(log.size).toBe(1);
    expect(log.runOnce("recent", 1, () => response(1)).replayed).toBe(true);
  });
});
