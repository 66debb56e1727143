// `report compare --format table`: for terminals and CI logs.
import { renderTextTable } from "../format/textTable.ts";
import { formatMicros } from "../format/units.ts";
import type { CompareLimits } from "./compareLimits.ts";
import { statName, type Comparison } from "./compareReports.ts";
import { counterCells, statCells } from "./comparisonCells.ts";

export type ComparedFiles = { baseline: string; current: string };

export function renderComparisonText(comparison: Comparison, limits: CompareLimits, files: ComparedFiles): string {
  const out: string[] = [`baseline: ${files.baseline}`, `current:  ${files.current}`, `gate:     ${gateSentence(limits)}`, ""];

  const latencyRows = comparison.latencies.flatMap((row) =>
    row.stats.map((s, i) => {
      const c = statCells(s);
      return [i === 0 ? row.metric : "", statName(s.stat), c.baseline, c.current, c.change, c.percent, c.status];
    }),
  );
  if (latencyRows.length > 0) {
    out.push(renderTextTable(["latency", "stat", "baseline", "current", "change", "%", ""], latencyRows, ["left", "left", "right", "right", "right", "right", "left"]), "");
  } else {
    out.push("no latency metrics in either report", "");
  }

  const counterRows = comparison.counters.map((row) => {
    const c = counterCells(row);
    return [row.metric, c.baseline, c.current, c.change, c.percent, c.status];
  });
  if (counterRows.length > 0) {
    out.push(renderTextTable(["counter", "baseline", "current", "change", "%", ""], counterRows, ["left", "right", "right", "right", "right", "left"]), "");
  }

  for (const warning of comparison.warnings) out.push(`note: ${warning}`);
  if (comparison.warnings.length > 0) out.push("");
  if (comparison.regressions.length === 0) {
    out.push("no regressions");
  } else {
    out.push(`${comparison.regressions.length} regression${comparison.regressions.length === 1 ? "" : "s"}:`);
    for (const r of comparison.regressions) out.push(`  - ${r}`);
  }
  return `${out.join("\n")}\n`;
}

export function gateSentence(limits: CompareLimits): string {
  const stats = limits.stats.map(statName).join(", ");
  return `${stats} may grow at most ${limits.maxRegressionPercent}% (changes under ${formatMicros(limits.minChangeUs)} ignored); problem counters may not grow from 0, nor by more than ${limits.maxRegressionPercent}%`;
}
