// `simulate --shard i/N` as several machines would run it, on one machine:
// one `csn-rt serve` trusting a key from `csn-rt keys`, the shards run at the
// same time against it with --url / --admin-key / --key-file, their reports
// merged with `report merge` — and compared with the same run unsharded.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { parseReport, type Report } from "../../src/metrics/report.ts";
import { runCli, startServe, type ServedBackend } from "../support/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "csn-rt-shards-"));
const keyFile = join(dir, "signing-key.json");
const ISSUER = "https://shards.csn-rt.test";
// Small and deterministic: continuous bursts (so the schedule fixes how many
// messages are sent), no moderation (its arrivals round per process), and a
// ramp that has every viewer subscribed well before the first message.
const CHAT = ["--viewers", "8", "--chat-rate", "3", "--writers", "3", "--burst", "2s", "--burst-pause", "0", "--duration", "2s", "--ramp", "4s", "--grace", "1s"];
const QUIET = ["--workers", "1", "--official-clients", "0", "--moderation-rate", "0", "--quiet"];

let backend: ServedBackend;

beforeAll(async () => {
  const keys = await runCli(["keys", "--key-file", keyFile, "--issuer", ISSUER, "--format", "json"]);
  expect(keys.code, keys.stderr).toBe(0);
  // `csn-rt serve` with the environment `csn-rt keys` printed, as a deployment would be configured.
  backend = await startServe([], { env: JSON.parse(keys.stdout) as Record<string, string> });
}, 60_000);

afterAll(async () => {
  if (backend) await backend.stop();
});

async function simulate(name: string, args: string[]): Promise<Report> {
  const reportPath = join(dir, `${name}.json`);
  const run = await runCli(
    ["simulate", "chat-burst", "--url", backend.url, "--admin-key", backend.adminKey, "--key-file", keyFile, "--issuer", ISSUER, ...args, "--report", reportPath],
    { timeoutMs: 90_000 },
  );
  expect(run.timedOut, `${name} did not exit by itself:\n${run.stderr}`).toBe(false);
  expect([0, 99, 3], `${name} failed:\n${run.stderr}`).toContain(run.code);
  return readReport(reportPath);
}

function readReport(path: string): Report {
  const parsed = parseReport(JSON.parse(readFileSync(path, "utf8")));
  if (!parsed.ok) throw new Error(parsed.errors.join("\n"));
  return parsed.report;
}

async function merge(name: string, shards: string[]): Promise<Report> {
  const output = join(dir, `${name}.json`);
  const run = await runCli(["report", "merge", ...shards.map((s) => join(dir, `${s}.json`)), "-o", output]);
  expect([0, 99, 3], run.stderr).toContain(run.code);
  return readReport(output);
}

/** The run ids and sending processes in a game's chat, read back through the public API. */
async function chatOrigins(gameId: string): Promise<Set<string>> {
  const response = await fetch(`${backend.url}/api/query`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ path: "chat:listMessages", args: { gameId, limit: 200 }, format: "json" }),
  });
  const body = (await response.json()) as { value: { message: string }[] };
  return new Set(body.value.map((m) => /csn-rt~([a-z0-9]+)~\d+~(\d+)~/.exec(m.message)).filter((m) => m !== null).map((m) => `${m[1]}/${m[2]}`));
}

async function gamesOfRun(key: string, count: number): Promise<string[]> {
  const response = await fetch(`${backend.url}/api/mutation`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Convex ${backend.adminKey}` },
    body: JSON.stringify({ path: "seed:createGames", args: { count, key }, format: "json" }),
  });
  return ((await response.json()) as { value: string[] }).value;
}

describe("simulate --shard on one machine", () => {
  test("two shards of a run, run at once, merge to the same totals as the run unsharded", { timeout: 180_000 }, async () => {
    const run = [...CHAT, "--games", "2", "--seed", "11", ...QUIET];
    const [one, two] = await Promise.all([simulate("shard-1", [...run, "--shard", "1/2"]), simulate("shard-2", [...run, "--shard", "2/2"])]);
    expect(one.shard).toEqual({ index: 1, count: 2 });
    expect(two.shard).toEqual({ index: 2, count: 2 });
    expect(one.notes.join("\n")).toMatch(/shard 1 of 2: it ran 1 of the 2 games \(game 1\)/);

    // The shards found the same two games (seeded once, keyed by scenario and --seed), each served
    // by one shard: every message in a game's chat comes from one shard's run and process.
    const [gameA, gameB] = await gamesOfRun("chat-burst.seed-11", 2);
    const [inA, inB] = [await chatOrigins(gameA), await chatOrigins(gameB)];
    expect(inA.size).toBe(1);
    expect(inB.size).toBe(1);
    expect([...inA][0].split("/")[1]).toBe("0"); // shard 1's only process (slice 0 of 2)
    expect([...inB][0].split("/")[1]).toBe("1"); // shard 2's only process (slice 1 of 2)

    const merged = await merge("merged", ["shard-1", "shard-2"]);
    const whole = await simulate("unsharded", run);
    expect(merged.mergedFrom).toBe(2);

    // Counters add up: the merged report holds each shard's counters summed.
    for (const [counter, value] of Object.entries(merged.counters)) {
      expect(value, counter).toBe((one.counters[counter as keyof Report["counters"]] ?? 0) + (two.counters[counter as keyof Report["counters"]] ?? 0));
    }
    // And match the unsharded run where the config fixes them: 2 games × 3 msg/s × 2 s messages,
    // each expected at the 4 viewers of its game, all of them delivered and timed.
    for (const report of [merged, whole]) {
      expect(report.counters.mutations_sent).toBe(12);
      expect(report.counters.deliveries_expected).toBe(12 * 4);
      expect(report.counters.deliveries_received).toBe(12 * 4);
      expect(report.counters.deliveries_lost ?? 0).toBe(0);
      expect(report.counters.mutation_errors ?? 0).toBe(0);
      expect(report.metrics.mutation_observed_us?.count).toBe(12 * 4);
      expect(report.metrics.chat_send_us?.count).toBe(12);
      expect(report.metrics.query_duration_us?.count).toBe(8);
    }
  });

  test("shards sharing one game each time only their own writers' messages, and none looks lost", { timeout: 120_000 }, async () => {
    // One game, two shards: both chats carry all 4 msg/s (the page window turns over as in an
    // unsharded run), but each shard's 4 viewers are held to its own 2 writers' 2 msg/s only.
    const run = [...CHAT, "--games", "1", "--writers", "4", "--chat-rate", "4", "--seed", "12", ...QUIET];
    const [one, two] = await Promise.all([simulate("shared-1", [...run, "--shard", "1/2"]), simulate("shared-2", [...run, "--shard", "2/2"])]);
    const [game] = await gamesOfRun("chat-burst.seed-12", 1);
    expect((await chatOrigins(game)).size).toBe(2); // both shards wrote into the one game
    for (const shard of [one, two]) {
      expect(shard.notes.join("\n")).toMatch(/it shared game 1 with 1 other shard\(s\) and ran 1\/2 of its viewers and writers/);
      expect(shard.counters.mutations_sent).toBe(4);
      expect(shard.counters.deliveries_expected).toBe(4 * 4);
      expect(shard.counters.deliveries_lost ?? 0).toBe(0);
      // The other shard's messages were seen but not timed (its clock is not this machine's).
      expect(shard.metrics.mutation_observed_us?.count).toBe(4 * 4);
    }
  });
});
