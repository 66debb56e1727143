// The demo: a backend (the embedded one in this process, or a real Convex
// deployment reached with its admin key), seeded with one live game and a few
// titles, and a loopback-only web server for the built viewer page with two
// dev-only endpoints:
//
//   GET  /demo/config   where the backend is, the game, the titles, the demo users
//   POST /demo/token    {subject} → {token}: a token for that demo user, signed
//                       with the key the backend trusts (CSN_AUTH_ISSUER/JWKS)
//
// Anyone who can reach /demo/token can sign in as anyone, moderator included;
// that is the point of a demo and why it listens on 127.0.0.1 only and
// refuses requests whose Host is not a loopback name (DNS rebinding).
// A real app gets its tokens from its identity provider instead.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import type { Id } from "../../convex/_generated/dataModel";
import { HEARTBEAT_INTERVAL_MS } from "../../convex/liveSessions";
import { startBackend, type RunningBackend } from "../../src/backend/index.ts";
import { authEnvironment, createTokenMinter, type SigningKey } from "../../src/load/tokens.ts";
import type { DemoConfig } from "../src/config.ts";
import { DEMO_USERS, permissionsOf } from "./demoUsers.ts";
import { serveStatic } from "./staticFiles.ts";

const CSN_APP = fileURLToPath(new URL("../../convex", import.meta.url));
/** The demo's titles: enough for a Continue Watching list, each 16:40 long. */
const DEMO_TITLES = 4;
const DEMO_TITLE_SECONDS = 1000;
/** A token request body is `{"subject":"…"}`; anything longer is not one. */
const MAX_TOKEN_REQUEST_BYTES = 1024;

export type DemoBackend =
  | { readonly kind: "embedded"; readonly clock: "real" | "virtual"; readonly port: number; readonly dataFile?: string }
  | { readonly kind: "remote"; readonly url: string; readonly adminKey: string };

export type DemoOptions = {
  /** The built page (see buildPage.ts). */
  readonly pageDir: string;
  /** The page server's port on 127.0.0.1; 0 picks a free one. */
  readonly port: number;
  readonly backend: DemoBackend;
  /** Signs the demo users' tokens; the backend must trust it for `issuer`. */
  readonly signingKey: SigningKey;
  readonly issuer: string;
  readonly heartbeatIntervalMs?: number;
  readonly onInternalError?: (error: unknown) => void;
};

export type RunningDemo = {
  /** The page, e.g. http://127.0.0.1:5173/ */
  readonly url: string;
  readonly convexUrl: string;
  readonly adminKey: string;
  readonly config: DemoConfig;
  /** Embedded backend only: stop it (the page sees it unreachable) and start it again on the same port. */
  stopBackend(): Promise<void>;
  restartBackend(): Promise<void>;
  /** Virtual clock only: move the backend's time forward (crons and scheduled jobs due meanwhile run). */
  advanceClock(ms: number): Promise<number>;
  close(): Promise<void>;
};

