// Send rate against the schedule over the recent window. Every arrival the
// open model schedules is either sent (mutations_sent) or dropped because
// too much was already in flight (dropped_arrivals), so their sum is what the
// schedule asked for in the window; the gap between the two numbers is the
// generator falling behind.
import type { RunMetrics } from "../../metrics/runMetrics.ts";
import { RECENT_WINDOW_MS } from "../recentWindow.ts";

export type SendRates = {
  /** Seconds the rates are averaged over (fewer than the window early in the run). */
  windowSeconds: number;
  sentPerSecond: number;
  scheduledPerSecond: number;
};

export function sendRates(metrics: RunMetrics, windowEnd: number | null): SendRates {
  if (windowEnd === null) return { windowSeconds: 0, sentPerSecond: 0, scheduledPerSecond: 0 };
  const windowSeconds = Math.min(windowEnd + 1, Math.round(RECENT_WINDOW_MS / metrics.intervalMs)) * (metrics.intervalMs / 1000);
  const sent = metrics.recentCount("mutations_sent", windowEnd, RECENT_WINDOW_MS);
  const dropped = metrics.recentCount("dropped_arrivals", windowEnd, RECENT_WINDOW_MS);
  return { windowSeconds, sentPerSecond: sent / windowSeconds, scheduledPerSecond: (sent + dropped) / windowSeconds };
}
