// Collects the backend's per-second health (GET /api/csn-rt/health) over a
// run, so the report can say whether the backend process itself was
// saturated. Only csn-rt's own backend serves it: a Convex deployment answers
// 404 and the run simply has no backend health. A poll that fails for any
// other reason is skipped; the outage probe (backendProbe.ts) is what reports
// an unreachable backend.
import { BackendHealthResponseSchema, HTTP_ROUTES, type BackendHealthSample } from "../protocol/http/index.ts";

/** Fresh enough for the live dashboard; the backend keeps an hour of samples, so no poll loses any. */
export const HEALTH_POLL_INTERVAL_MS = 2_000;
const POLL_TIMEOUT_MS = 2_000;
/** A sample's interval may overhang the window by this much: timers and clocks are not exact. */
const SAMPLE_SLACK_MS = 50;

export type BackendHealthOutcome =
  | { readonly available: true; readonly samples: BackendHealthSample[] }
  | { readonly available: false; readonly reason: string };

/** Wall-clock ms on this machine. */
export type TimeWindow = { readonly startMs: number; readonly endMs: number };

export type BackendHealthPoller = {
  /** The newest second seen so far (for live displays); null before the first. */
  latest(): BackendHealthSample | null;
  /**
   * Takes a last poll, stops, and returns the seconds that lie within
   * `window` (all of them without one). Closing thousands of connections
   * after the load can stall a backend for seconds; that is not the run's.
   */
  stop(window?: TimeWindow): Promise<BackendHealthOutcome>;
};

export function startBackendHealthPoller(
  url: string,
  adminKey: string,
  options: { intervalMs?: number; timeoutMs?: number; fetch?: typeof fetch } = {},
): BackendHealthPoller {
  const doFetch = options.fetch ?? fetch;
  const base = `${url.replace(/\/$/, "")}${HTTP_ROUTES.health}`;
  const samples: BackendHealthSample[] = [];
  /** Backend clock: samples that ended before the run began are not the run's. */
  let since: number | null = null;
  /** Backend clock minus ours, from the first answer (a loopback round trip is a millisecond or two). */
  let skewMs = 0;
  let unavailable: string | null = null;

  const poll = async (): Promise<void> => {
    if (unavailable !== null) return;
    let response: Response;
    const askedAt = Date.now();
    try {
      response = await doFetch(since === null ? base : `${base}?since=${since}`, {
        headers: { authorization: `Convex ${adminKey}` },
        signal: AbortSignal.timeout(options.timeoutMs ?? POLL_TIMEOUT_MS),
      });
    } catch {
      return;
    }
    const text = await response.text().catch(() => "");
    if (response.status === 404) {
      unavailable = "this backend does not report its health (only csn-rt serve does)";
      return;
    }
    if (response.status === 401 || response.status === 403) {
      unavailable = `the backend refused the admin key for its health (HTTP ${response.status})`;
      return;
    }
    if (!response.ok) return;
    const body = parseBody(text);
    if (body === null) {
      unavailable = "the backend's health answer was not in the expected form";
      return;
    }
    if (since === null) {
      since = body.now;
      skewMs = body.now - (askedAt + Date.now()) / 2;
      return;
    }
    for (const sample of body.samples) {
      if (sample.at > since) samples.push(sample);
    }
    if (samples.length > 0) since = samples[samples.length - 1].at;
  };

  let inFlight = poll();
  const timer = setInterval(() => {
    inFlight = inFlight.then(poll);
  }, options.intervalMs ?? HEALTH_POLL_INTERVAL_MS);
  timer.unref();

  return {
    latest: () => samples.at(-1) ?? null,
    async stop(window) {
      clearInterval(timer);
      await inFlight;
      await poll();
      if (unavailable !== null) return { available: false, reason: unavailable };
      const inWindow = (sample: BackendHealthSample) =>
        window === undefined || (sample.at - sample.intervalMs >= window.startMs + skewMs - SAMPLE_SLACK_MS && sample.at <= window.endMs + skewMs + SAMPLE_SLACK_MS);
      return { available: true, samples: samples.filter(inWindow) };
    },
  };
}

function parseBody(text: string): { now: number; samples: BackendHealthSample[] } | null {
  try {
    const parsed = BackendHealthResponseSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
