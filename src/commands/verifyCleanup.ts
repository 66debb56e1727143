// `csn-rt verify-cleanup`: proves the live-session lifecycle end to end —
// heartbeats, crashes, leaves, lost connections, stale-session cleanup and
// exact viewer counts — against the embedded backend on its virtual clock
// (seconds) or a deployment in real time (--url; minutes, with a progress
// bar). Writes the JSON report and exits with its verdict's code.
import { Command, Option } from "commander";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { usageErrors } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import { parseThresholds } from "../metrics/thresholds.ts";
import { summaryText } from "../ui/summary.ts";
import { verifyOutput, type VerifyOutput } from "../ui/verifyOutput.ts";
import { DEFAULT_VERIFY_CONFIG, validateVerifyConfig, type VerifyConfig } from "../verify/config.ts";
import { runVerifyCleanup, type VerifyBackend } from "../verify/runVerifyCleanup.ts";
import { VERIFY_SCENARIO, VERIFY_THRESHOLDS } from "../verify/verifyReport.ts";
import type { CommandContext } from "./context.ts";
import { parseNumber, parseUrl } from "./optionParsers.ts";
import { runAction } from "./runAction.ts";
import { DEFAULT_KEY_FILE, isCi, signingAuth } from "./signingAuth.ts";
import { VERDICT_EXIT } from "./simulate.ts";
import { toolVersion } from "./toolVersion.ts";

const DEFAULT_FUNCTIONS_DIR = fileURLToPath(new URL("../../convex", import.meta.url));

type VerifyFlags = {
  url?: string;
  adminKey?: string;
  keyFile?: string;
  issuer?: string;
  audience?: string;
  functions?: string;
  sessions?: string;
  games?: string;
  stale?: string;
  minutes?: string;
  seed?: string;
  clock?: "virtual" | "real";
  report?: string;
  tui?: boolean;
  quiet?: boolean;
  json?: boolean;
};

export function verifyCleanupCommand(): Command {
  const d = DEFAULT_VERIFY_CONFIG;
  return new Command("verify-cleanup")
    .description("prove the session lifecycle: heartbeats, crashes, leaves, reconnects, stale-session cleanup and exact viewer counts")
    .option("--url <url>", "a deployment to verify in real time (default: the embedded backend on a virtual clock); also CONVEX_URL")
    .option("--admin-key <key>", "the deployment's admin key (reads session states, seeds games); also CONVEX_ADMIN_KEY")
    .option("--key-file <path>", "signing key the deployment trusts (with --url; made by csn-rt keys)", DEFAULT_KEY_FILE)
    .option("--issuer <url>", "issuer of the test tokens; must match CSN_AUTH_ISSUER of the deployment")
    .option("--audience <aud>", "audience of the test tokens, if the deployment requires one")
    .option("--functions <dir>", "the convex/ folder the embedded backend loads", DEFAULT_FUNCTIONS_DIR)
    .option("--sessions <n>", "viewer sessions living a full lifecycle, each on its own connection", String(d.sessions))
    .option("--games <n>", "games the sessions are spread over", String(d.games))
    .option("--stale <n>", "extra sessions that join together and never heartbeat (one cleanup must retire them all)", String(d.stale))
    .option("--minutes <n>", "minutes the lifecycle runs (simulated on the virtual clock), checked after every minute", String(d.minutes))
    .option("--seed <n>", "seed for every fate and timing", String(d.seed))
    .addOption(new Option("--clock <mode>", "virtual (embedded backend; seconds) or real (a deployment; --minutes of real time)").choices(["virtual", "real"]))
    .option("--report <file>", "where to write the JSON report (default reports/verify-cleanup-<time>.json)")
    .option("--no-tui", "plain progress lines instead of a redrawn progress bar")
    .option("--quiet", "print only the final summary")
    .option("--json", "print the report to stdout instead of the summary")
    .action(runAction((ctx, flags: VerifyFlags) => verifyCleanup(ctx, flags)));
}

