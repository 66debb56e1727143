// A function that never finishes (it awaits a promise nothing settles) is
// stopped at Convex's 1 s limit with a clear timeout error, and the backend
// goes on serving everyone else meanwhile and afterwards.
import { anyApi } from "convex/server";
import { describe, expect, it } from "vitest";
import { eventually, firstError, rejectionOf, useConformance } from "./harness.ts";

const api = anyApi;

const t = useConformance({ app: "fixture" });

const TIMEOUT_MESSAGE = /Function execution timed out \(maximum duration: 1s\)/;

// Concurrent: each waits out the 1 s limit, and they must not disturb one another either.
describe.concurrent("functions that hang", () => {
  it("a subscribed query that never returns fails with a timeout while other clients are served", async () => {
    const bystander = t.client();
    await bystander.mutation(api.counters.create, { name: "meanwhile" });
    let latest: number | null | undefined;
    bystander.onUpdate(api.counters.get, { name: "meanwhile" }, (value: number | null) => (latest = value));
    await eventually(() => latest === 0, "the bystander's first result");

    const started = Date.now();
    const hanging = t.client();
    const failure = firstError((onValue, onError) => hanging.onUpdate(api.failures.hang, {}, onValue, onError));

    // While the query hangs, another client's writes and subscription go through.
    await bystander.mutation(api.counters.increment, { name: "meanwhile" });
    await eventually(() => latest === 1, "the bystander's update while the query hangs");
    expect(Date.now() - started).toBeLessThan(900);

    const error = await failure;
    expect(error.message).toMatch(TIMEOUT_MESSAGE);
    expect(Date.now() - started).toBeGreaterThanOrEqual(990);
  });

  it("a one-shot query that never returns fails with a timeout over HTTP", async () => {
    const error = await rejectionOf(t.http().query(api.failures.hang, {}));
    expect(error.message).toMatch(TIMEOUT_MESSAGE);
    await expect(t.http().query(api.failures.typed, { count: 2, label: "after" })).resolves.toBe("after:2");
  });

  it("a mutation that never returns fails with a timeout and the connection carries on", async () => {
    const client = t.client();
    const error = await rejectionOf(client.mutation(api.failures.hangMutation, {}));
    expect(error.message).toMatch(TIMEOUT_MESSAGE);
    // The same connection runs its next mutation.
    await expect(client.mutation(api.entries.append, { stream: "after-hang", seq: 1 })).resolves.toBe(1);
    expect(client.connectionState().connectionCount).toBe(1);
  });
});
