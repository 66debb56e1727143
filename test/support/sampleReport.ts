// A realistic-looking report for the HTML tests and for looking at the page:
// two minutes of a chat burst with a latency bump, a few lost deliveries, a
// reconnect, both client kinds, and thresholds that pass and fail.
import type { Report } from "../../src/metrics/report.ts";
import { makeReport, type IntervalInput } from "./makeReport.ts";

/** Deterministic pseudo-random numbers, so the page looks the same on every run. */
function lcg(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

export function sampleReport(overrides: Partial<Report> = {}): Report {
  const random = lcg(42);
  // Log-normal-ish latencies around `medianMs`, with a long tail.
  const latency = (medianMs: number) => Math.round(medianMs * 1000 * Math.exp(random() * random() * 2));
  const intervals: IntervalInput[] = [];
  for (let i = 0; i < 24; i++) {
    const bump = i >= 12 && i < 16 ? 1.6 : 1;
    intervals.push({
      latencies: {
        mutation_observed_us: Array.from({ length: 200 }, () => latency(40 * bump)),
        chat_send_us: Array.from({ length: 50 }, () => latency(12 * bump)),
      },
      byClient: {
        lean: { mutation_observed_us: Array.from({ length: 40 }, () => latency(38 * bump)) },
        official: { mutation_observed_us: Array.from({ length: 10 }, () => latency(45 * bump)) },
      },
      counters: {
        deliveries_expected: 250,
        deliveries_received: i === 13 ? 244 : 250,
        deliveries_lost: i === 13 ? 6 : 0,
        mutations_sent: 50,
        reconnects: i === 14 ? 1 : 0,
      },
    });
  }
  return makeReport({
    scenario: "chat-burst",
    intervalMs: 5_000,
    intervals,
    thresholds: ["mutation_to_subscription p99<500ms", "chat_send p(99)<100ms", "deliveries_lost == 0", "reconnects <= 5"],
    overrides: { notes: ["backend restarted at 65 s; clients reconnected within 2 s"], ...overrides },
  });
}
