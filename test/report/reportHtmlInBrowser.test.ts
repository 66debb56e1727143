// The HTML report opened in headless Chromium (Debian's chromium package,
// driven by playwright-core): it must load with no network, no console
// errors, and every chart must have drawn its data. Skipped — saying why in
// the suite name — only when Chromium is not installed.
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { renderReportHtml } from "../../src/report/html/renderReportHtml.ts";
import { sampleReport } from "../support/sampleReport.ts";

const CHROMIUM = process.env.CSN_RT_CHROMIUM ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
const ARTIFACTS = fileURLToPath(new URL("../../test-artifacts/", import.meta.url));
// Flags for a hermetic headless run: no GPU, no background traffic, no profile reuse.
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const title = available ? "report html in Chromium" : `report html in Chromium (SKIPPED: no Chromium at ${CHROMIUM}; install it with apt-get install -y chromium)`;

describe.skipIf(!available)(title, () => {
  let profile: string;
  let context: BrowserContext;

  beforeAll(async () => {
    profile = await mkdtemp(join(tmpdir(), "csn-rt-chromium-"));
    context = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1360, height: 900 } });
    await mkdir(ARTIFACTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    if (profile) await rm(profile, { recursive: true, force: true });
  });

  /** Opens a rendered page and records everything that went wrong while it loaded. */
  async function open(name: string, html: string): Promise<{ page: Page; problems: string[]; requests: string[] }> {
    const path = join(ARTIFACTS, name);
    await writeFile(path, html);
    const page = await context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on("console", (m) => {
      if (m.type() === "error" || m.type() === "warning") problems.push(`console ${m.type()}: ${m.text()}`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("request", (r) => {
      if (!/^(file|blob|data):/.test(r.url())) requests.push(r.url());
    });
    await page.goto(pathToFileURL(path).href, { waitUntil: "load" });
    return { page, problems, requests };
  }

  it("loads with no console errors and no network, draws every chart, and lists every threshold", async () => {
    const { page, problems, requests } = await open("report.html", renderReportHtml(sampleReport()));
    expect(problems).toEqual([]);
    expect(requests).toEqual([]);

    const charts = await page.$$eval("figure.chart", (figures) =>
      figures.map((f) => ({
        id: f.getAttribute("data-chart"),
        lines: Array.from(f.querySelectorAll<SVGPathElement>("path.line")).map((p) => ({ length: p.getTotalLength(), width: p.getBoundingClientRect().width })),
      })),
    );
    expect(charts).toHaveLength(7);
    for (const chart of charts) {
      expect(chart.lines.length, `${chart.id} has lines`).toBeGreaterThan(0);
      for (const line of chart.lines) {
        expect(line.length, `${chart.id} line drawn`).toBeGreaterThan(10);
        expect(line.width, `${chart.id} line on screen`).toBeGreaterThan(10);
      }
    }

    expect(await page.$$eval("table.thresholds tbody tr", (rows) => rows.map((r) => r.querySelector("td")!.textContent))).toEqual([
      "mutation_to_subscription p99<500ms",
      "chat_send p(99)<100ms",
      "deliveries_lost == 0",
      "reconnects <= 5",
    ]);
    expect(await page.textContent("h1 .badge")).toBe("FAIL");
    expect(await page.$eval("#report-data", (el) => (JSON.parse(el.textContent!) as { scenario: string }).scenario)).toBe("chat-burst");
    expect(await page.getAttribute("#download-json", "href")).toMatch(/^blob:/);

    await page.screenshot({ path: join(ARTIFACTS, "report-html.png"), fullPage: true });
    await page.close();
  }, 60_000);

  it("text from the report cannot run as script", async () => {
    const hostile = "</script><script>window.__pwned = 1</script><img src=x onerror=window.__pwned=2>";
    const { page, requests } = await open("hostile.html", renderReportHtml(sampleReport({ scenario: hostile, notes: [hostile] })));
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.textContent("h1 .scenario")).toBe(hostile);
    expect(requests).toEqual([]);
    await page.close();
  }, 60_000);
});
