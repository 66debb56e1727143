// The flush scheduler's promise: a large fan-out is flushed in slices, and a
// connection someone waits on (a mutation's writer) is flushed between
// slices instead of after the whole fan-out.
import { afterEach, describe, expect, it } from "vitest";
import { FlushScheduler, type Flushable } from "../../../src/backend/server/flushScheduler.ts";
import { settle, until } from "./scriptedSocket.ts";

let stopAfterTest: FlushScheduler | undefined;
afterEach(() => stopAfterTest?.stop());

/** Every flush takes 1 ms on this clock. */
function setup(sliceMs: number) {
  let now = 0;
  const order: string[] = [];
  const scheduler = new FlushScheduler(sliceMs, () => now);
  stopAfterTest = scheduler;
  const connection = (name: string, urgent = false): Flushable & { urgent: boolean } => ({
    urgent,
    flush() {
      now += 1;
      order.push(name);
    },
  });
  /** The flush order once `count` flushes happened and a couple more turns brought no more. */
  const settledOrder = async (count: number) => {
    await until(() => order.length >= count);
    await settle(2);
    return order;
  };
  return { scheduler, order, connection, settledOrder };
}

describe("FlushScheduler", () => {
  it("flushes fan-out first and waiting writers right after, in the same turn", async () => {
    const s = setup(4);
    const writer = s.connection("writer", true);
    s.scheduler.markDirty(writer);
    s.scheduler.markDirty(s.connection("viewer"));
    await until(() => s.order.length === 2);
    expect(s.order).toEqual(["viewer", "writer"]);
  });

  it("spreads a large fan-out over several turns and lets a writer in between slices", async () => {
    const s = setup(4);
    for (let i = 0; i < 200; i++) s.scheduler.markDirty(s.connection(`v${i}`));
    await until(() => s.order.length > 0);
    const firstSlice = s.order.length;
    expect(firstSlice).toBeLessThan(200);
    s.scheduler.markDirty(s.connection("writer", true));
    await until(() => s.order.length === 201);
    // Fan-out is behind, so the writer goes before the next slice, not after it.
    expect(s.order.indexOf("writer")).toBe(firstSlice);
    expect(s.order.filter((name) => name !== "writer")).toEqual(Array.from({ length: 200 }, (_, i) => `v${i}`));
  });

  it("flushes a connection once per turn when it is both fan-out and urgent", async () => {
    const s = setup(4);
    const both = s.connection("both");
    s.scheduler.markDirty(both);
    both.urgent = true;
    s.scheduler.markDirty(both);
    expect(await s.settledOrder(1)).toEqual(["both"]);
  });

  it("never flushes a forgotten connection, wherever it was queued", async () => {
    const s = setup(4);
    const closedViewer = s.connection("closed viewer");
    const closedWriter = s.connection("closed writer", true);
    const closedWaiter = s.connection("closed waiter", true);
    s.scheduler.markDirty(closedViewer);
    s.scheduler.markDirty(s.connection("viewer"));
    s.scheduler.markDirty(closedWriter);
    s.scheduler.waitForCommit(closedWaiter);
    for (const connection of [closedViewer, closedWriter, closedWaiter]) s.scheduler.forget(connection);
    s.scheduler.commitProcessed();
    expect(await s.settledOrder(1)).toEqual(["viewer"]);
  });

  it("flushes a connection again after it moved between the queues and was flushed", async () => {
    const s = setup(100);
    const moving = s.connection("moving");
    s.scheduler.markDirty(moving);
    moving.urgent = true;
    s.scheduler.markDirty(moving);
    await until(() => s.order.length === 1);
    moving.urgent = false;
    s.scheduler.markDirty(moving);
    s.scheduler.markDirty(s.connection("other"));
    expect(await s.settledOrder(3)).toEqual(["moving", "moving", "other"]);
  });

  it("wakes connections waiting for a commit when one is processed, and none after stop", async () => {
    const s = setup(4);
    s.scheduler.waitForCommit(s.connection("waiting", true));
    await settle(1);
    expect(s.order).toEqual([]);
    s.scheduler.commitProcessed();
    await until(() => s.order.length === 1);
    s.scheduler.waitForCommit(s.connection("late", true));
    s.scheduler.stop();
    s.scheduler.commitProcessed();
    s.scheduler.markDirty(s.connection("after stop"));
    await settle(2);
    expect(s.order).toEqual(["waiting"]);
  });
});