async function verifyCleanup(ctx: CommandContext, flags: VerifyFlags): Promise<ExitCode> {
  const problems: string[] = [];
  const config = parseConfig(flags, problems);
  const backend = chooseBackend(ctx, flags, config, problems);
  const thresholds = parseThresholds([...VERIFY_THRESHOLDS]);
  problems.push(...thresholds.errors);
  if (problems.length === 0) problems.push(...validateVerifyConfig(config));
  if (problems.length > 0) throw usageErrors(problems, "csn-rt verify-cleanup --help lists every option");

  const auth = await signingAuth(ctx, flags, backend);
  const reportPath = resolve(ctx.cwd, flags.report ?? `reports/verify-cleanup-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const output = chooseOutput(ctx, flags);
  announce(output, config, backend);

  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(ExitCode.error);
    output.notice("stopping: closing connections and writing the partial report (Ctrl-C again to quit at once)");
    controller.abort();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  let result;
  try {
    result = await runVerifyCleanup(
      { config, backend, auth, thresholds: thresholds.thresholds, reportPath, toolVersion: await toolVersion() },
      { signal: controller.signal, log: output.log, progress: output.progress },
    );
  } finally {
    await output.close();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  if (flags.json) ctx.stdout.write(JSON.stringify(result.report, null, 2) + "\n");
  else ctx.stdout.write(summaryText(result.report, result.reportPath));
  return VERDICT_EXIT[result.report.verdict];
}

function parseConfig(flags: VerifyFlags, problems: string[]): VerifyConfig {
  const config = { ...DEFAULT_VERIFY_CONFIG };
  const numeric = [
    ["sessions", "--sessions"],
    ["games", "--games"],
    ["stale", "--stale"],
    ["minutes", "--minutes"],
    ["seed", "--seed"],
  ] as const;
  for (const [key, flag] of numeric) {
    const text = flags[key];
    if (text === undefined) continue;
    const parsed = parseNumber(flag, text);
    if (parsed.ok) config[key] = parsed.value;
    else problems.push(parsed.error);
  }
  return config;
}

function chooseBackend(ctx: CommandContext, flags: VerifyFlags, config: VerifyConfig, problems: string[]): VerifyBackend {
  const rawUrl = flags.url ?? ctx.env.CONVEX_URL;
  // The embedded backend is started on the virtual clock; a deployment runs on real time.
  config.clock = flags.clock ?? (rawUrl === undefined ? "virtual" : "real");
  if (rawUrl === undefined) return { kind: "embedded", functionsDir: resolve(ctx.cwd, flags.functions ?? DEFAULT_FUNCTIONS_DIR) };
  const url = parseUrl("--url", rawUrl);
  if (!url.ok) problems.push(url.error);
  const adminKey = flags.adminKey ?? ctx.env.CONVEX_ADMIN_KEY;
  if (!adminKey) problems.push("--admin-key (or CONVEX_ADMIN_KEY) is needed with --url: session states are read with the admin key");
  return { kind: "remote", url: url.ok ? url.value : rawUrl, adminKey: adminKey ?? "" };
}


function chooseOutput(ctx: CommandContext, flags: VerifyFlags): VerifyOutput {
  if (flags.quiet || flags.json) return verifyOutput(ctx.stderr, "quiet");
  const tty = flags.tui !== false && !isCi(ctx.env) && (ctx.stderr as { isTTY?: boolean }).isTTY === true;
  return verifyOutput(ctx.stderr, tty ? "tty" : "plain");
}

/** Says up front what will run and for how long (a real-time run takes minutes). */
function announce(output: VerifyOutput, config: VerifyConfig, backend: VerifyBackend): void {
  const n = (x: number) => x.toLocaleString("en-US");
  const what = `verify-cleanup (${VERIFY_SCENARIO}): ${n(config.sessions)} sessions over ${n(config.games)} game(s) and ${n(config.stale)} stale, ${config.minutes} minutes, seed ${config.seed}`;
  const where = backend.kind === "embedded" ? "the embedded backend" : backend.url;
  if (config.clock === "virtual") {
    output.log(`${what} on ${where}'s virtual clock: usually well under a minute of wall time`);
    return;
  }
  const ends = new Date(Date.now() + config.minutes * 60_000).toLocaleTimeString();
  output.notice(`${what} against ${where} in REAL time: about ${config.minutes} min plus set-up (ends around ${ends}); Ctrl-C stops early with a partial report`);
}
