// `npm run bench:queries`: each query the app runs, timed at the story's
// scale (bench/queries/story.ts), on two targets one after the other:
//
//   engine  the embedded engine in this process: args validation, the
//           function, its index reads, read-set recording — no network
//   http    `csn-rt serve` in its own process, called over loopback HTTP with
//           the official ConvexHttpClient (POST /api/query), token already
//           verified once per user as on a live connection
//
// Each target is seeded afresh with the same seeded random story. Output: a
// Markdown table on stdout (docs/realtime.md shows it), progress on stderr.
// Not part of `npm test`; takes a few minutes.
import { cpus, loadavg, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { authEnvironment, createTokenMinter, generateSigningKey } from "../src/load/tokens.ts";
import { QUERY_CASES, SAMPLED_USERS, TABLE_HEADER } from "./queries/cases.ts";
import { randomSource, SCALE, seedStory, type Story } from "./queries/story.ts";
import { engineTarget, httpTarget, type Target } from "./queries/target.ts";
import { spawnBackend } from "./support/processes.ts";
import { formatMicros } from "./support/table.ts";
import { microsBetween, sample, type Budget, type Sampled } from "./support/timing.ts";

const CSN_APP = fileURLToPath(new URL("../convex", import.meta.url));
const ISSUER = "https://csn-rt.bench-queries";
/** The CSN target for queries (continue watching, viewer count, chat page): p99 under 50 ms. */
const TARGET_P99_US = 50_000;
// The warm-up visits each sampled user once (their token verified, as a live connection's would be); then 2,000 samples or 15 s per query.
const BUDGET: Budget = { warmup: SAMPLED_USERS, samples: 2_000, maxMs: 15_000 };

const log = (line: string) => process.stderr.write(`${line}\n`);

async function measure(target: Target, story: Story): Promise<Sampled[]> {
  const results: Sampled[] = [];
  for (const queryCase of QUERY_CASES) {
    const random = randomSource(7);
    const callOf = await queryCase.prepare(target, story, random);
    results.push(
      await sample(BUDGET, async (i) => {
        const call = callOf(i);
        const started = performance.now();
        const value = await target.query(queryCase.fn, call.args, call.who);
        const us = microsBetween(started, performance.now());
        queryCase.check(value, call);
        return us;
      }),
    );
    log(`  ${target.name}: ${queryCase.label} measured`);
  }
  return results;
}

const startedAt = new Date();
const loadAtStart = loadavg()[0];
const signingKey = await generateSigningKey();

log("engine: seeding the story in this process…");
const engine = await engineTarget(CSN_APP, ISSUER);
const engineStory = await seedStory(engine, log);
const engineResults = await measure(engine, engineStory);
await engine.close();

log("http: starting csn-rt serve and seeding the story over HTTP…");
const server = await spawnBackend(CSN_APP, authEnvironment(signingKey, ISSUER));
let httpResults: Sampled[];
let httpStory: Story;
try {
  const http = httpTarget(server.url, server.adminKey, await createTokenMinter({ key: signingKey, issuer: ISSUER }));
  httpStory = await seedStory(http, log);
  httpResults = await measure(http, httpStory);
} finally {
  await server.stop();
}

const header = [...TABLE_HEADER];
const rows = QUERY_CASES.map((queryCase, i) => {
  const e = engineResults[i];
  const h = httpResults[i];
  const pass = e.p99 < TARGET_P99_US && h.p99 < TARGET_P99_US;
  return [queryCase.label, `\`${queryCase.fn}\``, queryCase.index, formatMicros(e.p50), formatMicros(e.p99), formatMicros(h.p50), formatMicros(h.p99), "p99 < 50 ms", pass ? "PASS" : "MISS"];
});
const widths = header.map((_, c) => Math.max(...[header, ...rows].map((r) => r[c].length)));
const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(widths[c])).join(" | ")} |`;

const cpu = cpus();
process.stdout.write(
  [
    `csn-rt query benchmark — ${startedAt.toISOString()}`,
    `node ${process.version}, ${cpu.length} × ${cpu[0]?.model.split(" ").slice(0, 2).join(" ") ?? "cpu"}, ${Math.round(totalmem() / 2 ** 20)} MiB RAM`,
    `1-minute load average: ${loadAtStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end (${cpu.length} cores)`,
    `scale: ${SCALE.users.toLocaleString("en")} users × ${SCALE.titlesPerUser} progress rows, ${SCALE.viewers.toLocaleString("en")} viewers in one game, ${SCALE.chatMessages.toLocaleString("en")} chat messages in that game (1 in ${SCALE.hiddenEvery} hidden)`,
    `seeded in ${engineStory.seedSeconds.toFixed(0)} s (engine) and ${httpStory.seedSeconds.toFixed(0)} s (http); samples per query: engine ${engineResults.map((r) => r.count).join("/")}, http ${httpResults.map((r) => r.count).join("/")}`,
    "",
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
  ].join("\n"),
);
