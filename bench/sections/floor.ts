// (a) The floor: round trip of one sync-sized text frame to a bare `ws` echo
// server in another process over loopback. Nothing the backend does can be
// faster than this; (b) is reported as a multiple of it.
import WebSocket from "ws";
import { encodeClientMessage } from "../../src/protocol/sync/index.ts";
import { spawnScript } from "../support/processes.ts";
import { microsBetween, type Probe } from "../support/timing.ts";

// The frame a writer sends in (b), so both figures move the same bytes.
const FRAME = encodeClientMessage({
  type: "Mutation",
  requestId: 1,
  udfPath: "bench:bump",
  args: [{ name: "latency", value: "latency-000001-abcdef" }],
});
const ECHO_TIMEOUT_MS = 5_000;

export async function openFloorProbe(): Promise<{ probe: Probe; close(): Promise<void> }> {
  const echo = await spawnScript("echoServer.ts", ["PORT"]);
  const ws = new WebSocket(`ws://127.0.0.1:${echo.values.PORT}`, { perMessageDeflate: false });
  const close = async () => {
    ws.terminate();
    await echo.stop();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
  } catch (error) {
    await close();
    throw error;
  }
  let answered: (() => void) | null = null;
  ws.on("message", () => answered?.());
  const probe: Probe = () =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        answered = null;
        resolve(null);
      }, ECHO_TIMEOUT_MS);
      const started = performance.now();
      answered = () => {
        const us = microsBetween(started, performance.now());
        clearTimeout(timer);
        answered = null;
        resolve(us);
      };
      ws.send(FRAME);
    });
  return { probe, close };
}
