// Malformed input is answered, contained and survived: a bad HTTP request
// gets a 4xx with a message saying what is wrong, and a bad sync frame ends
// only the connection that sent it while an official client on another
// connection keeps its subscription and its mutations.
import type { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import type { Socket } from "node:net";
import WebSocket from "ws";
import { beforeAll, describe, expect, it } from "vitest";
import { eventually, useConformance } from "./harness.ts";

const api = anyApi;
// Small limits so "too large" is cheap to send.
const MAX_BYTES = 64 * 1024;

const t = useConformance({ app: "fixture", tuning: { maxClientFrameBytes: MAX_BYTES, maxHttpBodyBytes: MAX_BYTES } });

type HttpCase = { name: string; method?: string; path: string; body?: string; headers?: Record<string, string>; status: number; message: RegExp };

const httpCases: HttpCase[] = [
  { name: "a body that is not JSON", path: "/api/query", body: "{path:", status: 400, message: /not valid JSON/ },
  { name: "a body without a function path", path: "/api/mutation", body: JSON.stringify({ args: {} }), status: 400, message: /`path` must be a function path/ },
  { name: "args that are not an object", path: "/api/query", body: JSON.stringify({ path: "counters:get", args: [1, 2] }), status: 400, message: /`args` must be an object/ },
  { name: "an unknown value format", path: "/api/query", body: JSON.stringify({ path: "counters:get", args: {}, format: "xml" }), status: 400, message: /`format` must be one of/ },
  { name: "a body over the size limit", path: "/api/mutation", body: JSON.stringify({ path: "entries:append", args: { pad: "x".repeat(MAX_BYTES) } }), status: 413, message: /larger than 65536 bytes/ },
  { name: "an Authorization header of an unknown scheme", path: "/api/query", body: JSON.stringify({ path: "counters:get", args: { name: "a" } }), headers: { authorization: "Basic dXNlcjpwYXNz" }, status: 401, message: /must be "Bearer <token>" or "Convex <admin key>"/ },
  { name: "the wrong method", method: "GET", path: "/api/mutation", status: 405, message: /answers POST, not GET/ },
  { name: "an unknown endpoint", path: "/api/teleport", body: "{}", status: 404, message: /There is no POST \/api\/teleport/ },
  { name: "a clock advance without the admin key", path: "/api/csn-rt/clock/advance", body: JSON.stringify({ ms: 1000 }), status: 401, message: /needs the admin key/ },
];

describe("malformed HTTP requests", () => {
  it.each(httpCases)("$name gets $status with a message, and the server keeps serving", async (c) => {
    const response = await fetch(`${t.url}${c.path}`, {
      method: c.method ?? "POST",
      headers: { "content-type": "application/json", ...c.headers },
      body: c.body,
    });
    expect(response.status).toBe(c.status);
    const body = (await response.json()) as { code: string; message: string };
    expect(body.code).toEqual(expect.any(String));
    expect(body.message).toMatch(c.message);
    await expect(t.http().query(api.failures.typed, { count: 1, label: "still" })).resolves.toBe("still:1");
  });
});

/**
 * A frame to send: text, binary, or `{ rawText }` — a text frame written to
 * the TCP socket by hand, because `ws` refuses to send invalid UTF-8 as text.
 */
type Frame = string | Buffer | { readonly rawText: Buffer };

/** Opens a raw sync socket, sends `frames`, and resolves with what came back once the server closed it. */
function sendRaw(frames: Frame[]): Promise<{ received: string[]; code: number }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(t.syncUrl);
    const received: string[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`the server did not close the connection; received ${JSON.stringify(received)}`));
    }, 5_000);
    ws.on("open", () => {
      for (const frame of frames) {
        if (typeof frame === "string" || Buffer.isBuffer(frame)) ws.send(frame, { binary: Buffer.isBuffer(frame) });
        else writeTextFrameByHand(ws, frame.rawText);
      }
    });
    ws.on("message", (data) => received.push(data.toString()));
    ws.on("error", () => {}); // "close" follows
    ws.on("close", (code) => {
      clearTimeout(timer);
      resolve({ received, code });
    });
  });
}

/** FIN + text opcode, masked as a client must, payload under 126 bytes. */
function writeTextFrameByHand(ws: WebSocket, payload: Buffer): void {
  const mask = Buffer.from([1, 2, 3, 4]);
  const masked = Buffer.from(payload.map((byte, i) => byte ^ mask[i % 4]));
  const socket = (ws as unknown as { _socket: Socket })._socket;
  socket.write(Buffer.concat([Buffer.from([0x81, 0x80 | payload.length]), mask, masked]));
}

const CONNECT = JSON.stringify({ type: "Connect", sessionId: "00000000-0000-4000-8000-000000000000", connectionCount: 0, lastCloseReason: null });

type FrameCase = { name: string; frames: Frame[]; fatal: RegExp | null };

const frameCases: FrameCase[] = [
  { name: "a frame that is not JSON", frames: [CONNECT, "{ this is not json"], fatal: /not JSON/ },
  { name: "a message of an unknown type", frames: [CONNECT, JSON.stringify({ type: "Teleport" })], fatal: /Teleport/ },
  { name: "a mutation missing its fields", frames: [CONNECT, JSON.stringify({ type: "Mutation", requestId: 0 })], fatal: /udfPath/ },
  { name: "a binary frame", frames: [CONNECT, Buffer.from([1, 2, 3])], fatal: /binary frame/ },
  // `ws` refuses these itself (close 1009 / 1007) before any message is decoded.
  { name: "a frame over the size limit", frames: [CONNECT, "x".repeat(MAX_BYTES + 1)], fatal: null },
  { name: "a text frame that is not UTF-8", frames: [CONNECT, { rawText: Buffer.from([0x22, 0xff, 0xfe, 0x22]) }], fatal: null },
];

describe("malformed WebSocket frames", () => {
  let bystander: ConvexClient;
  let latest: number | null | undefined;

  beforeAll(async () => {
    bystander = t.client();
    await bystander.mutation(api.counters.create, { name: "bystander" });
    bystander.onUpdate(api.counters.get, { name: "bystander" }, (value: number | null) => (latest = value));
    await eventually(() => latest === 0, "the bystander's first result");
  });

  it.each(frameCases)("$name closes only the connection that sent it", async (c) => {
    const malformedBefore = t.backend.server.stats().malformedFrames;
    const { received, code } = await sendRaw(c.frames);

    if (c.fatal !== null) {
      const fatal = received.map((frame) => JSON.parse(frame) as { type: string; error?: string }).find((m) => m.type === "FatalError");
      expect(fatal?.error).toMatch(c.fatal);
    } else {
      expect([1007, 1009]).toContain(code);
    }
    expect(t.backend.server.stats().malformedFrames).toBeGreaterThan(malformedBefore);

    // The official client on its own connection did not notice.
    const value = (latest ?? 0) + 1;
    await expect(bystander.mutation(api.counters.increment, { name: "bystander" })).resolves.toBe(value);
    await eventually(() => latest === value, "the bystander's update");
    expect(bystander.connectionState().connectionCount).toBe(1);
  });
});
