// A function stuck in a synchronous loop holds the one thread every other
// request needs, so no timer can stop it: `csn-rt serve` instruments the
// functions folder's loops as it loads them (engine/runtime/loopGuard/).
// That happens only under the real command, so this suite starts it as a
// child process and drives it with the official clients.
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { anyApi } from "convex/server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServe, type ServedBackend } from "../../support/cli.ts";
import { eventually, FIXTURE_APP, rejectionOf } from "./harness.ts";

const api = anyApi;
const TIMEOUT_MESSAGE = /Function execution timed out \(maximum duration: 1s\)/;

describe("functions stuck in a synchronous loop, under csn-rt serve", () => {
  let serve: ServedBackend;
  const clients: ConvexClient[] = [];

  beforeAll(async () => {
    serve = await startServe(["--functions", FIXTURE_APP]);
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    // A server still stuck in a loop cannot hear SIGTERM: kill it rather than leave it spinning.
    const exit = await Promise.race([serve.stop(), new Promise<"stuck">((done) => setTimeout(() => done("stuck"), 5_000))]);
    if (exit === "stuck") await serve.kill9();
    expect(exit).toBe(0);
    expect(serve.cli.stderr).not.toMatch(/internal error/);
  });

  it("a query looping forever fails with the timeout error at the 1 s limit, and the next request is served", async () => {
    const http = new ConvexHttpClient(serve.url);
    const started = Date.now();
    const error = await rejectionOf(http.query(api.failures.spin, {}));
    const elapsed = Date.now() - started;
    expect(error.message).toMatch(TIMEOUT_MESSAGE);
    expect(elapsed).toBeGreaterThanOrEqual(990);
    expect(elapsed).toBeLessThan(10_000);
    await expect(http.query(api.failures.typed, { count: 3, label: "next" })).resolves.toBe("next:3");
  });

  it("a mutation looping in a helper that catches every error still fails, its write is not committed, and subscribers carry on", async () => {
    const watcher = new ConvexClient(serve.url);
    const writer = new ConvexClient(serve.url);
    clients.push(watcher, writer);
    let seen: number[] | undefined;
    watcher.onUpdate(api.entries.list, { stream: "after-loop" }, (value: number[]) => (seen = value));
    await eventually(() => seen !== undefined && seen.length === 0, "the watcher's first result");

    const error = await rejectionOf(writer.mutation(api.failures.spinAfterWrite, { stream: "looped" }));
    expect(error.message).toMatch(TIMEOUT_MESSAGE);
    expect(await new ConvexHttpClient(serve.url).query(api.entries.list, { stream: "looped" })).toEqual([]);

    // The same connection writes again, and the watcher sees it.
    await expect(writer.mutation(api.entries.append, { stream: "after-loop", seq: 1 })).resolves.toBe(1);
    await eventually(() => seen?.length === 1, "the watcher's update after the loop was stopped");
    expect(writer.connectionState().connectionCount).toBe(1);
  });
});