export async function startDemo(options: DemoOptions): Promise<RunningDemo> {
  const backend = await connectBackend(options);
  let server: Server | undefined;
  try {
    const config = await seedDemo(backend.url, backend.adminKey, options.heartbeatIntervalMs ?? HEARTBEAT_INTERVAL_MS);
    const tokens = await createTokenMinter({ key: options.signingKey, issuer: options.issuer });
    const pageDir = options.pageDir;
    server = createServer((request, response) => {
      handle(request, response).catch((error: unknown) => {
        options.onInternalError?.(error);
        if (!response.headersSent) sendJson(response, 500, { error: "the demo server failed on this request" });
      });
    });
    const handle = async (request: IncomingMessage, response: ServerResponse) => {
      if (!isLoopbackRequest(request)) return sendJson(response, 403, { error: "the demo answers loopback requests only" });
      const { pathname } = new URL(request.url ?? "/", "http://127.0.0.1");
      if (pathname === "/demo/config" && request.method === "GET") return sendJson(response, 200, config);
      if (pathname === "/demo/token" && request.method === "POST") {
        const subject = await readSubject(request);
        const user = DEMO_USERS.find((u) => u.subject === subject);
        if (user === undefined) return sendJson(response, 404, { error: `no demo user ${JSON.stringify(subject)}` });
        return sendJson(response, 200, { token: await tokens.mint({ subject: user.subject, name: user.name, permissions: permissionsOf(user) }) });
      }
      if (await serveStatic(pageDir, pathname, request, response)) return;
      sendJson(response, 404, { error: `nothing at ${pathname}` });
    };
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen(options.port, "127.0.0.1", () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const running = server;
    return {
      url: `http://127.0.0.1:${port}/`,
      convexUrl: backend.url,
      adminKey: backend.adminKey,
      config,
      stopBackend: backend.stop,
      restartBackend: backend.restart,
      advanceClock: (ms) => advanceClock(backend.url, backend.adminKey, ms),
      async close() {
        running.closeAllConnections();
        await new Promise<void>((resolve) => running.close(() => resolve()));
        await backend.stop();
      },
    };
  } catch (error) {
    server?.close();
    await backend.stop();
    throw error;
  }
}

type DemoBackendHandle = { url: string; adminKey: string; stop(): Promise<void>; restart(): Promise<void> };

async function connectBackend(options: DemoOptions): Promise<DemoBackendHandle> {
  const spec = options.backend;
  if (spec.kind === "remote") {
    const refuse = async () => {
      throw new Error("a remote deployment cannot be stopped or restarted by the demo");
    };
    return { url: spec.url.replace(/\/$/, ""), adminKey: spec.adminKey, stop: async () => {}, restart: refuse };
  }
  const start = (port: number, adminKey?: string) =>
    startBackend({
      functionsDir: CSN_APP,
      host: "127.0.0.1",
      port,
      clock: spec.clock,
      adminKey,
      dataFile: spec.dataFile,
      env: authEnvironment(options.signingKey, options.issuer),
      onInternalError: options.onInternalError,
    });
  let running: RunningBackend | null = await start(spec.port);
  const { url, port, adminKey } = running;
  return {
    url,
    adminKey,
    async stop() {
      const current = running;
      running = null;
      await current?.close();
    },
    async restart() {
      if (running !== null) throw new Error("the backend is already running");
      running = await start(port, adminKey);
    },
  };
}

const createGames = makeFunctionReference<"mutation", { count: number; status?: "live" }, Id<"games">[]>("seed:createGames");
const createContent = makeFunctionReference<"mutation", { count: number; durationSeconds: number }, Id<"content">[]>("seed:createContent");

/** One live game and a few titles, through the backend's internal seed functions (admin key). */
async function seedDemo(url: string, adminKey: string, heartbeatIntervalMs: number): Promise<DemoConfig> {
  const admin = new ConvexHttpClient(url, { logger: false });
  // setAdminAuth is @internal in the client's types; the Convex CLI and dashboard use it.
  (admin as unknown as { setAdminAuth(key: string): void }).setAdminAuth(adminKey);
  const [gameId] = await admin.mutation(createGames, { count: 1, status: "live" });
  const contentIds = await admin.mutation(createContent, { count: DEMO_TITLES, durationSeconds: DEMO_TITLE_SECONDS });
  return {
    convexUrl: url,
    game: { id: gameId, title: "CSN live game (demo)" },
    // seed:createContent names titles "Simulated title N"; the browser tests check the page shows the backend's names.
    titles: contentIds.map((id, i) => ({ id, title: `Simulated title ${i + 1}`, durationSeconds: DEMO_TITLE_SECONDS })),
    users: DEMO_USERS.map((u) => ({ ...u })),
    heartbeatIntervalMs,
  };
}

async function advanceClock(url: string, adminKey: string, ms: number): Promise<number> {
  const response = await fetch(`${url}/api/csn-rt/clock/advance`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Convex ${adminKey}` },
    body: JSON.stringify({ ms }),
  });
  if (!response.ok) throw new Error(`clock advance failed: HTTP ${response.status} ${await response.text()}`);
  return ((await response.json()) as { now: number }).now;
}

const LOOPBACK_ADDRESSES = new Set(["127.0.0.1", "::1", "::ffff:127.0.0.1"]);
const LOOPBACK_HOSTS = new Set(["127.0.0.1", "localhost", "[::1]"]);

function isLoopbackRequest(request: IncomingMessage): boolean {
  const host = (request.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
  return LOOPBACK_ADDRESSES.has(request.socket.remoteAddress ?? "") && LOOPBACK_HOSTS.has(host);
}

async function readSubject(request: IncomingMessage): Promise<string | null> {
  let body = "";
  for await (const chunk of request) {
    body += String(chunk);
    if (body.length > MAX_TOKEN_REQUEST_BYTES) return null;
  }
  try {
    const subject = (JSON.parse(body) as { subject?: unknown }).subject;
    return typeof subject === "string" ? subject : null;
  } catch {
    return null;
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
  response.end(JSON.stringify(body));
}
