// The tab's viewer session (web/src/live/streamSession.ts) under fake
// timers: when it heartbeats, what it does when a heartbeat is refused or
// stuck, and how it leaves. The browser suite runs the same class for real.
import { ConvexError } from "convex/values";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { HEARTBEAT_INTERVAL_MS } from "../../convex/liveSessions.ts";
import { HEARTBEAT_JITTER, nextHeartbeatDelay, StreamSession, type SessionCalls, type SessionStatus } from "../../web/src/live/streamSession.ts";

const SESSION_ID = "123e4567-e89b-42d3-a456-426614174000";

type Call = { name: "join" | "heartbeat" | "leave"; at: number; args: unknown };

function harness(options: { random?: () => number; heartbeat?: () => Promise<null> } = {}) {
  const calls: Call[] = [];
  const statuses: SessionStatus[] = [];
  const record = (name: Call["name"]) => (args: unknown) => calls.push({ name, at: Date.now(), args });
  const api: SessionCalls = {
    join: async (args) => (record("join")(args), { sessionId: args.sessionId }),
    heartbeat: async (args) => (record("heartbeat")(args), options.heartbeat ? options.heartbeat() : null),
    leave: async (args) => (record("leave")(args), null),
  };
  const session = new StreamSession({
    gameId: "game",
    deviceType: "web",
    intervalMs: HEARTBEAT_INTERVAL_MS,
    sessionId: SESSION_ID,
    calls: api,
    timers: { setTimeout: (fn, ms) => setTimeout(fn, ms), clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>), random: options.random ?? (() => 0.5) },
    onStatus: (status) => statuses.push(status),
  });
  const named = (name: Call["name"]) => calls.filter((c) => c.name === name);
  return { session, calls, statuses, named };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => vi.useRealTimers());

describe("heartbeat schedule", () => {
  test("the jitter keeps each delay within ±10 % of the interval", () => {
    expect(HEARTBEAT_JITTER).toBe(0.1);
    expect(nextHeartbeatDelay(30_000, 0)).toBe(27_000);
    expect(nextHeartbeatDelay(30_000, 0.5)).toBe(30_000);
    expect(nextHeartbeatDelay(30_000, 0.999999)).toBe(33_000);
  });

  test("joins with the tab's session id, then heartbeats every interval", async () => {
    const { session, named, statuses } = harness();
    session.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(named("join").map((c) => c.args)).toEqual([{ gameId: "game", deviceType: "web", sessionId: SESSION_ID }]);
    await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_INTERVAL_MS);
    expect(named("heartbeat").map((c) => c.at)).toEqual([30_000, 60_000, 90_000]);
    expect(statuses).toEqual(["joining", "watching"]);
  });

  test("tabs with different random draws spread their heartbeats apart", async () => {
    const early = harness({ random: () => 0 });
    const late = harness({ random: () => 0.99 });
    early.session.start();
    late.session.start();
    await vi.advanceTimersByTimeAsync(70_000);
    expect(early.named("heartbeat").map((c) => c.at)).toEqual([27_000, 54_000]);
    expect(late.named("heartbeat").map((c) => c.at)).toEqual([32_940, 65_880]);
  });
});

describe("failing heartbeats", () => {
  test("a heartbeat refused with SessionInactive re-joins with the same session id and carries on", async () => {
    let refuse = true;
    const { session, named, statuses } = harness({
      heartbeat: async () => {
        if (refuse) {
          refuse = false;
          throw new ConvexError({ kind: "SessionInactive", message: "no heartbeat for 2 minutes" });
        }
        return null;
      },
    });
    session.start();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    expect(named("join").map((c) => (c.args as { sessionId: string }).sessionId)).toEqual([SESSION_ID, SESSION_ID]);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    expect(named("heartbeat")).toHaveLength(2);
    expect(statuses).toEqual(["joining", "watching", "rejoining", "watching"]);
  });

  test("a heartbeat still in flight (connection down) is not stacked with more", async () => {
    const { session, named } = harness({ heartbeat: () => new Promise<null>(() => {}) });
    session.start();
    await vi.advanceTimersByTimeAsync(5 * HEARTBEAT_INTERVAL_MS);
    expect(named("heartbeat")).toHaveLength(1);
  });

  test("any other failure keeps the schedule: the next heartbeat tries again", async () => {
    const { session, named } = harness({ heartbeat: async () => Promise.reject(new Error("server error")) });
    session.start();
    await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_INTERVAL_MS);
    expect(named("heartbeat")).toHaveLength(3);
    expect(named("join")).toHaveLength(1);
  });
});

describe("leaving", () => {
  test("leave (pagehide) sends one leave and stops the heartbeats; a second leave sends nothing", async () => {
    const { session, named, statuses } = harness();
    session.start();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    session.leave();
    session.leave();
    await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_INTERVAL_MS);
    expect(named("leave")).toHaveLength(1);
    expect(named("heartbeat")).toHaveLength(1);
    expect(statuses.at(-1)).toBe("left");
  });

  test("a tab restored from the back/forward cache (pageshow) re-joins as the same session", async () => {
    const { session, named } = harness();
    session.start();
    await vi.advanceTimersByTimeAsync(0);
    session.leave();
    session.start();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    expect(named("join").map((c) => (c.args as { sessionId: string }).sessionId)).toEqual([SESSION_ID, SESSION_ID]);
    expect(named("heartbeat")).toHaveLength(1);
  });

  test("leaving while the join is still on its way schedules no heartbeat afterwards", async () => {
    const { session, named } = harness();
    session.start();
    session.leave();
    await vi.advanceTimersByTimeAsync(3 * HEARTBEAT_INTERVAL_MS);
    expect(named("join")).toHaveLength(1);
    expect(named("leave")).toHaveLength(1);
    expect(named("heartbeat")).toHaveLength(0);
  });
});
