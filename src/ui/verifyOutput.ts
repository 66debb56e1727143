// What `verify-cleanup` shows while it runs: a progress bar with an ETA —
// redrawn in place on a terminal, as a line every tenth of the run (and at
// least every minute) for pipes, CI and --no-tui, nothing for --quiet and
// --json. Everything goes to stderr so stdout keeps the summary or report.
import type { Writable } from "node:stream";
import { formatClock, formatCount } from "./format.ts";

export type VerifyProgress = {
  /** Lifecycle time done and planned, ms (simulated on the virtual clock). */
  doneMs: number;
  totalMs: number;
  /** Wall time since the lifecycle started, ms. */
  wallElapsedMs: number;
  clock: "virtual" | "real";
  /** Active sessions the backend showed at the last check. */
  activeSessions: number;
  checks: number;
  violations: number;
};

export type VerifyOutput = {
  log(line: string): void;
  progress(progress: VerifyProgress): void;
  /** Shown even with --quiet. */
  notice(line: string): void;
  close(): Promise<void>;
};

const BAR_WIDTH = 24;
/** Redraws at most this often on a terminal. */
const REDRAW_EVERY_MS = 100;
/** Plain output: a line per tenth of the run, and one at least this often (a real-time run lasts minutes). */
const PLAIN_EVERY_MS = 60_000;

export function verifyProgressLine(p: VerifyProgress): string {
  const share = p.totalMs > 0 ? Math.min(1, p.doneMs / p.totalMs) : 0;
  const filled = Math.round(share * BAR_WIDTH);
  const bar = `[${"#".repeat(filled)}${"-".repeat(BAR_WIDTH - filled)}]`;
  const unit = p.clock === "virtual" ? " simulated" : "";
  // Virtual time runs as fast as the backend allows: project from the pace so far.
  const etaMs = p.clock === "real" ? p.totalMs - p.doneMs : p.doneMs > 0 ? (p.wallElapsedMs / p.doneMs) * (p.totalMs - p.doneMs) : NaN;
  const eta = Number.isFinite(etaMs) ? formatClock(etaMs) : "--:--";
  return `${bar} ${formatClock(p.doneMs)}/${formatClock(p.totalMs)}${unit} · ETA ${eta} · ${formatCount(p.activeSessions)} active · ${p.checks} checks · ${p.violations} violations`;
}

export function verifyOutput(stderr: Writable & { isTTY?: boolean }, mode: "tty" | "plain" | "quiet"): VerifyOutput {
  if (mode === "quiet") {
    return { log: () => {}, progress: () => {}, notice: (line) => void stderr.write(`${line}\n`), close: async () => {} };
  }
  let lastDrawAt = 0;
  let lastShare = -1;
  let barShown = false;
  const clearBar = () => {
    if (barShown) stderr.write("\r\x1b[2K");
    barShown = false;
  };
  return {
    log(line) {
      clearBar();
      stderr.write(`${line}\n`);
    },
    progress(p) {
      const now = Date.now();
      if (mode === "tty") {
        if (now - lastDrawAt < REDRAW_EVERY_MS && p.doneMs < p.totalMs) return;
        lastDrawAt = now;
        stderr.write(`\r\x1b[2K${verifyProgressLine(p)}`);
        barShown = true;
        return;
      }
      const share = Math.floor((p.doneMs / Math.max(1, p.totalMs)) * 10);
      if (share === lastShare && now - lastDrawAt < PLAIN_EVERY_MS) return;
      lastShare = share;
      lastDrawAt = now;
      stderr.write(`${verifyProgressLine(p)}\n`);
    },
    notice(line) {
      clearBar();
      stderr.write(`\n${line}\n`);
    },
    async close() {
      clearBar();
    },
  };
}
