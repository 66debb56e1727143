// `report html`: one self-contained page per report. Everything it needs is
// inline (styles, SVG charts drawn at render time, one tiny script); a
// Content-Security-Policy forbids any network load, so a stray external
// reference shows up as a console error instead of a silent fetch.
// The report itself is embedded as JSON, so the page is also the archive.
import type { Report } from "../../metrics/report.ts";
import { escapeHtml, jsonForScriptTag } from "./escape.ts";
import { renderBackendHealth } from "./sections/backend.ts";
import { renderClients } from "./sections/clients.ts";
import { renderConfiguration } from "./sections/configuration.ts";
import { renderDeliveries } from "./sections/deliveries.ts";
import { renderGenerator } from "./sections/generator.ts";
import { renderHeader } from "./sections/header.ts";
import { renderLatencies } from "./sections/latencies.ts";
import { renderNotes } from "./sections/notes.ts";
import { renderThresholds } from "./sections/thresholds.ts";
import { STYLES } from "./styles.ts";

const CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:";

// The only script: offers the embedded JSON as a download. Charts need none.
const SCRIPT = `
const data = document.getElementById("report-data").textContent;
const link = document.getElementById("download-json");
link.href = URL.createObjectURL(new Blob([data], { type: "application/json" }));
`;

export function renderReportHtml(report: Report): string {
  const title = `csn-rt report: ${report.scenario} (${report.verdict})`;
  const body = [
    renderHeader(report),
    renderThresholds(report),
    renderLatencies(report),
    renderDeliveries(report),
    renderGenerator(report),
    renderBackendHealth(report),
    renderClients(report),
    renderConfiguration(report),
    renderNotes(report),
  ].join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLES}</style>
</head>
<body>
${body}
<script type="application/json" id="report-data">${jsonForScriptTag(report)}</script>
<script>${SCRIPT}</script>
</body>
</html>
`;
}
