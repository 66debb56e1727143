// `csn-rt simulate [scenario]`: run a scenario against the embedded backend
// (default) or a Convex deployment (--url), print progress and a summary,
// write the JSON report, and exit with the verdict's code.
import { Command, Option } from "commander";
import { readFile } from "node:fs/promises";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError, usageErrors } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import { metricNameLines } from "../metrics/metricNames.ts";
import { parseThresholds, type Threshold } from "../metrics/thresholds.ts";
import type { Report, Verdict } from "../metrics/report.ts";
import { validateBaseConfig } from "../scenarios/config.ts";
import { findScenario, SCENARIOS } from "../scenarios/index.ts";
import { runSimulation, type BackendChoice } from "../load/simulation.ts";
import { startDashboard } from "../ui/dashboard/startDashboard.tsx";
import { plainOutput } from "../ui/plainOutput.ts";
import { quietOutput } from "../ui/quietOutput.ts";
import type { RunOutput } from "../ui/runOutput.ts";
import { summaryText } from "../ui/summary.ts";
import { renderReportHtml } from "../report/html/renderReportHtml.ts";
import { writeOutputFile } from "../report/writeOutput.ts";
import type { CommandContext } from "./context.ts";
import { parseShard, parseUrl } from "./optionParsers.ts";
import { runAction } from "./runAction.ts";
import { DEFAULT_KEY_FILE, isCi, signingAuth } from "./signingAuth.ts";
import { CONFIG_FLAGS, machineDefaults, resolveConfig } from "./scenarioOptions.ts";
import { toolVersion } from "./toolVersion.ts";

const DEFAULT_SCENARIO = "game-night";
const DEFAULT_FUNCTIONS_DIR = fileURLToPath(new URL("../../convex", import.meta.url));

export const VERDICT_EXIT: Record<Verdict, ExitCode> = {
  pass: ExitCode.pass,
  fail: ExitCode.thresholdFailed,
  inconclusive: ExitCode.inconclusive,
};

type SimulateFlags = {
  list?: boolean;
  listMetrics?: boolean;
  url?: string;
  adminKey?: string;
  keyFile?: string;
  issuer?: string;
  audience?: string;
  config?: string;
  threshold?: string[];
  report?: string;
  html?: boolean | string;
  shard?: string;
  functions?: string;
  tui?: boolean;
  quiet?: boolean;
  json?: boolean;
  [flag: string]: unknown;
};

