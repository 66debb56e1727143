// The viewer page as a person uses it: read what is on screen (the viewer
// count, Continue Watching, the chat, the connection banner) and do what a
// person does (move the slider, type and send, click Hide). Every read is
// of rendered text; nothing here looks at the app's internal state.
import type { Browser, Page } from "playwright-core";
import { openDevice, type Tab } from "./browser.ts";

export type ViewerOptions = { as?: string; device?: string };

const POLL_MS = 25;

export class ViewerPage {
  private constructor(readonly tab: Tab) {}

  static async open(browser: Browser, pageUrl: string, options: ViewerOptions = {}): Promise<ViewerPage> {
    const params = new URLSearchParams();
    if (options.as) params.set("as", options.as);
    if (options.device) params.set("device", options.device);
    const viewer = new ViewerPage(await openDevice(browser, `${pageUrl}?${params}`));
    // Loaded: the chat has its first result and, when signed in, Continue Watching too.
    await viewer.until("the page to load", async () => {
      const text = await viewer.page.locator("body").innerText();
      return !text.includes("Loading chat…") && !text.includes("signing in…") && /\d+ watching now/.test(text);
    });
    return viewer;
  }

  get page(): Page {
    return this.tab.page;
  }

  get problems(): string[] {
    return this.tab.problems;
  }

  /** "3 watching now" → 3. */
  async viewerCount(): Promise<number | null> {
    const match = /(\d+) watching now/.exec(await this.page.locator(".viewers .count").innerText());
    return match === null ? null : Number(match[1]);
  }

  async waitForViewerCount(expected: number, timeoutMs = 5_000): Promise<void> {
    await this.until(`the page to show "${expected} watching now"`, async () => (await this.viewerCount()) === expected, timeoutMs);
  }

  /** Each Continue Watching row as shown, e.g. "Simulated title 1 6:40 of 16:40 · 40% · on laptop". */
  async continueWatching(): Promise<string[]> {
    return await this.page.locator(".continue li").allInnerTexts();
  }

  async pickTitle(title: string): Promise<void> {
    await this.page.getByRole("combobox", { name: "Title" }).selectOption({ label: title });
  }

  /** Clicks the Continue Watching row of `title` (resumes it in the player). */
  async resume(title: string): Promise<void> {
    await this.page.locator(".continue li button", { hasText: title }).click();
  }

  async moveSlider(seconds: number): Promise<void> {
    await this.page.getByLabel("Position").fill(String(seconds));
  }

  /**
   * Moves the slider and returns when (Date.now() in the page) the viewer let
   * go of it — the slider's `change` event, when the page saves — so a
   * latency measured from it leaves out the test driver's own overhead.
   */
  async moveSliderTimed(seconds: number): Promise<number> {
    await this.page.evaluate(() => {
      const store = window as unknown as { __changedAt?: number };
      delete store.__changedAt;
      document.addEventListener("change", () => (store.__changedAt = Date.now()), { capture: true, once: true });
    });
    await this.moveSlider(seconds);
    return await this.page.evaluate(() => (window as unknown as { __changedAt: number }).__changedAt);
  }

  async playerTitle(): Promise<string> {
    return await this.page.locator(".player h2").innerText();
  }

  async playerTime(): Promise<string> {
    return await this.page.locator(".player .time").innerText();
  }

  /** Chat lines as shown: "Alice: hello". */
  async chatLines(): Promise<string[]> {
    return await this.page.locator(".chat li.message").evaluateAll((items) =>
      items.map((li) => `${li.querySelector(".author")?.textContent}: ${li.querySelector(".text")?.textContent}`),
    );
  }

  async sendChat(text: string): Promise<void> {
    const input = this.page.getByRole("textbox", { name: "Message", exact: true });
    await input.fill(text);
    await input.press("Enter");
  }

  async hideMessage(author: string, text: string): Promise<void> {
    await this.page.getByRole("button", { name: `Hide message from ${author}: ${text}`, exact: true }).click();
  }

  async hasModerationControls(): Promise<boolean> {
    return (await this.page.locator(".chat .moderation button").count()) > 0;
  }

  async clickShowOlder(): Promise<void> {
    await this.page.getByRole("button", { name: "Show older messages" }).click();
  }

  /** The connection banner's text, or null when there is none. */
  async banner(): Promise<string | null> {
    // allInnerTexts does not wait for the element, so a banner that goes away meanwhile reads as none.
    const [text] = await this.page.locator(".banner").allInnerTexts();
    return text ?? null;
  }

  /** The tab's own messages still on their way ("hi — sending…"). */
  async pendingMessages(): Promise<string[]> {
    return await this.page.locator(".pending li").allInnerTexts();
  }

  /**
   * Starts watching the page for `text` to appear inside `selector`; the
   * returned function resolves with the time (Date.now() in the page — the
   * same system clock as the test's) when it first did.
   */
  async watchFor(selector: string, text: string): Promise<() => Promise<number>> {
    const key = `seen-${Math.random().toString(36).slice(2)}`;
    await this.page.evaluate(
      ({ selector, text, key }) => {
        const store = window as unknown as Record<string, number>;
        const check = () => {
          if (store[key] === undefined && (document.querySelector(selector)?.textContent ?? "").includes(text)) {
            store[key] = Date.now();
            observer.disconnect();
          }
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, characterData: true });
        check();
      },
      { selector, text, key },
    );
    return async () => {
      const handle = await this.page.waitForFunction((key) => (window as unknown as Record<string, number>)[key], key, { timeout: 5_000 });
      return (await handle.jsonValue()) as number;
    };
  }

  /** Polls `condition` until it holds; fails naming what was awaited and what the page showed. */
  async until(what: string, condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await condition()) return;
      if (Date.now() > deadline) {
        const shown = await this.page.locator("body").innerText().catch(() => "(page unreadable)");
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}; the page showed:\n${shown}`);
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async close(): Promise<void> {
    await this.tab.context.close();
  }
}
