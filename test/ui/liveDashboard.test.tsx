// The container: it alone owns the refresh timer, reads the feed on it (never
// when a snapshot arrives), and turns q / Ctrl-C into onStop.
import { setTimeout as sleep } from "node:timers/promises";
import { render } from "ink-testing-library";
import { afterEach, describe, expect, test, vi } from "vitest";
import { parseThresholds } from "../../src/metrics/thresholds.ts";
import { LiveDashboard } from "../../src/ui/dashboard/LiveDashboard.tsx";
import { SnapshotFeed } from "../../src/ui/dashboard/snapshotFeed.ts";
import { spreadMs, SyntheticRun } from "./support/syntheticRun.ts";

const { thresholds } = parseThresholds(["mutation_to_subscription p99<500ms"]);
// Short, so tests wait tens of ms rather than the real 500.
const REFRESH_MS = 40;
const mounted: { unmount(): void }[] = [];
afterEach(() => mounted.splice(0).forEach((m) => m.unmount()));

function mount(feed: SnapshotFeed, extra: { onStop?: () => void; now?: () => number } = {}) {
  const onStop = extra.onStop ?? vi.fn();
  const instance = render(<LiveDashboard feed={feed} scenario="chat-burst" thresholds={thresholds} onStop={onStop} now={extra.now} refreshMs={REFRESH_MS} />);
  mounted.push(instance);
  return instance;
}

/** Lets effects run (useInput attaches its stdin listener in one). */
const settle = () => sleep(10);

describe("the live dashboard container", () => {
  test("a new snapshot shows at the next refresh, not when it arrives", async () => {
    const feed = new SnapshotFeed();
    const { lastFrame } = mount(feed);
    expect(lastFrame()).toContain("preparing the run…");
    feed.push(new SyntheticRun().second({ observedUs: spreadMs(10), sent: 5 }).snapshot());
    expect(lastFrame()).toContain("preparing the run…");
    await sleep(REFRESH_MS * 3);
    expect(lastFrame()).toContain("viewers 20 / 20 connected");
    expect(lastFrame()).toContain("✔ pass");
  });

  test("between snapshots the clock keeps ticking from the last one", async () => {
    let now = 0;
    const feed = new SnapshotFeed(() => now);
    feed.push(new SyntheticRun().second({}).snapshot({ elapsedMs: 5_000 }));
    const { lastFrame } = mount(feed, { now: () => now });
    expect(lastFrame()).toContain("00:05 / 01:00");
    now = 1_600;
    await sleep(REFRESH_MS * 3);
    expect(lastFrame()).toContain("00:06 / 01:00");
  });

  test("finished phases appear above the live frame, oldest first, also those logged after mounting", async () => {
    const feed = new SnapshotFeed();
    feed.log("starting the embedded backend…");
    const { lastFrame } = mount(feed);
    feed.log("seeding chat-burst…");
    await sleep(REFRESH_MS * 3);
    const lines = lastFrame()!.split("\n");
    expect(lines.slice(0, 2)).toEqual(["› starting the embedded backend…", "› seeding chat-burst…"]);
    expect(lines.filter((l) => l.startsWith("›"))).toHaveLength(2);
    expect(lastFrame()).toContain("preparing the run…");
  });

  test("pressing q calls onStop once and the header says the run is stopping", async () => {
    const onStop = vi.fn();
    const feed = new SnapshotFeed();
    feed.push(new SyntheticRun().second({}).snapshot());
    const { stdin, lastFrame } = mount(feed, { onStop });
    await settle();
    stdin.write("q");
    await settle();
    expect(onStop).toHaveBeenCalledTimes(1);
    expect(lastFrame()).toContain("stopping…");
  });

  test("Ctrl-C calls onStop too: in raw mode it arrives as a key, not as SIGINT", async () => {
    const onStop = vi.fn();
    const { stdin } = mount(new SnapshotFeed(), { onStop });
    await settle();
    stdin.write("\u0003");
    await settle();
    expect(onStop).toHaveBeenCalledTimes(1);
  });

  test("other keys do nothing", async () => {
    const onStop = vi.fn();
    const { stdin } = mount(new SnapshotFeed(), { onStop });
    await settle();
    stdin.write("x");
    stdin.write("Q");
    await settle();
    expect(onStop).not.toHaveBeenCalled();
  });

  test("a notice from the command (e.g. after SIGINT) replaces the time left", async () => {
    const feed = new SnapshotFeed();
    feed.push(new SyntheticRun().second({}).snapshot());
    const { lastFrame } = mount(feed);
    feed.notify("stopping: writing the partial report");
    await sleep(REFRESH_MS * 3);
    expect(lastFrame()).toContain("stopping: writing the partial report");
    expect(lastFrame()).not.toContain("left");
  });

  test("once finished, it shows the latest snapshot at once and says the run is over", () => {
    const feed = new SnapshotFeed();
    const onStop = vi.fn();
    const { rerender, lastFrame } = mount(feed, { onStop });
    feed.push(new SyntheticRun().second({ observedUs: spreadMs(10) }).snapshot());
    rerender(<LiveDashboard feed={feed} scenario="chat-burst" thresholds={thresholds} onStop={onStop} refreshMs={REFRESH_MS} finished />);
    expect(lastFrame()).toContain("viewers 20 / 20 connected");
    expect(lastFrame()).toContain("run ended");
  });
});
