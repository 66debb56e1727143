// Headless Chromium for the viewer-page tests: one browser per test file,
// one browser context per "device" (contexts share no cookies or storage),
// and every console error or page error recorded so a test can insist there
// were none. Chromium is Debian's (`.ci/run` installs it); without it the
// suites skip and say so in their names.
import { existsSync } from "node:fs";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";

export const CHROMIUM = process.env.CSN_RT_CHROMIUM ?? "/usr/bin/chromium";
export const chromiumAvailable = existsSync(CHROMIUM);

export function suiteTitle(title: string): string {
  return chromiumAvailable ? title : `${title} (SKIPPED: no Chromium at ${CHROMIUM}; install it with apt-get install -y chromium)`;
}

// A hermetic headless run: no GPU, no background traffic. Playwright adds its
// own defaults on top, among them the flags that stop background tabs' timers
// from being throttled — each tab here is a viewer in the foreground.
const ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

export async function launchChromium(): Promise<Browser> {
  return await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}

export type Tab = { readonly page: Page; readonly context: BrowserContext; readonly problems: string[] };

/** A new device: its own context and one page, with console errors and page errors collected. */
export async function openDevice(browser: Browser, url: string): Promise<Tab> {
  const context = await browser.newContext({ viewport: { width: 1200, height: 900 } });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  await page.goto(url);
  return { page, context, problems };
}
