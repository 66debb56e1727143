// `npm run bench:simulate`: the largest audience each scenario sustains on
// this machine with the embedded backend — every run a real `csn-rt simulate`
// subprocess, the verdict and figures read from its JSON report. A step
// "holds" when its verdict is pass (all default thresholds, healthy
// generator); the ladder stops at the first step that does not.
//
//   npm run bench:simulate                 both ladders
//   npm run bench:simulate -- chat-burst   one of them
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseReport, type Report } from "../src/metrics/report.ts";
import { formatActual } from "../src/metrics/verdict.ts";

const CLI = fileURLToPath(new URL("../bin/csn-rt", import.meta.url));
// A step that has not finished in this long is stuck, not slow.
const STEP_TIMEOUT_MS = 10 * 60_000;

type Ladder = { scenario: string; audiences: number[]; args: (audience: number) => string[]; headline: string };

const LADDERS: Ladder[] = [
  {
    scenario: "chat-burst",
    // CSN target: 1,000 viewers of one game at 50 msg/s.
    audiences: [250, 500, 1000, 1500, 2000, 3000],
    args: (viewers) => ["--viewers", String(viewers), "--games", "1", "--chat-rate", "50", "--writers", "50", "--burst", "20s", "--burst-pause", "0", "--duration", "20s", "--ramp", "10s"],
    headline: "mutation_observed_us",
  },
  {
    scenario: "viewers",
    // CSN target: 10,000 viewers across 10 games, 30 s heartbeats.
    audiences: [1000, 2500, 5000, 7500, 10_000, 15_000, 20_000],
    args: (viewers) => ["--viewers", String(viewers), "--games", "10", "--duration", "45s", "--ramp", "30s", "--churn", "0.02", "--vanish", "0.01"],
    headline: "heartbeat_duration_us",
  },
];

function run(args: string[]): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "ignore", "inherit"], env: { ...process.env, CI: "true" } });
    const timer = setTimeout(() => child.kill("SIGKILL"), STEP_TIMEOUT_MS);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const ms = (us: number | undefined) => (us === undefined ? "—" : `${(us / 1000).toFixed(1)} ms`);

async function climb(ladder: Ladder, dir: string): Promise<string[]> {
  const rows: string[] = [];
  let held: number | null = null;
  for (const audience of ladder.audiences) {
    const reportPath = join(dir, `${ladder.scenario}-${audience}.json`);
    process.stderr.write(`\n── ${ladder.scenario} with ${audience} viewers ──\n`);
    const code = await run(["simulate", ladder.scenario, ...ladder.args(audience), "--quiet", "--report", reportPath]);
    let report: Report;
    try {
      const parsed = parseReport(JSON.parse(readFileSync(reportPath, "utf8")));
      if (!parsed.ok) throw new Error(parsed.errors.join("; "));
      report = parsed.report;
    } catch (error) {
      rows.push(`| ${ladder.scenario} | ${audience} | no report (exit ${code}): ${(error as Error).message} | | | | |`);
      break;
    }
    const headline = report.metrics[ladder.headline as keyof Report["metrics"]];
    const failed = report.thresholds.filter((t) => !t.pass).map((t) => `${t.expression} (${formatActual(t)})`);
    // A step whose viewers were let in late ran with fewer of them than its label says.
    const connect = report.metrics.connect_us;
    rows.push(
      `| ${ladder.scenario} | ${audience} | ${report.verdict} | ${ladder.headline.replace(/_us$/, "")} p50 ${ms(headline?.p50)} p99 ${ms(headline?.p99)}` +
        `${connect ? `; connect p99 ${ms(connect.p99)}` : ""} | ` +
        `${report.counters.deliveries_lost ?? 0} | ${report.generator.processes} × ${report.generator.eventLoopLagMs.p99} ms / ${report.generator.cpuPercent.mean} % | ` +
        `${[...failed, ...report.generator.reasons].join("; ") || "—"} |`,
    );
    if (report.verdict !== "pass") break;
    held = audience;
  }
  rows.push(`| **${ladder.scenario}** | **largest that holds: ${held ?? "none"}** | | | | | |`);
  return rows;
}

const only = process.argv[2];
const ladders = LADDERS.filter((l) => only === undefined || l.scenario === only);
if (ladders.length === 0) {
  process.stderr.write(`unknown ladder "${only}"; choose ${LADDERS.map((l) => l.scenario).join(" or ")}\n`);
  process.exit(2);
}
const dir = mkdtempSync(join(tmpdir(), "csn-rt-bench-simulate-"));
const rows: string[] = [];
for (const ladder of ladders) rows.push(...(await climb(ladder, dir)));
process.stdout.write(
  [
    "",
    `csn-rt simulate ladder — ${new Date().toISOString()}, embedded backend, default load processes (one per core, up to 4)`,
    "",
    "| scenario | viewers | verdict | headline latency | lost deliveries | load processes × lag p99 / cpu | failed |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
    "",
    `Each step's full report: ${dir}`,
    "",
  ].join("\n"),
);
