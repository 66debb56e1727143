// `csn-rt serve --data FILE` killed with SIGKILL mid-run and started again
// on the same file, behind a proxy so clients keep their address:
//
// - a mutation that committed but whose answer was lost runs ONCE after the
//   restart, when the client re-sends it (its result is stored with its
//   commit; before that fix it ran a second time);
// - under load, every write a client saw acknowledged is there exactly once,
//   the same client objects carry on after the restart, and simulate's
//   report counts the outage.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import WebSocket from "ws";
import { afterEach, describe, expect, test } from "vitest";
import { generateAdminKey } from "../../src/backend/auth/index.ts";
import { Ledger } from "../../src/chaos/ledger.ts";
import { RestartableBackend } from "../../src/chaos/restartableBackend.ts";
import { httpAdminApi } from "../../src/load/adminApi.ts";
import { authEnvironment, createTokenMinter, generateSigningKey, saveSigningKey } from "../../src/load/tokens.ts";
import { parseReport } from "../../src/metrics/report.ts";
import { CLI } from "../support/cli.ts";
import { CONVEX_DIR, until } from "./support/harness.ts";

const ISSUER = "https://csn-rt.restart.test";
/** simulate's audience in the load test, each viewer on its own connection. */
const VIEWERS = 30;
const joinStream = makeFunctionReference<"mutation", { gameId: string; deviceType: string }, { sessionId: string }>("liveSessions:joinStream");
const getViewerCount = makeFunctionReference<"query", { gameId: string }, number>("liveSessions:getViewerCount");

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp() {
  const dir = mkdtempSync(join(tmpdir(), "csn-rt-restart-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const key = await generateSigningKey();
  const backend = await RestartableBackend.start({
    functionsDir: CONVEX_DIR,
    dataFile: join(dir, "data.db"),
    authEnv: authEnvironment(key, ISSUER),
    adminKey: generateAdminKey(),
  });
  cleanups.push(() => backend.stop());
  const admin = () => httpAdminApi(backend.url, backend.adminKey);
  const minter = await createTokenMinter({ key, issuer: ISSUER });
  return { dir, key, backend, admin, minter };
}

function officialClient(url: string): ConvexClient {
  const client = new ConvexClient(url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false });
  cleanups.push(() => client.close());
  return client;
}

describe("kill -9 and restart with --data", () => {
  test("a mutation committed before the crash, its answer lost, runs once when the client re-sends it", { timeout: 90_000 }, async () => {
    const { backend, admin } = await setUp();
    const [gameId] = await admin().mutation<string[]>("seed:createGames", { count: 1 });
    const client = officialClient(backend.url);
    expect(await client.query(getViewerCount, { gameId })).toBe(0);

    backend.proxy.loseAnswers(true);
    const pending = client.mutation(joinStream, { gameId, deviceType: "web" });
    // Committed on the backend (read past the proxy), its answer swallowed.
    const direct = httpAdminApi(backend.directUrl, backend.adminKey);
    await until(async () => (await direct.query<number>("liveSessions:getViewerCount", { gameId })) === 1, "the join to commit");
    await backend.kill9();
    backend.proxy.loseAnswers(false);
    await backend.restart();

    // The client reconnects by itself and re-sends the join it never saw answered.
    const { sessionId } = await pending;
    expect(await admin().query<number>("liveSessions:getViewerCount", { gameId })).toBe(1);
    const states = await admin().query<{ page: { sessionId: string }[] }>("liveSessions:sessionStates", { gameId, paginationOpts: { cursor: null, numItems: 10 } });
    expect(states.page.map((s) => s.sessionId)).toEqual([sessionId]);
  });

  test("under load: nothing acknowledged is lost or doubled, clients resume, and simulate's report counts the outage", { timeout: 120_000 }, async () => {
    const { dir, key, backend, admin, minter } = await setUp();
    const [gameId] = await admin().mutation<string[]>("seed:createGames", { count: 1 });
    const contentIds = await admin().mutation<string[]>("seed:createContent", { count: 2, durationSeconds: 86_400 });
    const keyFile = join(dir, "key.json");
    await saveSigningKey(keyFile, key);

    // simulate, as a user runs it, against the proxy's address.
    const reportPath = join(dir, "report.json");
    const simulate = spawn(process.execPath, [
      CLI, "simulate", "viewers", "--url", backend.url, "--admin-key", backend.adminKey, "--key-file", keyFile, "--issuer", ISSUER,
      "--viewers", String(VIEWERS), "--games", "2", "--duration", "14s", "--ramp", "2s", "--grace", "2s", "--heartbeat-interval", "1s",
      "--heartbeat-jitter", "100ms", "--workers", "1", "--official-clients", "2", "--no-tui", "--report", reportPath,
    ], { env: { ...process.env, CI: "true" }, stdio: ["ignore", "ignore", "pipe"] });
    cleanups.push(() => void simulate.kill("SIGKILL"));
    let stderr = "";
    simulate.stderr!.on("data", (chunk) => (stderr += chunk));
    const exited = new Promise<number | null>((resolve) => simulate.once("exit", (code) => resolve(code)));

    const ledger = await Ledger.start(backend.url, minter, gameId, contentIds);
    cleanups.push(() => ledger.close());
    await until(() => /running viewers/.test(stderr), "simulate to start its run", 60_000);
    // Kill only once every viewer is connected (on a loaded machine the ramp can run late): the outage must cut them all.
    await until(() => backend.proxy.connections >= VIEWERS + contentIds.length, "simulate's viewers to connect", 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(ledger.acknowledged().total).toBeGreaterThan(10);

    await backend.kill9();
    const restartedAt = Date.now();
    await backend.restart();
    await until(() => ledger.acknowledged(restartedAt).writersSince === contentIds.length, "every writer to carry on after the restart");
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await ledger.stop();

    const findings = await ledger.verify(admin());
    expect(findings.lost).toEqual([]);
    expect(findings.duplicated).toEqual([]);
    expect(findings.failed).toEqual([]);
    expect(findings.acknowledged.joins).toBeGreaterThan(20);

    const code = await exited;
    expect(code, stderr).not.toBeNull();
    const parsed = parseReport(JSON.parse(readFileSync(reportPath, "utf8")));
    if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
    const report = parsed.report;
    console.log(JSON.stringify({ counters: report.counters, notes: report.notes }));
    expect(report.status).toBe("complete");
    expect(report.counters.backend_outages).toBeGreaterThanOrEqual(1);
    expect(report.counters.backend_outage_ms).toBeGreaterThan(0);
    expect(report.counters.reconnects).toBeGreaterThan(0);
    expect(report.notes.join("\n")).toMatch(/backend outage: no answer from [\d.]+ s to [\d.]+ s into the run/);
    console.log(`restart: ledger ${JSON.stringify(findings.acknowledged)}; simulate saw ${report.counters.backend_outages} outage(s), ${report.counters.backend_outage_ms} ms, ${report.counters.reconnects} reconnects, verdict ${report.verdict}`);
  });
});
