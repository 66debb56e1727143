// The timer queue reports how late each entry woke: the generator's own
// share of every latency measured from an intended time.
import { describe, expect, it } from "vitest";
import { systemClock } from "../../src/load/clock.ts";
import { TimerQueue } from "../../src/load/timerQueue.ts";
import { blockEventLoop } from "../support/blockEventLoop.ts";

describe("TimerQueue lateness", () => {
  it("reports, for each entry it runs, how long after its time it woke", async () => {
    const late: number[] = [];
    const queue = new TimerQueue(systemClock, (lateMs) => late.push(lateMs));
    const ran: number[] = [];
    const done = new Promise<void>((resolve) => {
      const start = systemClock.nowMs();
      queue.at(start + 5, (intended) => ran.push(intended));
      queue.at(start + 10, (intended) => {
        ran.push(intended);
        resolve();
      });
      // Both fall due while the loop is busy: they run late, and say by how much.
      blockEventLoop(60);
    });
    await done;
    expect(ran).toHaveLength(2);
    expect(late).toHaveLength(2);
    expect(late[0]).toBeGreaterThanOrEqual(50);
    expect(late[1]).toBeGreaterThanOrEqual(45);
    expect(late[0] - late[1]).toBeCloseTo(5, 0);
  });

  it("does not count entries woken early by fireAll (an aborted run)", () => {
    const late: number[] = [];
    const queue = new TimerQueue(systemClock, (lateMs) => late.push(lateMs));
    let ran = 0;
    queue.at(systemClock.nowMs() + 60_000, () => ran++);
    queue.fireAll();
    expect(ran).toBe(1);
    expect(late).toEqual([]);
    queue.close();
  });
});
