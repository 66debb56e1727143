// `npm run bench:backend`: the embedded backend's figures, all measured in
// ONE run on this machine so every ratio compares numbers taken side by side.
//
//   (a) loopback floor       bare `ws` echo server (own process), round trip
//   (b) mutation → 1 viewer  lean writer + 1 raw passive subscriber, backend in its own process
//   (b′)                      the same with the official ConvexClient at both ends (info)
//                            (a), (b), (b′) are sampled in alternating blocks so their ratios hold
//   (c) mutation → 1,000     until the LAST of 1,000 raw subscribers has the update
//   (d) index range          10,000 docs: our engine vs convex-test, same function, own processes
//   (e) 10,000 sessions      backend RSS with 10,000 sockets × 1 subscription each
//
// Every loop is bounded by a sample count and a time budget. Output: one
// Markdown table (stdout), progress on stderr.
import { cpus, loadavg, totalmem } from "node:os";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { RangeKey, RangeResults } from "./indexRange/measure.ts";
import { RANGES } from "./indexRange/measure.ts";
import { measureFanout, openFanout, type FanoutResult } from "./sections/fanout.ts";
import { openFloorProbe } from "./sections/floor.ts";
import { measureIndexRange } from "./sections/indexRange.ts";
import { openOfficialProbe } from "./sections/officialClient.ts";
import { measureSessions } from "./sections/sessions.ts";
import { spawnBackend } from "./support/processes.ts";
import { formatBytes, formatMicros, formatRatio, renderTable, verdict, type Row } from "./support/table.ts";
import { sampleInterleaved, type Budget, type Sampled } from "./support/timing.ts";

const BENCH_APP = fileURLToPath(new URL("./app", import.meta.url));

// (a), (b) and (b′) alternate in blocks of 100 so machine load falls on all three alike.
const INTERLEAVED_BUDGET = { warmup: 100, samples: 2_000, maxMs: 45_000, block: 100 };
const FANOUT_BUDGET: Budget = { warmup: 10, samples: 200, maxMs: 30_000 };
const FANOUT_RECEIVERS = 1_000;
const SESSIONS = 10_000;

// The targets (issue 4).
const MAX_SINGLE_P50_OVER_FLOOR = 5;
const MAX_FANOUT_P99_US = 100_000;
const MAX_ENGINE_OVER_CONVEX_TEST = 1;
const MAX_SESSIONS_RSS_BYTES = 1024 ** 3;

const log = (line: string) => process.stderr.write(`bench: ${line}\n`);

async function main(): Promise<void> {
  const startedAt = new Date();
  // Other work on the machine shows up in every figure; the load average is printed with them.
  const loadAtStart = loadavg()[0];
  const { floor, single, official, fanout } = await measureLatencies();
  log("(d) index range over 10,000 documents: engine, then convex-test");
  const ranges = await measureIndexRange();
  log(`(e) ${SESSIONS} sessions with a subscription each (fresh csn-rt serve)`);
  const sessions = await measureSessions(BENCH_APP, SESSIONS);

  const rows: Row[] = [
    {
      figure: "(a) loopback ws echo round trip (floor)",
      p50: formatMicros(floor.p50),
      p99: formatMicros(floor.p99),
      ratio: "1.00× floor",
      target: "—",
      verdict: "info",
    },
    {
      figure: "(b) mutation → 1 passive subscriber",
      p50: formatMicros(single.p50),
      p99: formatMicros(single.p99),
      ratio: formatRatio(single.p50 / floor.p50, "floor"),
      target: `p50 ≤ ${MAX_SINGLE_P50_OVER_FLOOR}× floor`,
      verdict: verdict(single.p50 <= MAX_SINGLE_P50_OVER_FLOOR * floor.p50 && single.lost === 0),
    },
    {
      figure: "(b′) same, official ConvexClient both ends",
      p50: formatMicros(official.p50),
      p99: formatMicros(official.p99),
      ratio: formatRatio(official.p50 / floor.p50, "floor"),
      target: "—",
      verdict: "info",
    },
    {
      figure: `(c) mutation → last of ${FANOUT_RECEIVERS.toLocaleString("en-US")} subscribers`,
      p50: formatMicros(fanout.p50),
      p99: formatMicros(fanout.p99),
      ratio: formatRatio(fanout.p50 / floor.p50, "floor"),
      target: `p99 ≤ ${MAX_FANOUT_P99_US / 1000} ms`,
      verdict: verdict(fanout.p99 <= MAX_FANOUT_P99_US && fanout.lostDeliveries === 0),
    },
    ...RANGES.flatMap((range) => rangeRows(range.key, range.label, ranges.engine, ranges.convexTest)),
    {
      figure: `(e) server RSS, ${SESSIONS.toLocaleString("en-US")} sessions × 1 subscription`,
      p50: formatBytes(sessions.rssBytes),
      p99: `peak ${formatBytes(sessions.peakRssBytes)}`,
      ratio: `idle ${formatBytes(sessions.idleRssBytes)}`,
      target: `< ${formatBytes(MAX_SESSIONS_RSS_BYTES)}`,
      verdict: verdict(sessions.peakRssBytes < MAX_SESSIONS_RSS_BYTES),
    },
  ];

  const out = process.stdout;
  out.write(`csn-rt backend benchmark — ${startedAt.toISOString()}\n`);
  out.write(`${environment()}\n`);
  out.write(`1-minute load average: ${loadAtStart.toFixed(2)} at start, ${loadavg()[0].toFixed(2)} at end (${cpus().length} cores)\n\n`);
  out.write(`${renderTable(rows)}\n\n`);
  out.write(
    [
      `samples: (a) ${floor.count}, (b) ${single.count}, (b′) ${official.count}, (c) ${fanout.count} updates × ${fanout.receivers} receivers` +
        `, (d) ${RANGES.map((r) => `${ranges.engine[r.key].count}/${ranges.convexTest[r.key].count}`).join(" and ")} (engine/convex-test)`,
      `lost: (a) ${floor.lost}, (b) ${single.lost}, (b′) ${official.lost} samples; (c) ${fanout.lost} samples / ${fanout.lostDeliveries} deliveries` +
        ` (an update not seen by every receiver within 5 s)`,
      `CPU while sampling (c), in cores: server ${fanout.serverCores.toFixed(2)}, load side ${fanout.loadSideCores.toFixed(2)}`,
      `(e) ${sessions.sessions.toLocaleString("en-US")} sessions opened in ${sessions.openSeconds.toFixed(1)} s; each watches its own query (${sessions.sessions.toLocaleString("en-US")} distinct live queries)`,
      cutShortNote({ "(a)": floor.cutShort, "(b)": single.cutShort, "(b′)": official.cutShort, "(c)": fanout.cutShort }, ranges),
    ]
      .filter((line) => line !== "")
      .join("\n") + "\n",
  );
}

