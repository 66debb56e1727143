// The server as a process component: ports, pings, shutdown, real sockets
// that stop reading.
import { anyApi } from "convex/server";
import { afterEach, describe, expect, it } from "vitest";
import { PortInUseError, startServer } from "../../../src/backend/server/index.ts";
import { FakeAuthenticator, FakeEngine } from "./fakeEngine.ts";
import { eventually, RawSocket, startBackend, type Backend } from "./harness.ts";

let backend: Backend | undefined;

afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

describe("the server", () => {
  it("refuses a port in use with a one-line error value", async () => {
    backend = await startBackend();
    const attempt = startServer({
      engine: new FakeEngine(),
      authenticator: new FakeAuthenticator(),
      host: "127.0.0.1",
      port: backend.server.port,
    });
    await expect(attempt).rejects.toBeInstanceOf(PortInUseError);
    await expect(attempt).rejects.toThrow(`port ${backend.server.port} on 127.0.0.1 is in use`);
    const error = (await attempt.catch((e: unknown) => e)) as Error;
    expect(error.stack).toBe(error.message);
  });

  it("accepts the sync endpoint under any client version and 404s other upgrades", async () => {
    backend = await startBackend();
    const socket = await RawSocket.open(`${backend.server.url.replace("http", "ws")}/api/0.0.1-any/sync`);
    socket.ws.close();
    await expect(RawSocket.open(`${backend.server.url.replace("http", "ws")}/api/elsewhere`)).rejects.toThrow(/404/);
  });

  it("pings an idle connection so the client never sees 60 s of silence", async () => {
    backend = await startBackend({ tuning: { pingIntervalMs: 100, sweepIntervalMs: 20 } });
    const raw = await backend.raw();
    await raw.until((s) => s.of("Ping").length >= 2);
    expect(backend.server.stats().pingsSent).toBeGreaterThanOrEqual(2);
  });

  it("cuts a peer that answers nothing, and leaves a quiet one that still answers pings", async () => {
    backend = await startBackend({ tuning: { sweepIntervalMs: 20, transportPingAfterSilenceMs: 50, peerSilenceTimeoutMs: 300 } });
    const url = `${backend.server.url.replace("http", "ws")}/api/1.48.0/sync`;
    const { default: WebSocket } = await import("ws");
    const open = (autoPong: boolean) =>
      new Promise<InstanceType<typeof WebSocket>>((resolve, reject) => {
        const ws = new WebSocket(url, { autoPong });
        ws.once("open", () => resolve(ws));
        ws.once("error", reject);
      });
    const [answering, dead] = await Promise.all([open(true), open(false)]);
    let deadClosed = false;
    dead.once("close", () => (deadClosed = true));
    await eventually(() => deadClosed, 5_000, "the silent peer to be cut");
    expect(answering.readyState).toBe(WebSocket.OPEN);
    answering.close();
  });

  it("closes every socket on close()", async () => {
    backend = await startBackend();
    const raw = await backend.raw();
    const client = backend.client();
    let value: number | undefined;
    client.onUpdate(anyApi.counter.get, { name: "a" }, (v: number) => (value = v));
    await eventually(() => value === 0);
    await backend.server.close();
    await raw.until((s) => s.closeCode !== null);
    expect(raw.closeCode).toBe(1001);
    expect(backend.server.stats().connections).toBe(0);
  });

  it("coalesces updates for a socket that stops reading and delivers the latest state when it resumes", async () => {
    backend = await startBackend({ tuning: { sendHighWaterBytes: 64 * 1024, sendLowWaterBytes: 16 * 1024 } });
    const raw = await backend.raw();
    raw.send({ type: "Connect", sessionId: "slow", connectionCount: 0, lastCloseReason: null });
    raw.send({
      type: "ModifyQuerySet",
      baseVersion: 0,
      newVersion: 1,
      modifications: [{ type: "Add", queryId: 0, udfPath: "counter:big", args: [{ size: 300_000 }] }],
    });
    await raw.until((s) => s.of("Transition").length === 1);
    const socket = (raw.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    socket.pause();

    const writer = backend.httpClient();
    for (let i = 1; i <= 40; i += 1) await writer.mutation(anyApi.counter.set, { name: "big", value: `v${i}-` });
    await eventually(() => backend!.server.stats().transitionsCoalesced > 0, 5_000, "backpressure");

    socket.resume();
    const isFinal = (s: RawSocket) =>
      s.of("Transition").some((t) => t.modifications.some((m) => m.type === "QueryUpdated" && String(m.value).startsWith("v40-")));
    await raw.until(isFinal, 10_000);
    expect(raw.of("Transition").length).toBeLessThan(40);
  });
});

describe("closing the server", () => {
  it("does not wait for idle keep-alive HTTP connections", async () => {
    backend = await startBackend();
    await fetch(`${backend.server.url}/version`); // undici keeps this connection open
    const started = Date.now();
    await backend.server.close();
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
