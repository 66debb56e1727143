// The one stateful component: owns the refresh timer (reading the feed every
// REFRESH_MS), recomputes the numbers only when a new snapshot has arrived,
// lets the clock tick between snapshots, and turns q / Ctrl-C into onStop.
import { useEffect, useRef, useState } from "react";
import { useInput, useStdin } from "ink";
import type { RunSnapshot } from "../../load/coordinator.ts";
import type { Threshold } from "../../metrics/thresholds.ts";
import { Dashboard, type DashboardProps } from "./Dashboard.tsx";
import { liveStats, type LiveStats } from "./liveStats.ts";
import type { SnapshotFeed } from "./snapshotFeed.ts";

// Twice a second: the clock visibly ticks; snapshots themselves arrive once a second.
export const REFRESH_MS = 500;

export type LiveDashboardProps = {
  feed: SnapshotFeed;
  scenario: string;
  thresholds: readonly Threshold[];
  /** Called on q or Ctrl-C (raw mode swallows SIGINT); the caller aborts the run. */
  onStop: () => void;
  /** The run is over: show the feed as it is now, once, without waiting for the timer. */
  finished?: boolean;
  now?: () => number;
  refreshMs?: number;
};

export function LiveDashboard({ feed, scenario, thresholds, onStop, finished = false, now = Date.now, refreshMs = REFRESH_MS }: LiveDashboardProps) {
  const computed = useRef<{ snapshot: RunSnapshot; stats: LiveStats } | null>(null);
  const [stopRequested, setStopRequested] = useState(false);
  const read = (): DashboardProps => {
    const latest = feed.latest();
    if (latest !== null && computed.current?.snapshot !== latest.snapshot) {
      computed.current = { snapshot: latest.snapshot, stats: liveStats(latest.snapshot, thresholds) };
    }
    return {
      scenario,
      phases: [...feed.phases()],
      stats: computed.current?.stats ?? null,
      elapsedMs: latest === null ? undefined : latest.snapshot.elapsedMs + Math.max(0, now() - latest.receivedAtMs),
      status: feed.notice(),
    };
  };
  const [frame, setFrame] = useState(read);
  const latestRead = useRef(read);
  latestRead.current = read;
  useEffect(() => {
    if (finished) return;
    const timer = setInterval(() => setFrame(latestRead.current()), refreshMs);
    return () => clearInterval(timer);
  }, [finished, refreshMs]);

  const { isRawModeSupported } = useStdin();
  useInput(
    (input, key) => {
      if (input === "q" || (key.ctrl && input === "c")) {
        setStopRequested(true);
        onStop();
      }
    },
    { isActive: isRawModeSupported === true },
  );

  const shown = finished ? read() : frame;
  const status = shown.status ?? (finished ? "run ended" : stopRequested ? "stopping…" : null);
  return <Dashboard {...shown} status={status} />;
}