/** (a), (b), (b′) interleaved, then (c); every process and socket opened here is closed here. */
async function measureLatencies(): Promise<{ floor: Sampled; single: Sampled; official: Sampled; fanout: FanoutResult }> {
  const cleanups: Array<() => Promise<void>> = [];
  try {
    log("spawning csn-rt serve and the ws echo server");
    const backend = await spawnBackend(BENCH_APP);
    cleanups.push(backend.stop);
    const floorProbe = await openFloorProbe();
    cleanups.push(floorProbe.close);
    const singleFanout = await openFanout(backend, 1);
    cleanups.push(singleFanout.close);
    const officialProbe = await openOfficialProbe(backend.url);
    cleanups.push(officialProbe.close);

    log("(a), (b), (b′) in alternating blocks");
    const [floor, single, official] = await sampleInterleaved(
      [floorProbe.probe, singleFanout.probe, officialProbe.probe],
      INTERLEAVED_BUDGET,
    );
    // Nothing but the backend and the 1,000 receivers of (c) may run while (c) is measured.
    await Promise.all(cleanups.splice(1).map((close) => close()));
    log(`(c) mutation → last of ${FANOUT_RECEIVERS} subscribers`);
    const fanout = await measureFanout(backend, FANOUT_RECEIVERS, FANOUT_BUDGET);
    return { floor, single, official, fanout };
  } finally {
    for (const close of cleanups.reverse()) await close();
  }
}

function rangeRows(key: RangeKey, label: string, engine: RangeResults, convexTest: RangeResults): Row[] {
  const ours = engine[key];
  const theirs = convexTest[key];
  return [
    {
      figure: `(d) index range, ${label}: engine`,
      p50: formatMicros(ours.p50),
      p99: formatMicros(ours.p99),
      ratio: formatRatio(ours.p50 / theirs.p50, "convex-test"),
      target: `p50 ≤ ${MAX_ENGINE_OVER_CONVEX_TEST}× convex-test`,
      verdict: verdict(ours.p50 <= MAX_ENGINE_OVER_CONVEX_TEST * theirs.p50),
    },
    {
      figure: `(d) index range, ${label}: convex-test`,
      p50: formatMicros(theirs.p50),
      p99: formatMicros(theirs.p99),
      ratio: "1.00× convex-test",
      target: "—",
      verdict: "info",
    },
  ];
}

function cutShortNote(flags: Record<string, boolean>, ranges: { engine: RangeResults; convexTest: RangeResults }): string {
  const cut = Object.entries(flags)
    .filter(([, value]) => value)
    .map(([name]) => name);
  for (const range of RANGES) {
    if (ranges.engine[range.key].cutShort) cut.push(`(d) ${range.label} engine`);
    if (ranges.convexTest[range.key].cutShort) cut.push(`(d) ${range.label} convex-test`);
  }
  return cut.length === 0 ? "" : `time budget ended sampling early for: ${cut.join(", ")}`;
}

function environment(): string {
  const require = createRequire(import.meta.url);
  const versionOf = (name: string) => (require(`${name}/package.json`) as { version: string }).version;
  const cpu = cpus();
  return (
    `node ${process.version}, ${cpu.length} × ${cpu[0]?.model.trim() ?? "unknown CPU"}, ${formatBytes(totalmem())} RAM, ` +
    `convex ${versionOf("convex")}, convex-test ${versionOf("convex-test")}`
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
