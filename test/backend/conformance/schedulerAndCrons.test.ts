// Scheduled functions and crons under the virtual clock, moved only through
// the admin endpoint (POST /api/csn-rt/clock/advance): nothing fires early,
// everything due fires on time, and the CSN app's cleanup cron retires
// viewer sessions whose heartbeats stopped.
import type { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { api } from "../../../convex/_generated/api";
import { eventually, seedGame, useConformance } from "./harness.ts";

const MINUTE = 60_000;

describe("the scheduler under the virtual clock", () => {
  const t = useConformance({ app: "fixture", clock: "virtual" });

  it("a function scheduled a minute ahead runs when the clock reaches it, not before", async () => {
    const client = t.client();
    let events: Array<{ note: string; at: number }> | undefined;
    client.onUpdate(anyApi.scheduling.events, { kind: "scheduled" }, (value: typeof events) => (events = value));
    await eventually(() => events !== undefined, "the first result");

    const scheduledAt = await client.query(anyApi.scheduling.now, {});
    await client.mutation(anyApi.scheduling.later, { delayMs: MINUTE, note: "a minute later" });
    await t.advanceClock(MINUTE - 1);
    await expect(t.http().query(anyApi.scheduling.events, { kind: "scheduled" })).resolves.toEqual([]);

    const now = await t.advanceClock(1);
    expect(now).toBe(scheduledAt + MINUTE);
    await eventually(() => events?.length === 1, "the scheduled function's write to reach the subscriber");
    // Date.now() inside the scheduled function is the virtual time it was due at.
    expect(events).toEqual([{ note: "a minute later", at: scheduledAt + MINUTE }]);
  });

  // As on Convex (and with --clock real): a job due now runs right after the
  // commit that scheduled it, without anyone moving the virtual clock.
  it("a function scheduled to run now runs without the clock being moved", async () => {
    const client = t.client();
    let events: Array<{ note: string; at: number }> | undefined;
    client.onUpdate(anyApi.scheduling.events, { kind: "scheduled" }, (value: typeof events) => (events = value));
    await eventually(() => events !== undefined, "the first result");
    const before = events!.length;

    await client.mutation(anyApi.scheduling.later, { delayMs: 0, note: "right away" });
    await eventually(() => events!.length === before + 1, "the job due now to run", 2_000);
    expect(events!.at(-1)?.note).toBe("right away");
  });
});

describe("the CSN app's cleanup cron under the virtual clock", () => {
  const t = useConformance({ app: "csn", clock: "virtual" });

  it("retires sessions without a heartbeat for over 2 minutes and keeps the one that heartbeats", async () => {
    const gameId = await seedGame(t);
    const join = async (client: ConvexClient) =>
      (await client.mutation(api.liveSessions.joinStream, { gameId, deviceType: "web" })).sessionId;
    const faithful = t.client();
    const faithfulSession = await join(faithful);
    await join(t.client());
    await join(t.client());

    let count: number | undefined;
    t.client().onUpdate(api.liveSessions.getViewerCount, { gameId }, (value) => (count = value));
    await eventually(() => count === 3, "three viewers counted");

    for (let minute = 1; minute <= 2; minute++) {
      await t.advanceClock(MINUTE);
      await faithful.mutation(api.liveSessions.heartbeat, { sessionId: faithfulSession });
    }
    // Two minutes without a heartbeat is not yet "more than 2 minutes".
    await expect(t.http().query(api.liveSessions.getViewerCount, { gameId })).resolves.toBe(3);

    await t.advanceClock(MINUTE);
    await eventually(() => count === 1, "the two silent sessions to be retired");
    await expect(t.http().query(api.liveSessions.getViewerCount, { gameId })).resolves.toBe(1);
    // The faithful viewer's session is still live: its heartbeat is accepted.
    await expect(faithful.mutation(api.liveSessions.heartbeat, { sessionId: faithfulSession })).resolves.toBeNull();
  });
});
