// Mounts the live dashboard on a terminal and hands the command a RunOutput:
// log lines and snapshots only land in the feed; the dashboard reads it on
// its own timer. close() shows the final numbers once and unmounts, leaving
// the last frame on screen above whatever the command prints next.
import { render } from "ink";
import type { Threshold } from "../../metrics/thresholds.ts";
import type { RunOutput } from "../runOutput.ts";
import { LiveDashboard } from "./LiveDashboard.tsx";
import { SnapshotFeed } from "./snapshotFeed.ts";

// Redraws are cheap but not free: two timer frames a second plus a key press
// never need more than this, and a burst of state changes coalesces.
const MAX_FPS = 4;

export type DashboardTerminal = {
  stdout: NodeJS.WriteStream;
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
};

export type DashboardOptions = DashboardTerminal & {
  scenario: string;
  thresholds: readonly Threshold[];
  onStop: () => void;
};

export function startDashboard(options: DashboardOptions): RunOutput {
  const feed = new SnapshotFeed();
  const tree = (finished: boolean) => (
    <LiveDashboard feed={feed} scenario={options.scenario} thresholds={options.thresholds} onStop={options.onStop} finished={finished} />
  );
  const instance = render(tree(false), {
    stdout: options.stdout,
    stdin: options.stdin,
    stderr: options.stderr,
    // q and Ctrl-C go to onStop, so the run still writes its partial report.
    exitOnCtrlC: false,
    // csn-rt writes through its streams, never console.*; leave console alone.
    patchConsole: false,
    maxFps: MAX_FPS,
  });
  let closed: Promise<void> | null = null;
  return {
    log: (line) => feed.log(line),
    progress: (snapshot) => feed.push(snapshot),
    notice: (line) => feed.notify(line),
    close: () =>
      (closed ??= (async () => {
        instance.rerender(tree(true));
        instance.unmount();
        await instance.waitUntilExit();
      })()),
  };
}
