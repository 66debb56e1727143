// `npm run demo`: build the viewer page, start the embedded backend (or use
// a real deployment), seed a live game, serve the page on loopback, print
// where to open it. Ctrl-C stops everything.
//
//   npm run demo                                   embedded backend, real clock
//   npm run demo -- --port 8080 --clock virtual    (advance with POST /api/csn-rt/clock/advance)
//   npm run demo -- --url https://x.convex.cloud --admin-key "$CONVEX_DEPLOY_KEY"
//                                                  a deployment of convex/ that trusts
//                                                  --key-file (see `csn-rt keys`)
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { guardLoopsIn } from "../src/backend/engine/runtime/loopGuard/guardLoops.ts";
import { generateSigningKey, loadSigningKey } from "../src/load/tokens.ts";
import type { DemoBackend } from "../web/server/demoServer.ts";

// The embedded backend trusts whatever issuer and key the demo gives it.
const EMBEDDED_ISSUER = "https://csn-rt.demo";

const PAGE_DIR = fileURLToPath(new URL("../web/dist", import.meta.url));
const USAGE = `usage: npm run demo -- [--port N] [--backend-port N] [--clock real|virtual] [--heartbeat-ms N] [--data FILE]
                     [--url DEPLOYMENT_URL --admin-key KEY [--key-file FILE] [--issuer URL]]`;

function fail(message: string): never {
  process.stderr.write(`demo: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parsePort(name: string, value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--${name} must be a whole number from 0 to 65535, got ${value}`);
  return port;
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        port: { type: "string", default: "5173" },
        "backend-port": { type: "string", default: "0" },
        clock: { type: "string", default: "real" },
        "heartbeat-ms": { type: "string" },
        data: { type: "string" },
        url: { type: "string" },
        "admin-key": { type: "string" },
        "key-file": { type: "string" },
        issuer: { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    return fail((error as Error).message);
  }
})();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}

const port = parsePort("port", values.port);
if (values.clock !== "real" && values.clock !== "virtual") fail(`--clock must be real or virtual, got ${values.clock}`);
const heartbeatMs = values["heartbeat-ms"] === undefined ? undefined : Number(values["heartbeat-ms"]);
if (heartbeatMs !== undefined && !(Number.isInteger(heartbeatMs) && heartbeatMs >= 100)) fail("--heartbeat-ms must be a whole number of milliseconds, at least 100");

let backend: DemoBackend;
let signingKey;
let issuer: string;
if (values.url !== undefined) {
  const adminKey = values["admin-key"] ?? process.env.CONVEX_DEPLOY_KEY;
  if (adminKey === undefined) fail("--url needs --admin-key (a deploy key) to seed the demo game; or set CONVEX_DEPLOY_KEY");
  backend = { kind: "remote", url: values.url, adminKey };
  // The deployment trusts the key and issuer it was told about once (csn-rt keys): the same defaults as simulate --url.
  const { DEFAULT_ISSUER, DEFAULT_KEY_FILE } = await import("../src/commands/signingAuth.ts");
  issuer = values.issuer ?? process.env.CSN_AUTH_ISSUER ?? DEFAULT_ISSUER;
  const keyFile = resolve(values["key-file"] ?? DEFAULT_KEY_FILE);
  signingKey = await loadSigningKey(keyFile).catch((error: Error) => fail(`cannot read the signing key ${keyFile}: ${error.message}; create it with: node bin/csn-rt keys`));
} else {
  backend = { kind: "embedded", clock: values.clock, port: parsePort("backend-port", values["backend-port"]), dataFile: values.data && resolve(values.data) };
  // The embedded backend lives as long as this process and trusts whatever key it is given: a fresh one.
  issuer = values.issuer ?? EMBEDDED_ISSUER;
  signingKey = await generateSigningKey();
}

// As under `csn-rt serve`: a function stuck in a loop is stopped at its time limit. Before
// the imports below, which load convex/ modules.
if (backend.kind === "embedded") guardLoopsIn(fileURLToPath(new URL("../convex", import.meta.url)));
// Loaded only now: Vite and the backend take seconds to import, a usage error should not wait for them.
const [{ buildViewerPage }, { startDemo }] = await Promise.all([import("../web/server/buildPage.ts"), import("../web/server/demoServer.ts")]);
process.stderr.write("demo: building the viewer page (web/ → web/dist)…\n");
await buildViewerPage(PAGE_DIR);
const demo = await startDemo({
  pageDir: PAGE_DIR,
  port,
  backend,
  signingKey,
  issuer,
  heartbeatIntervalMs: heartbeatMs,
  onInternalError: (error) => process.stderr.write(`demo: internal error (contained): ${(error as Error).message ?? error}\n`),
}).catch((error: Error) => fail(error.message.includes("EADDRINUSE") ? `port in use (${error.message}); pick another with --port` : error.message));

// One write, so a reader that sees the page URL also sees the per-user links.
const banner = [
  `CONVEX_URL=${demo.convexUrl}`,
  ...(backend.kind === "embedded" ? [`CONVEX_ADMIN_KEY=${demo.adminKey}`] : []),
  "",
  `Viewer page: ${demo.url}`,
  ...demo.config.users.map((user) => `  as ${user.name.padEnd(13)} ${demo.url}?as=${user.subject}`),
  `  anonymous       ${demo.url}`,
  "  another device:  add &device=phone",
  "",
  "Ctrl-C stops the page server and the backend.",
];
process.stdout.write(`${banner.join("\n")}\n`);

await new Promise<void>((done) => {
  process.once("SIGINT", done);
  process.once("SIGTERM", done);
});
process.stderr.write("demo: stopping\n");
await demo.close();
process.exit(0);
