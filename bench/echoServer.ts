// The floor for every latency figure: a bare `ws` server on loopback that
// echoes each text frame. Run as its own process by bench/sections/floor.ts;
// prints PORT=<n> once listening and exits on SIGTERM.
import { WebSocketServer } from "ws";

const server = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
server.on("connection", (socket) => {
  socket.on("message", (data, isBinary) => socket.send(data, { binary: isBinary }));
});
server.on("listening", () => {
  const address = server.address();
  process.stdout.write(`PORT=${typeof address === "object" && address !== null ? address.port : 0}\n`);
});
process.once("SIGTERM", () => server.close(() => process.exit(0)));
