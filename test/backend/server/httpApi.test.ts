// The HTTP API through the official ConvexHttpClient, and by hand for what
// the client never sends (bad bodies, unknown routes, the clock).
import { anyApi } from "convex/server";
import { afterEach, describe, expect, it } from "vitest";
import { encodeTs } from "../../../src/protocol/sync/index.ts";
import { ADMIN_KEY } from "./fakeEngine.ts";
import { startBackend, type Backend } from "./harness.ts";

const api = anyApi;
let backend: Backend;

afterEach(async () => {
  await backend?.close();
});

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${backend.server.url}${path}`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...headers },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

describe("the HTTP API with ConvexHttpClient", () => {
  it("runs queries and mutations", async () => {
    backend = await startBackend();
    const client = backend.httpClient();
    await expect(client.mutation(api.counter.increment, { name: "a", by: 2 })).resolves.toBe(2);
    await expect(client.query(api.counter.get, { name: "a" })).resolves.toBe(2);
    await expect(client.action(api.counter.echo, { x: 1 })).resolves.toEqual({ x: 1 });
  });

  it("throws a ConvexError carrying the function's error data", async () => {
    backend = await startBackend();
    await expect(backend.httpClient().mutation(api.counter.refuse, {})).rejects.toMatchObject({
      data: { kind: "refused", why: "because" },
    });
  });

  it("runs queries as the user of a valid bearer token", async () => {
    backend = await startBackend();
    const client = backend.httpClient();
    client.setAuth("good:dana");
    await expect(client.query(api.counter.whoami, {})).resolves.toBe("dana");
  });

  it("refuses a bad bearer token with 401 rather than running anonymously", async () => {
    backend = await startBackend();
    const client = backend.httpClient();
    client.setAuth("forged");
    await expect(client.query(api.counter.whoami, {})).rejects.toThrow(/Unauthenticated/);
    const response = await post("/api/query", { path: "counter:whoami", args: {} }, { Authorization: "Bearer forged" });
    expect(response.status).toBe(401);
  });

  it("lets only the admin key call internal functions, also acting as a user", async () => {
    backend = await startBackend();
    await expect(backend.httpClient().query(api.counter.secret, {})).rejects.toThrow(/Could not find public function/);
    const admin = backend.httpClient();
    (admin as unknown as { setAdminAuth(key: string, as?: object): void }).setAdminAuth(ADMIN_KEY);
    await expect(admin.query(api.counter.secret, {})).resolves.toBe(42);
    await expect(admin.mutation(api.counter.internalIncrement, { name: "z" })).resolves.toBe(1);
    (admin as unknown as { setAdminAuth(key: string, as?: object): void }).setAdminAuth(ADMIN_KEY, {
      subject: "erin",
      issuer: "https://auth.test",
    });
    await expect(admin.query(api.counter.whoami, {})).resolves.toBe("admin as erin");
  });

  it("supports consistentQuery through query_ts and query_at_ts", async () => {
    backend = await startBackend();
    await expect(backend.httpClient().consistentQuery(api.counter.get, { name: "a" })).resolves.toBe(0);
  });
});

describe("the HTTP API by hand", () => {
  it("answers function errors with 200 and status error", async () => {
    backend = await startBackend();
    const response = await post("/api/query", { path: "counter:failing", args: [{}], format: "convex_encoded_json" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      status: "error",
      errorMessage: 'Uncaught ConvexError: {"kind":"nope"}',
      errorData: { kind: "nope" },
      logLines: [],
    });
  });

  it("answers format json with Convex's clean export", async () => {
    backend = await startBackend();
    await post("/api/mutation", { path: "counter:set", args: { name: "n", value: { $integer: encodeTs(5n) } } });
    const clean = await post("/api/query", { path: "counter:get", args: { name: "n" }, format: "json" });
    expect(await clean.json()).toEqual({ status: "success", value: "5", logLines: [] });
  });

  it("answers malformed requests with 400 and a sentence", async () => {
    backend = await startBackend();
    const notJson = await post("/api/query", "{nope");
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({ code: "BadJsonBody", message: "The request body is not valid JSON." });
    const badArgs = await post("/api/mutation", { path: "counter:set", args: [1] });
    expect(badArgs.status).toBe(400);
    expect((await badArgs.json()).message).toMatch(/`args` must be/);
  });

  it("refuses bodies over the size limit with 413", async () => {
    backend = await startBackend({ tuning: { maxHttpBodyBytes: 1024 } });
    const response = await post("/api/query", { path: "counter:get", args: { name: "x".repeat(5000) } });
    expect(response.status).toBe(413);
  });

  it("answers unknown routes with 404 and known ones with the wrong method with 405, both as JSON", async () => {
    backend = await startBackend();
    const missing = await fetch(`${backend.server.url}/api/nope`);
    expect(missing.status).toBe(404);
    expect((await missing.json()).code).toBe("NotFound");
    const wrongMethod = await fetch(`${backend.server.url}/api/query`);
    expect(wrongMethod.status).toBe(405);
  });

  it("reports and moves the virtual clock for the admin only", async () => {
    backend = await startBackend({ clock: "virtual" });
    const before = (await (await fetch(`${backend.server.url}/api/csn-rt/clock`)).json()) as { mode: string; now: number };
    expect(before.mode).toBe("virtual");
    expect((await post("/api/csn-rt/clock/advance", { ms: 120_000 })).status).toBe(401);
    const moved = await post("/api/csn-rt/clock/advance", { ms: 120_000 }, { Authorization: `Convex ${ADMIN_KEY}` });
    expect(moved.status).toBe(200);
    expect(await moved.json()).toEqual({ mode: "virtual", now: before.now + 120_000 });
    const bad = await post("/api/csn-rt/clock/advance", { ms: -5 }, { Authorization: `Convex ${ADMIN_KEY}` });
    expect(bad.status).toBe(400);
  });

  it("refuses to move a real clock with 400", async () => {
    backend = await startBackend({ clock: "real" });
    const response = await post("/api/csn-rt/clock/advance", { ms: 1 }, { Authorization: `Convex ${ADMIN_KEY}` });
    expect(response.status).toBe(400);
    expect((await response.json()).code).toBe("ClockIsReal");
  });

  it("answers an engine failure with 500 without taking the server down", async () => {
    backend = await startBackend();
    backend.engine.runQuery = async () => {
      throw new Error("engine bug");
    };
    expect((await post("/api/query", { path: "counter:get", args: {} })).status).toBe(500);
    await expect(backend.httpClient().mutation(api.counter.increment, { name: "a" })).resolves.toBe(1);
  });
});
