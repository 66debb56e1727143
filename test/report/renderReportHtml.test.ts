import { describe, expect, it } from "vitest";
import { summarizeBackendHealth } from "../../src/metrics/backendHealth.ts";
import { parseReport } from "../../src/metrics/report.ts";
import { renderReportHtml } from "../../src/report/html/renderReportHtml.ts";
import { healthSecond } from "../support/healthSecond.ts";
import { makeReport } from "../support/makeReport.ts";
import { sampleReport } from "../support/sampleReport.ts";

function embeddedJson(html: string): unknown {
  const match = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html);
  if (match === null) throw new Error("no embedded report");
  return JSON.parse(match[1]);
}

describe("report html (without a browser)", () => {
  it("embeds the report as JSON that parses back to the same report", () => {
    const report = sampleReport();
    const html = renderReportHtml(report);
    const parsed = parseReport(embeddedJson(html));
    expect(parsed).toEqual({ ok: true, report });
  });

  it("text from the report cannot end the JSON script or inject markup", () => {
    const hostile = "</script><script>alert(1)</script><!--";
    const report = sampleReport({ scenario: hostile, notes: [hostile], config: { [hostile]: hostile } });
    const html = renderReportHtml(report);
    expect(html).not.toContain("<script>alert(1)");
    expect(html.match(/<\/script>/g)).toHaveLength(2); // the JSON tag's and the download script's own
    expect(html).toContain("&lt;/script&gt;&lt;script&gt;alert(1)");
    expect((embeddedJson(html) as { scenario: string }).scenario).toBe(hostile);
  });

  it("loads nothing from the network", () => {
    const html = renderReportHtml(sampleReport());
    expect(html).not.toMatch(/\b(src|href)="(https?:)?\/\//);
    expect(html).toContain(`http-equiv="Content-Security-Policy" content="default-src 'none';`);
  });

  it("draws every chart with data: latency over time and distribution per metric, deliveries, clients", () => {
    const html = renderReportHtml(sampleReport());
    const charts = [...html.matchAll(/<figure class="chart" data-chart="([^"]+)">/g)].map((m) => m[1]);
    expect(charts).toEqual([
      "over-time-mutation_observed_us",
      "distribution-mutation_observed_us",
      "over-time-chat_send_us",
      "distribution-chat_send_us",
      "deliveries",
      "problems",
      "distribution-mutation_observed_us-by-client",
    ]);
    const lines = [...html.matchAll(/<path class="line" data-series="([^"]+)" data-points="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(lines).toContainEqual(["p99", 24]);
    expect(lines).toContainEqual(["deliveries_lost", 24]);
    expect(lines).toContainEqual(["official", expect.any(Number)]);
    for (const [, points] of lines) expect(points).toBeGreaterThan(1);
  });

  it("charts the backend's own health second by second when the report has it, and leaves the section out when not", () => {
    const samples = Array.from({ length: 12 }, (_, i) =>
      healthSecond({ at: 1_000_000 + i * 1000, cpuPercent: i < 4 ? 95 : 40, eventLoopLagMs: { p99: 3, max: i === 6 ? 140 : 9 }, gc: { pauses: 5, totalMs: 60, longestMs: 20 } }),
    );

    const html = renderReportHtml(sampleReport({ backendHealth: summarizeBackendHealth(samples) }));
    const section = /<section id="backend">([\s\S]*?)<\/section>/.exec(html)![1];
    expect(section).toContain(`<span class="badge inconclusive">busy</span>`);
    expect(section).toContain("4 of 12");
    const charts = [...section.matchAll(/data-chart="([^"]+)"/g)].map((m) => m[1]);
    expect(charts).toEqual(["backend-load", "backend-lag"]);
    const lines = [...section.matchAll(/<path class="line" data-series="([^"]+)" data-points="(\d+)"/g)].map((m) => [m[1], Number(m[2])]);
    expect(lines).toEqual([["CPU %", 12], ["GC ms per s", 12], ["p99", 12], ["max", 12]]);
    expect(renderReportHtml(sampleReport())).not.toContain(`id="backend"`);
  });

  it("has a row per threshold with its result, and the verdict with its reasons", () => {
    const html = renderReportHtml(sampleReport());
    const table = /<table class="thresholds">([\s\S]*?)<\/table>/.exec(html)![1];
    expect(table.match(/<tr>/g)).toHaveLength(5); // header + 4 thresholds
    expect(table).toContain("<td>deliveries_lost == 0</td><td>deliveries_lost value</td><td class=\"num\">6</td><td class=\"num\">== 0</td><td><span class=\"badge fail\">fail</span></td>");
    expect(html).toContain(`<span class="badge fail">FAIL</span>`);
    expect(html).toContain(`<li>threshold &quot;deliveries_lost == 0&quot; failed: actual 6</li>`);
  });

  it("leaves out the client comparison when no client split was recorded, and says when there is nothing to draw", () => {
    const html = renderReportHtml(makeReport({ intervals: [{ counters: { mutations_sent: 5 } }] }));
    expect(html).not.toContain(`id="clients"`);
    expect(html).toContain("This run recorded no latencies.");
    expect(html).toContain("This run had no thresholds.");
  });

  it("marks merged timelines as upper bounds in the latency-over-time caption", () => {
    const html = renderReportHtml(sampleReport({ mergedFrom: 2 }));
    expect(html).toContain("show the highest input&#39;s p50/p99 (an upper bound)");
  });
});
