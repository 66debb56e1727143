// `report compare --format json`: the comparison as data for other tools.
// Latencies stay in integer µs, like the reports they came from.
import type { CompareLimits } from "./compareLimits.ts";
import type { Comparison } from "./compareReports.ts";
import type { ComparedFiles } from "./renderComparisonText.ts";

export function renderComparisonJson(comparison: Comparison, limits: CompareLimits, files: ComparedFiles): string {
  const document = {
    baseline: files.baseline,
    current: files.current,
    limits: { maxRegressionPercent: limits.maxRegressionPercent, minChangeUs: limits.minChangeUs, stats: limits.stats },
    regressed: comparison.regressions.length > 0,
    ...comparison,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
