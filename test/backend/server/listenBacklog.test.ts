// A crowd of viewers connecting while the server is busy. The kernel
// completes their handshakes and queues them until the server accepts —
// which Node does one connection per turn of the event loop. A queue too
// short for the crowd drops handshakes, and the client's kernel retries a
// dropped one only after a second (then 3, 7, 15 s). The server's listen
// backlog (tuning.ts listenBacklog) must hold a crowd this size.
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { afterEach, describe, expect, it } from "vitest";
import { blockEventLoop } from "../../support/blockEventLoop.ts";
import { startBackend, type Backend } from "./harness.ts";

const CROWD = 900;
// Where somaxconn is below the crowd the kernel caps any backlog under it: nothing to test there.
const somaxconn = Number(readFileSync("/proc/sys/net/core/somaxconn", "utf8").trim());

// The child opens CROWD connections at once and, on each, asks for /version;
// it prints the slowest answer in ms. It says "ready" first, so the parent can
// stop its event loop just as the crowd arrives.
const CROWD_SCRIPT = `
const net = require("node:net");
const [port, crowd] = process.argv.slice(1).map(Number);
console.log("ready");
setTimeout(() => {
  const started = Date.now();
  let answered = 0, slowest = 0;
  for (let i = 0; i < crowd; i++) {
    const socket = net.connect(port, "127.0.0.1", () => socket.write("GET /version HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\nConnection: close\\r\\n\\r\\n"));
    socket.once("data", () => {
      slowest = Math.max(slowest, Date.now() - started);
      socket.destroy();
      if (++answered === crowd) console.log("slowest " + slowest);
    });
    socket.on("error", (e) => { console.log("error " + e.message); process.exit(1); });
  }
}, 100);
`;

let backend: Backend | undefined;
afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

describe("the server's listen backlog", () => {
  it.skipIf(somaxconn < CROWD)(`holds ${CROWD} handshakes that arrive while the event loop is busy, so none waits for a retried SYN`, async () => {
    backend = await startBackend();
    const child = spawn(process.execPath, ["-e", CROWD_SCRIPT, String(backend.server.port), String(CROWD)], { stdio: ["ignore", "pipe", "inherit"] });
    const lines = createInterface({ input: child.stdout! });
    const slowest = await new Promise<number>((resolve, reject) => {
      lines.on("line", (line) => {
        if (line === "ready") {
          // Busy for 300 ms: the crowd's handshakes complete in the kernel meanwhile, none is accepted.
          blockEventLoop(300);
        } else if (line.startsWith("slowest ")) {
          resolve(Number(line.slice("slowest ".length)));
        } else {
          reject(new Error(line));
        }
      });
      child.once("exit", (code) => reject(new Error(`crowd exited with ${code} before every connection was answered`)));
    });
    // The 300 ms stall plus serving the crowd (~0.5 s in all here); a dropped handshake is retried only after 1 s.
    expect(slowest).toBeLessThan(1_000);
  }, 30_000);
});
