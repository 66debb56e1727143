import { describe, expect, it } from "vitest";
import { client, startEngine } from "./harness.ts";

type Job = { name: string; state: string; scheduledTime: number };
type Event = { at: number; note: string | null };

describe("the scheduler under the virtual clock", () => {
  it("runs a scheduled mutation only once clock.advance() passes its time", async () => {
    const engine = await startEngine();
    const c = client(engine);
    const start = engine.clock.now();
    const jobId = await c.mutation("scheduling:later", { delayMs: 5000, note: "five seconds" });
    expect(await c.query("scheduling:jobs")).toEqual([{ name: "scheduling:record", state: "pending", scheduledTime: start + 5000 }]);

    await engine.clock.advance(4999);
    expect(await c.query("scheduling:events", { kind: "scheduled" })).toEqual([]);
    await engine.clock.advance(1);
    // The scheduled mutation saw the clock at its scheduled time.
    expect(await c.query("scheduling:events", { kind: "scheduled" })).toEqual([{ at: start + 5000, note: "five seconds" }]);
    const [job] = (await c.query("scheduling:jobs")) as Job[];
    expect(job.state).toBe("success");
    expect(jobId).toEqual(expect.any(String));
    await engine.close();
  });

  it("fires due jobs in time order", async () => {
    const engine = await startEngine();
    const c = client(engine);
    await c.mutation("scheduling:later", { delayMs: 3000, note: "third" });
    await c.mutation("scheduling:later", { delayMs: 1000, note: "first" });
    await c.mutation("scheduling:later", { delayMs: 2000, note: "second" });
    await engine.clock.advance(10_000);
    const events = (await c.query("scheduling:events", { kind: "scheduled" })) as Event[];
    expect(events.map((e) => e.note)).toEqual(["first", "second", "third"]);
    await engine.close();
  });

  it("schedules nothing when the scheduling mutation fails", async () => {
    const engine = await startEngine();
    const c = client(engine);
    await c.mutationError("scheduling:laterThenFail");
    await engine.clock.advance(1000);
    expect(await c.query("scheduling:jobs")).toEqual([]);
    expect(await c.query("scheduling:events", { kind: "scheduled" })).toEqual([]);
    await engine.close();
  });

  it("never runs a canceled job", async () => {
    const engine = await startEngine();
    const c = client(engine);
    await c.mutation("scheduling:scheduleAndCancel");
    await engine.clock.advance(5000);
    expect(((await c.query("scheduling:jobs")) as Job[]).map((j) => j.state)).toEqual(["canceled"]);
    expect(await c.query("scheduling:events", { kind: "scheduled" })).toEqual([]);
    await engine.close();
  });

  it("runs scheduled actions at most once and records how they ended", async () => {
    const engine = await startEngine();
    const c = client(engine);
    await c.mutation("nested:scheduleActions");
    await engine.clock.advance(150);
    expect(((await c.query("scheduling:jobs")) as Job[]).map((j) => j.state)).toEqual(["success", "pending"]);
    await engine.clock.advance(100);
    expect(((await c.query("scheduling:jobs")) as Job[]).map((j) => j.state)).toEqual(["success", "failed"]);
    await engine.close();
  });

  it("runs crons on their schedule as the clock advances", async () => {
    const engine = await startEngine();
    const c = client(engine);
    const start = engine.clock.now();
    await engine.clock.advance(3 * 60_000 + 1);
    const ticks = ((await c.query("scheduling:events", { kind: "cron" })) as Event[]).filter((e) => e.note === "interval");
    expect(ticks.map((t) => t.at)).toEqual([start + 60_000, start + 120_000, start + 180_000]);
    await engine.clock.advance(57 * 60_000 - 1); // (start, start + 1 h] holds exactly one top of the hour
    const end = engine.clock.now();
    const hour = 60 * 60_000;
    const expected: number[] = [];
    for (let mark = Math.floor(start / hour) * hour + hour; mark <= end; mark += hour) expected.push(mark);
    expect(expected).toHaveLength(1);
    const hourly = ((await c.query("scheduling:events", { kind: "cron" })) as Event[]).filter((e) => e.note === "cron");
    expect(hourly.map((e) => e.at)).toEqual(expected);
    expect(engine.cronHistory.every((run) => run.ok)).toBe(true);
    await engine.close();
  });
});

describe("time inside functions", () => {
  it("follows the virtual clock and is frozen for the length of a mutation", async () => {
    const engine = await startEngine();
    const c = client(engine);
    const t0 = engine.clock.now();
    expect(await c.query("time:now")).toEqual({ now: t0, date: t0 });
    await engine.clock.advance(120_000);
    expect(await c.query("time:now")).toEqual({ now: t0 + 120_000, date: t0 + 120_000 });
    const { first, second } = (await c.mutation("time:frozen")) as { first: number; second: number };
    expect(second).toBe(first);
    // Outside functions, Date is the real clock again.
    expect(Math.abs(Date.now() - t0)).toBeLessThan(60_000);
    await engine.close();
  });

  it("is the wall clock, still frozen per mutation, in real mode", async () => {
    const engine = await startEngine({ clock: "real" });
    const c = client(engine);
    const { first, second } = (await c.mutation("time:frozen")) as { first: number; second: number };
    expect(second).toBe(first);
    expect(Math.abs(first - Date.now())).toBeLessThan(5_000);
    await engine.close();
  });
});
