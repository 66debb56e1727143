// The top of the page: which run this is and what it proved.
import type { Report } from "../../../metrics/report.ts";
import { escapeHtml } from "../escape.ts";
import { badge } from "./table.ts";

export function renderHeader(report: Report): string {
  const facts = [
    `${report.command}`,
    report.status === "partial" ? "partial run (stopped early)" : "complete run",
    `${report.startedAt} → ${report.endedAt}`,
    `${(report.durationMs / 1000).toFixed(1)} s`,
  ];
  if (report.shard) facts.push(`shard ${report.shard.index} of ${report.shard.count}`);
  if (report.mergedFrom !== undefined) facts.push(`merged from ${report.mergedFrom} run${report.mergedFrom === 1 ? "" : "s"}`);
  const reasons = report.verdictReasons.map((r) => `<li>${escapeHtml(r)}</li>`).join("");
  return (
    `<header><h1>csn-rt report: <span class="scenario">${escapeHtml(report.scenario)}</span> ${badge(report.verdict, report.verdict.toUpperCase()).html}</h1>` +
    `<p class="facts">${facts.map(escapeHtml).join(" · ")}</p>` +
    `<ul class="reasons" data-section="verdict-reasons">${reasons}</ul>` +
    `<p class="download"><a id="download-json" download="report.json" href="#">Download the report JSON</a> (it is embedded in this page)</p></header>`
  );
}
