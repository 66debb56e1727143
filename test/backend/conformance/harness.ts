// The conformance suite's set-up: the REAL assembled backend (startBackend on
// port 0) running either the CSN app (convex/) or the generic fixture app
// (test/fixtures/conformance-app/), reached only the way an app reaches
// Convex — the official `convex` clients — plus raw HTTP / raw `ws` where a
// test must send what no client would.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { version as convexClientVersion } from "convex";
import { makeFunctionReference } from "convex/server";
import WebSocket from "ws";
import type { Id } from "../../../convex/_generated/dataModel";
import { rejectionOf, signIn, useStarted } from "../../support/suiteBackend.ts";
import { startBackend, type BackendOptions, type RunningBackend } from "../../../src/backend/index.ts";
import {
  authEnvironment,
  createTokenMinter,
  generateSigningKey,
  type MintRequest,
  type SigningKey,
  type TokenMinter,
} from "../../../src/load/tokens.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export const CSN_APP = path.resolve(here, "../../../convex");
export const FIXTURE_APP = path.resolve(here, "../../fixtures/conformance-app");
/** The issuer both apps trust in these tests (their auth.config.ts reads CSN_AUTH_ISSUER / CSN_AUTH_JWKS). */
export const ISSUER = "https://csn-rt.conformance.test";

export type ConformanceOptions = {
  readonly app: "csn" | "fixture";
  readonly clock?: "real" | "virtual";
  readonly engine?: BackendOptions["engine"];
  readonly tuning?: BackendOptions["tuning"];
};

export type Conformance = {
  readonly backend: RunningBackend;
  readonly url: string;
  /** The key the backend trusts, and a minter signing with it for ISSUER. */
  readonly signingKey: SigningKey;
  readonly tokens: TokenMinter;
  /** An anonymous official client, closed with the backend. */
  client(): ConvexClient;
  /** An official client signed in as `request.subject`; resolves once the backend accepted the token. */
  signedIn(request: MintRequest): Promise<ConvexClient>;
  http(): ConvexHttpClient;
  /** An HTTP client holding the admin key (internal functions allowed). */
  admin(): ConvexHttpClient;
  /** POST /api/csn-rt/clock/advance with the admin key; resolves with the backend's new `now`. */
  advanceClock(ms: number): Promise<number>;
  /** The sync WebSocket URL the official client connects to. */
  readonly syncUrl: string;
  close(): Promise<void>;
};

export async function startConformance(options: ConformanceOptions): Promise<Conformance> {
  const signingKey = await generateSigningKey();
  const internalErrors: unknown[] = [];
  const backend = await startBackend({
    functionsDir: options.app === "csn" ? CSN_APP : FIXTURE_APP,
    host: "127.0.0.1",
    port: 0,
    clock: options.clock ?? "real",
    env: authEnvironment(signingKey, ISSUER),
    engine: options.engine,
    tuning: options.tuning,
    onInternalError: (error) => internalErrors.push(error),
  });
  const tokens = await createTokenMinter({ key: signingKey, issuer: ISSUER });
  const clients: ConvexClient[] = [];
  const newClient = () => {
    const client = new ConvexClient(backend.url, {
      webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket,
      logger: false,
    });
    clients.push(client);
    return client;
  };
  return {
    backend,
    url: backend.url,
    signingKey,
    tokens,
    syncUrl: `${backend.url.replace(/^http/, "ws")}/api/${convexClientVersion}/sync`,
    client: newClient,
    async signedIn(request) {
      const client = newClient();
      await signIn(client, tokens, request);
      return client;
    },
    http: () => new ConvexHttpClient(backend.url, { logger: false }),
    admin() {
      const client = new ConvexHttpClient(backend.url, { logger: false });
      // setAdminAuth is @internal in the client's types; the Convex CLI and dashboard use it.
      (client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(backend.adminKey);
      return client;
    },
    async advanceClock(ms) {
      const response = await fetch(`${backend.url}/api/csn-rt/clock/advance`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Convex ${backend.adminKey}` },
        body: JSON.stringify({ ms }),
      });
      if (!response.ok) throw new Error(`clock advance failed: HTTP ${response.status} ${await response.text()}`);
      return ((await response.json()) as { now: number }).now;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await backend.close();
      if (internalErrors.length > 0) {
        throw new Error(`the backend contained ${internalErrors.length} internal error(s): ${String(internalErrors[0])}`);
      }
    },
  };
}

/** Polls `predicate` until it holds (for state only visible through callbacks). */
/**
 * One backend for the tests of a file (or describe block): started before
 * they run, closed after. The returned object stands for it once started.
 */
export function useConformance(options: ConformanceOptions): Conformance {
  return useStarted("conformance backend", () => startConformance(options));
}

export async function eventually(predicate: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resolves with the first error a subscription reports, or rejects if it delivers a value instead. */
export function firstError(
  subscribe: (onValue: (value: unknown) => void, onError: (error: Error) => void) => unknown,
): Promise<Error & { data?: unknown }> {
  return new Promise((resolve, reject) => {
    subscribe(
      (value) => reject(new Error(`expected an error, got ${JSON.stringify(value)}`)),
      (error) => resolve(error),
    );
  });
}

// The CSN app's admin-only seeding (convex/seed.ts), called over HTTP with the admin key.
const createGames = makeFunctionReference<"mutation", { count: number; status?: "live" | "scheduled" | "ended" }, Id<"games">[]>(
  "seed:createGames",
);
const createContent = makeFunctionReference<"mutation", { count: number; durationSeconds: number }, Id<"content">[]>(
  "seed:createContent",
);

export async function seedGame(t: Conformance): Promise<Id<"games">> {
  const [gameId] = await t.admin().mutation(createGames, { count: 1 });
  return gameId;
}

export async function seedContent(t: Conformance): Promise<Id<"content">> {
  const [contentId] = await t.admin().mutation(createContent, { count: 1, durationSeconds: 1000 });
  return contentId;
}

export { rejectionOf };
