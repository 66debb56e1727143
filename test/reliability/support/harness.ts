// The reliability suite's backend: the REAL embedded backend (startBackend,
// port 0) running the CSN app plus the audit module
// (test/fixtures/reliability-app/), reached through the official clients as
// an app reaches Convex. Internal errors the server contains are collected:
// a suite fails if any happened.
import path from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexClient, ConvexHttpClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import WebSocket from "ws";
import { rejectionOf, signIn, useStarted } from "../../support/suiteBackend.ts";
import { startBackend, type BackendOptions, type RunningBackend } from "../../../src/backend/index.ts";
import { authEnvironment, createTokenMinter, generateSigningKey, type MintRequest, type SigningKey, type TokenMinter } from "../../../src/load/tokens.ts";

const here = path.dirname(fileURLToPath(import.meta.url));
export const RELIABILITY_APP = path.resolve(here, "../../fixtures/reliability-app");
export const CONVEX_DIR = path.resolve(here, "../../../convex");
export const ISSUER = "https://csn-rt.reliability.test";

export type Invariants = { violations: string[]; rows: Record<string, number> };

export type Reliability = {
  readonly backend: RunningBackend;
  readonly url: string;
  readonly signingKey: SigningKey;
  readonly tokens: TokenMinter;
  /** Exceptions the server contained (each is a bug). */
  readonly internalErrors: unknown[];
  /** An official WebSocket client, anonymous or signed in (resolves once the token is accepted). */
  client(as?: MintRequest | null): Promise<ConvexClient>;
  /** An official HTTP client, anonymous or signed in. */
  http(as?: MintRequest | null): Promise<ConvexHttpClient>;
  /** An HTTP client holding the admin key. */
  admin(): ConvexHttpClient;
  invariants(): Promise<Invariants>;
  /** Every row of every CSN table (for "nothing was written"). */
  everything(): Promise<Record<string, unknown[]>>;
  close(): Promise<void>;
};

const invariantsRef = makeFunctionReference<"query", Record<string, never>, Invariants>("audit:invariants");
const everythingRef = makeFunctionReference<"query", Record<string, never>, Record<string, unknown[]>>("audit:everything");

export async function startReliability(options: { clock?: "real" | "virtual"; tuning?: BackendOptions["tuning"] } = {}): Promise<Reliability> {
  const signingKey = await generateSigningKey();
  const internalErrors: unknown[] = [];
  const backend = await startBackend({
    functionsDir: RELIABILITY_APP,
    host: "127.0.0.1",
    port: 0,
    clock: options.clock ?? "real",
    env: authEnvironment(signingKey, ISSUER),
    tuning: options.tuning,
    onInternalError: (error) => internalErrors.push(error),
  });
  const tokens = await createTokenMinter({ key: signingKey, issuer: ISSUER });
  const clients: ConvexClient[] = [];
  const admin = () => {
    const client = new ConvexHttpClient(backend.url, { logger: false });
    (client as unknown as { setAdminAuth(key: string): void }).setAdminAuth(backend.adminKey);
    return client;
  };
  return {
    backend,
    url: backend.url,
    signingKey,
    tokens,
    internalErrors,
    async client(as = null) {
      const client = new ConvexClient(backend.url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false });
      clients.push(client);
      if (as !== null) await signIn(client, tokens, as);
      return client;
    },
    async http(as = null) {
      const client = new ConvexHttpClient(backend.url, { logger: false });
      if (as !== null) client.setAuth(await tokens.mint(as));
      return client;
    },
    admin,
    invariants: () => admin().query(invariantsRef, {}),
    everything: () => admin().query(everythingRef, {}),
    async close() {
      await Promise.all(clients.map((c) => c.close()));
      await backend.close();
    },
  };
}

/** One backend for the tests of a file, started before them and closed after. */
export function useReliability(options: Parameters<typeof startReliability>[0] = {}): Reliability {
  return useStarted("reliability backend", () => startReliability(options), 60_000);
}

export const seedGames = makeFunctionReference<"mutation", { count: number; status?: "live" | "scheduled" | "ended" }, string[]>("seed:createGames");
export const seedContent = makeFunctionReference<"mutation", { count: number; durationSeconds: number }, string[]>("seed:createContent");

/** The ConvexError kind of a refusal ("Forbidden", "Unauthenticated", …), or its message when it has none. */
export async function refusalKind(promise: Promise<unknown>): Promise<string> {
  const error = await rejectionOf(promise);
  const data = error.data as { kind?: unknown } | undefined;
  return typeof data?.kind === "string" ? data.kind : error.message;
}

export { rejectionOf };

/** Polls `condition` every 20 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
