// What was run and where: enough to reproduce the run or to see why two
// reports disagree.
import type { Report } from "../../../metrics/report.ts";
import { escapeHtml } from "../escape.ts";
import { renderTable } from "./table.ts";

export function renderConfiguration(report: Report): string {
  const config = Object.entries(report.config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v) ?? "undefined"]);
  const e = report.environment;
  const environment = [
    ["node", e.node],
    ["platform", `${e.platform} ${e.arch}`],
    ["CPUs", `${e.cpus} × ${e.cpuModel}`],
    ["memory", `${e.totalMemoryMb} MB`],
    ["backend", `${e.backend.kind} ${e.backend.url}`],
    ["csn-rt", report.tool.version],
  ];
  const configHtml = config.length > 0 ? renderTable(["option", "value"], config, { className: "kv" }) : `<p class="empty">No configuration recorded.</p>`;
  return `<section id="configuration"><h2>Configuration and environment</h2><div class="columns"><div><h3>Configuration</h3>${configHtml}</div><div><h3>Environment</h3>${renderTable(["", ""], environment, { className: "kv" })}</div></div></section>`;
}