export function simulateCommand(): Command {
  const command = new Command("simulate")
    .description("run a scenario of virtual viewers and measure it against the CSN targets")
    .argument("[scenario]", `one of: ${SCENARIOS.map((s) => s.name).join(", ")}`)
    .option("--list", "list the scenarios and their defaults")
    .option("--list-metrics", "list the metric names thresholds and reports use")
    .option("--url <url>", "a Convex deployment to test (default: start the embedded backend); also CONVEX_URL")
    .option("--admin-key <key>", "the deployment's admin key, for seeding; also CONVEX_ADMIN_KEY")
    .option("--key-file <path>", `signing key the deployment trusts (with --url; made by csn-rt keys)`, DEFAULT_KEY_FILE)
    .option("--issuer <url>", "issuer of the test tokens; must match CSN_AUTH_ISSUER of the deployment")
    .option("--audience <aud>", "audience of the test tokens, if the deployment requires one")
    .option("--config <file.json>", "scenario settings as JSON (keys as in the report's config)")
    .option("--threshold <expr>", "a pass/fail rule such as 'mutation_to_subscription p99<300ms' (repeatable; overrides the default for the same metric and statistic)", collect, [])
    .option("--report <file>", "where to write the JSON report (default reports/<scenario>-<time>.json)")
    .option("--html [file]", "also write the HTML report with plots (default: beside the JSON report)")
    .option("--shard <i/N>", "run the i-th of N slices of the scenario (for several machines)")
    .option("--functions <dir>", "the convex/ folder the embedded backend loads", DEFAULT_FUNCTIONS_DIR)
    .option("--no-tui", "plain progress lines instead of the dashboard")
    .option("--quiet", "print only the final summary")
    .option("--json", "print the report to stdout instead of the summary");
  for (const { flag, description } of CONFIG_FLAGS) command.addOption(new Option(`${flag} <value>`, description));
  return command.action(runAction((ctx, scenario: string | undefined, flags: SimulateFlags) => simulate(ctx, scenario, flags)));
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

async function simulate(ctx: CommandContext, scenarioName: string | undefined, flags: SimulateFlags): Promise<ExitCode> {
  if (flags.list) {
    for (const s of SCENARIOS) ctx.stdout.write(`${s.name.padEnd(14)} ${s.description}\n`);
    return ExitCode.pass;
  }
  if (flags.listMetrics) {
    for (const line of metricNameLines()) ctx.stdout.write(`${line}\n`);
    return ExitCode.pass;
  }
  const fileConfig = flags.config ? await readConfigFile(resolve(ctx.cwd, flags.config)) : undefined;
  const name = scenarioName ?? (typeof fileConfig?.scenario === "string" ? fileConfig.scenario : DEFAULT_SCENARIO);
  const scenario = findScenario(name);
  if (scenario === undefined) {
    throw new CliError(`unknown scenario "${name}"`, ExitCode.badUsage, `choose one of: ${SCENARIOS.map((s) => s.name).join(", ")} (csn-rt simulate --list)`);
  }

  const { config, problems } = resolveConfig({
    machineDefaults: machineDefaults(availableParallelism()),
    scenarioDefaults: scenario.defaults,
    file: fileConfig,
    fileName: flags.config,
    flags,
  });
  // Values that failed to parse kept their defaults, so validating now reports only new problems.
  problems.push(...validateBaseConfig(config), ...scenario.validate(config));
  const fileThresholds = Array.isArray(fileConfig?.thresholds) ? fileConfig.thresholds.map(String) : [];
  const thresholds = mergeThresholds(scenario.thresholds, [...fileThresholds, ...(flags.threshold ?? [])], problems);
  const shard = flags.shard === undefined ? undefined : parseShard(flags.shard);
  if (shard && !shard.ok) problems.push(shard.error);
  const backend = chooseBackend(ctx, flags, problems);
  if (problems.length > 0) throw usageErrors(problems, "csn-rt simulate --help lists every option");

  const auth = await signingAuth(ctx, flags, backend);
  const reportPath = resolve(ctx.cwd, flags.report ?? `reports/${scenario.name}-${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const version = await toolVersion();
  const controller = new AbortController();
  // Ctrl-C (SIGINT), SIGTERM, and q or Ctrl-C on the dashboard (raw mode swallows SIGINT) all end up here.
  const stop = () => {
    if (controller.signal.aborted) process.exit(ExitCode.error);
    output.notice("stopping: closing connections and writing the partial report (Ctrl-C again to quit at once)");
    controller.abort();
  };
  const output = chooseOutput(ctx, flags, { scenario: scenario.name, thresholds, onStop: stop });
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  let report: Report;
  try {
    ({ report } = await runSimulation(
      { scenario, config, thresholds, backend, auth, shard: shard?.ok ? shard.value : undefined, reportPath, toolVersion: version },
      { signal: controller.signal, log: output.log, progress: output.progress },
    ));
  } finally {
    // The dashboard must be gone before anything else is printed.
    await output.close();
    process.off("SIGINT", stop);
    process.off("SIGTERM", stop);
  }
  let htmlPath: string | null = null;
  if (flags.html) {
    htmlPath = typeof flags.html === "string" ? resolve(ctx.cwd, flags.html) : reportPath.replace(/\.json$/, "") + ".html";
    await writeOutputFile(htmlPath, renderReportHtml(report));
  }
  if (flags.json) ctx.stdout.write(JSON.stringify(report, null, 2) + "\n");
  else ctx.stdout.write(summaryText(report, reportPath) + (htmlPath ? `html: ${htmlPath}\n` : ""));
  return VERDICT_EXIT[report.verdict];
}

/** The dashboard on an interactive terminal; plain lines for pipes, CI and --no-tui; silence for --quiet / --json. */
function chooseOutput(ctx: CommandContext, flags: SimulateFlags, dashboard: { scenario: string; thresholds: Threshold[]; onStop: () => void }): RunOutput {
  if (flags.quiet || flags.json) return quietOutput(ctx.stderr);
  if (flags.tui === false || !ctx.stdout.isTTY || isCi(ctx.env)) return plainOutput(ctx.stderr);
  return startDashboard({ ...dashboard, stdout: ctx.stdout as NodeJS.WriteStream, stderr: ctx.stderr as NodeJS.WriteStream, stdin: process.stdin });
}


async function readConfigFile(path: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read the config file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, ExitCode.badUsage);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("expected a JSON object");
    return parsed as Record<string, unknown>;
  } catch (error) {
    throw new CliError(`the config file ${path} is not a JSON object: ${(error as Error).message}`, ExitCode.badUsage);
  }
}

/** Scenario defaults, overridden per (metric, statistic) by the user's rules. */
function mergeThresholds(defaults: readonly string[], overrides: readonly string[], problems: string[]): Threshold[] {
  const parsedDefaults = parseThresholds(defaults);
  const parsedOverrides = parseThresholds(overrides);
  problems.push(...parsedDefaults.errors, ...parsedOverrides.errors);
  const key = (t: Threshold) => `${t.metric} ${t.kind === "latency" ? JSON.stringify(t.stat) : ""}`;
  const byKey = new Map(parsedDefaults.thresholds.map((t) => [key(t), t]));
  for (const t of parsedOverrides.thresholds) byKey.set(key(t), t);
  return [...byKey.values()];
}

function chooseBackend(ctx: CommandContext, flags: SimulateFlags, problems: string[]): BackendChoice {
  const rawUrl = flags.url ?? ctx.env.CONVEX_URL;
  if (rawUrl === undefined) return { kind: "embedded", functionsDir: resolve(ctx.cwd, flags.functions ?? DEFAULT_FUNCTIONS_DIR) };
  const url = parseUrl("--url", rawUrl);
  if (!url.ok) {
    problems.push(url.error);
    return { kind: "remote", url: rawUrl, adminKey: "" };
  }
  const adminKey = flags.adminKey ?? ctx.env.CONVEX_ADMIN_KEY;
  if (!adminKey) problems.push("--admin-key (or CONVEX_ADMIN_KEY) is needed with --url, to seed the deployment");
  return { kind: "remote", url: url.value, adminKey: adminKey ?? "" };
}

