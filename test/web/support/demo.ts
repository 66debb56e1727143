// The demo as the browser tests run it: the page built once per test file
// (Vite, into a temporary folder, so a fresh clone needs nothing prebuilt),
// and a fresh demo — embedded backend in this process plus the page server —
// per test.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConvexHttpClient } from "convex/browser";
import { api } from "../../../convex/_generated/api";
import type { Id } from "../../../convex/_generated/dataModel";
import { createTokenMinter, generateSigningKey, type SigningKey } from "../../../src/load/tokens.ts";
import { buildViewerPage } from "../../../web/server/buildPage.ts";
import { startDemo, type RunningDemo } from "../../../web/server/demoServer.ts";

const ISSUER = "https://csn-rt.web-test";

// One signing key for every demo of the process: the embedded backend imports
// convex/auth.config.ts once per process (an ES module, cached), so a second
// backend in the same process keeps trusting the first backend's key.
let processKey: Promise<SigningKey> | undefined;
const signingKeyOfProcess = () => (processKey ??= generateSigningKey());

export type TestDemo = RunningDemo & {
  /** Sends chat messages over HTTP as `subject` (not through any page). */
  sendAs(subject: string, messages: string[]): Promise<void>;
  readonly workDir: string;
};

export type PageBuild = { readonly dir: string; remove(): Promise<void> };

export async function buildPageOnce(): Promise<PageBuild> {
  const dir = await mkdtemp(join(tmpdir(), "csn-rt-web-"));
  await buildViewerPage(dir);
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export type TestDemoOptions = { clock?: "real" | "virtual"; heartbeatIntervalMs?: number; persist?: boolean };

export async function startTestDemo(pageDir: string, options: TestDemoOptions = {}): Promise<TestDemo> {
  const signingKey = await signingKeyOfProcess();
  const workDir = await mkdtemp(join(tmpdir(), "csn-rt-demo-"));
  const internalErrors: unknown[] = [];
  const demo = await startDemo({
    pageDir,
    port: 0,
    backend: { kind: "embedded", clock: options.clock ?? "real", port: 0, dataFile: options.persist ? join(workDir, "demo.db") : undefined },
    signingKey,
    issuer: ISSUER,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    onInternalError: (error) => internalErrors.push(error),
  });
  const tokens = await createTokenMinter({ key: signingKey, issuer: ISSUER });
  return {
    ...demo,
    workDir,
    async sendAs(subject, messages) {
      const client = new ConvexHttpClient(demo.convexUrl, { logger: false });
      client.setAuth(await tokens.mint({ subject, name: subject }));
      for (const message of messages) await client.mutation(api.chat.sendMessage, { gameId: demo.config.game.id as Id<"games">, message });
    },
    async close() {
      await demo.close();
      await rm(workDir, { recursive: true, force: true });
      if (internalErrors.length > 0) throw new Error(`the backend contained ${internalErrors.length} internal error(s): ${String(internalErrors[0])}`);
    },
  };
}
