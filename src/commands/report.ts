// `csn-rt report html|compare|merge`: the reading side of reports. Each
// action parses its options, calls into src/report/ and returns its exit code.
import { Command, Option } from "commander";
import { resolve } from "node:path";
import { usageErrors } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import { DEFAULT_COMPARE_OPTIONS, parseCompareLimits } from "../report/compare/compareLimits.ts";
import { compareReports } from "../report/compare/compareReports.ts";
import { renderComparisonJson } from "../report/compare/renderComparisonJson.ts";
import { renderComparisonMarkdown } from "../report/compare/renderComparisonMarkdown.ts";
import { renderComparisonText } from "../report/compare/renderComparisonText.ts";
import { renderReportHtml } from "../report/html/renderReportHtml.ts";
import { mergeReports } from "../report/merge/mergeReports.ts";
import { readReport } from "../report/readReport.ts";
import { writeOutputFile } from "../report/writeOutput.ts";
import type { CommandContext } from "./context.ts";
import { runAction } from "./runAction.ts";

const FORMATS = ["table", "json", "markdown"] as const;
export type CompareFormat = (typeof FORMATS)[number];
export type CompareOptions = { maxRegression?: string; minChange?: string; stats?: string; format?: CompareFormat };

export function reportCommand(): Command {
  const report = new Command("report").description("render, compare and merge JSON reports written by simulate");

  report
    .command("html")
    .description("render a report as one self-contained HTML file (no network needed to open it)")
    .argument("<report>", "a JSON report")
    .option("-o, --output <file>", "where to write the page (default: the report's path with .html)")
    .action(runAction((ctx, file: string, options: { output?: string }) => reportHtml(ctx, file, options)));

  report
    .command("compare")
    .description("compare two reports; exits 99 when a latency or problem counter regressed (a CI gate)")
    .argument("<baseline>", "the report to compare against, e.g. reports/baseline.json")
    .argument("<current>", "the new report")
    .option("--max-regression <percent>", "how much a gated latency statistic may grow", DEFAULT_COMPARE_OPTIONS.maxRegression)
    .option("--min-change <duration>", "latency changes smaller than this never count as regressions (timer noise)", DEFAULT_COMPARE_OPTIONS.minChange)
    .option("--stats <list>", "the latency statistics the gate checks", DEFAULT_COMPARE_OPTIONS.stats)
    .addOption(new Option("--format <format>", "output format").choices(FORMATS).default("table"))
    .action(runAction((ctx, baseline: string, current: string, options: CompareOptions) => reportCompare(ctx, baseline, current, options)));

  report
    .command("merge")
    .description("merge shard or repeated-run reports losslessly (histograms decoded and added) and re-decide the verdict")
    .argument("<reports...>", "the reports to merge")
    .requiredOption("-o, --output <file>", "where to write the merged report")
    .action(runAction((ctx, files: string[], options: { output: string }) => reportMerge(ctx, files, options)));

  return report;
}

export async function reportHtml(ctx: CommandContext, file: string, options: { output?: string }): Promise<ExitCode> {
  const report = await readReport(resolve(ctx.cwd, file), file);
  const output = options.output ?? defaultHtmlPath(file);
  await writeOutputFile(resolve(ctx.cwd, output), renderReportHtml(report), output);
  ctx.stdout.write(`wrote ${output} (${report.scenario}, verdict ${report.verdict})\n`);
  return ExitCode.pass;
}

export async function reportCompare(ctx: CommandContext, baselineFile: string, currentFile: string, options: CompareOptions): Promise<ExitCode> {
  const limits = parseCompareLimits(options);
  const format = options.format ?? "table";
  const problems = limits.ok ? [] : [...limits.errors];
  if (!FORMATS.includes(format)) problems.push(`--format must be one of ${FORMATS.join(", ")}, not "${format}"`);
  if (!limits.ok || problems.length > 0) throw usageErrors(problems, "e.g. csn-rt report compare reports/baseline.json new.json --max-regression 10% --min-change 1ms");

  const baseline = await readReport(resolve(ctx.cwd, baselineFile), baselineFile);
  const current = await readReport(resolve(ctx.cwd, currentFile), currentFile);
  const comparison = compareReports(baseline, current, limits.limits);
  const files = { baseline: baselineFile, current: currentFile };
  const rendered =
    format === "json"
      ? renderComparisonJson(comparison, limits.limits, files)
      : format === "markdown"
        ? renderComparisonMarkdown(comparison, limits.limits, files, current.scenario)
        : renderComparisonText(comparison, limits.limits, files);
  ctx.stdout.write(rendered);
  return comparison.regressions.length > 0 ? ExitCode.thresholdFailed : ExitCode.pass;
}

export async function reportMerge(ctx: CommandContext, files: readonly string[], options: { output: string }): Promise<ExitCode> {
  const inputs = [];
  for (const file of files) inputs.push({ label: file, report: await readReport(resolve(ctx.cwd, file), file) });
  const merged = mergeReports(inputs);
  if (!merged.ok) throw usageErrors(merged.problems, "merge only reports of one scenario and command whose timelines use the same interval");
  await writeOutputFile(resolve(ctx.cwd, options.output), `${JSON.stringify(merged.report, null, 2)}\n`, options.output);
  const { report } = merged;
  ctx.stdout.write(`wrote ${options.output}: ${report.scenario} merged from ${report.mergedFrom} runs, verdict ${report.verdict}\n`);
  for (const reason of report.verdictReasons) ctx.stdout.write(`  ${reason}\n`);
  return ExitCode.pass;
}

/** reports/run.json → reports/run.html; any other name gets .html appended. */
function defaultHtmlPath(file: string): string {
  return file.toLowerCase().endsWith(".json") ? `${file.slice(0, -".json".length)}.html` : `${file}.html`;
}
