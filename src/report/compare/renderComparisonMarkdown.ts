// `report compare --format markdown`: sized for a pull-request comment — the
// verdict and the regressions first, the full tables after.
import type { CompareLimits } from "./compareLimits.ts";
import { statName, type Comparison } from "./compareReports.ts";
import { counterCells, statCells } from "./comparisonCells.ts";
import { gateSentence, type ComparedFiles } from "./renderComparisonText.ts";

export function renderComparisonMarkdown(comparison: Comparison, limits: CompareLimits, files: ComparedFiles, scenario: string): string {
  const out: string[] = [`### csn-rt report compare: \`${code(scenario)}\``, ""];
  const n = comparison.regressions.length;
  out.push(n === 0 ? "**✅ No regressions.**" : `**❌ ${n} regression${n === 1 ? "" : "s"}:**`, "");
  for (const r of comparison.regressions) out.push(`- ${cell(r)}`);
  if (n > 0) out.push("");
  for (const w of comparison.warnings) out.push(`> ⚠️ ${cell(w)}`);
  if (comparison.warnings.length > 0) out.push("");
  out.push(`Baseline \`${code(files.baseline)}\`, current \`${code(files.current)}\`. Gate: ${cell(gateSentence(limits))}.`, "");

  if (comparison.latencies.length > 0) {
    out.push("| latency | stat | baseline | current | change | |", "|---|---|--:|--:|--:|---|");
    for (const row of comparison.latencies) {
      row.stats.forEach((s, i) => {
        const c = statCells(s);
        const change = c.change === "" ? "" : `${c.change} (${c.percent})`;
        const mark = s.regressed ? "❌" : c.status;
        const stat = s.gated ? `**${statName(s.stat)}**` : statName(s.stat);
        out.push(`| ${i === 0 ? `\`${row.metric}\`` : ""} | ${stat} | ${c.baseline} | ${c.current} | ${change} | ${mark} |`);
      });
    }
    out.push("");
  }
  if (comparison.counters.length > 0) {
    out.push("| counter | baseline | current | change | |", "|---|--:|--:|--:|---|");
    for (const row of comparison.counters) {
      const c = counterCells(row);
      out.push(`| \`${row.metric}\` | ${c.baseline} | ${c.current} | ${c.change} (${c.percent}) | ${row.regressed ? "❌" : ""} |`);
    }
    out.push("");
  }
  out.push("<sub>Gated statistics are in bold. Latencies are measured from each write's intended send time.</sub>");
  return `${out.join("\n")}\n`;
}

/** Text from a report (scenario names, paths) must not break a table row or a code span. */
function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

function code(text: string): string {
  return cell(text).replace(/`/g, "'");
}
