// The "last 10 s" that live outputs (dashboard, plain lines) summarise, and
// the interval it ends at. A snapshot published before every load process
// has reported carries intervalIndex -Infinity: there is no window yet.
import type { RunSnapshot } from "../load/coordinator.ts";

// Long enough for a p99 over a 50 msg/s burst to rest on hundreds of samples,
// short enough to show a stall within seconds.
export const RECENT_WINDOW_MS = 10_000;

/** The interval the recent window ends at, or null while no interval is complete. */
export function recentWindowEnd(snapshot: Pick<RunSnapshot, "intervalIndex">): number | null {
  return Number.isFinite(snapshot.intervalIndex) && snapshot.intervalIndex >= 0 ? snapshot.intervalIndex : null;
}
