// Watches, once a second, whether the backend answers at all, so a run that
// lived through an outage (a crash and restart, a network cut) says so in
// its report instead of showing only odd latencies. Clients reconnecting is
// one symptom; the probe gives the window itself: when the backend stopped
// answering and when it came back.
//
//   up ──probe fails──▶ down (outage opens at the first failed probe)
//   down ──probe answers──▶ up (outage closes at that answer)
//
// "Answers" means any HTTP response below 500 to GET /version: the embedded
// backend and Convex deployments both serve it, and a 404 from some other
// deployment still proves the server is there. A 5xx (a proxy with no
// backend behind it) or no response within the timeout is a failure.

/** Probe spacing: outage windows are measured to about this precision. */
export const PROBE_INTERVAL_MS = 1_000;
/** A probe not answered this fast counts as failed (a live backend answers /version in milliseconds). */
const PROBE_TIMEOUT_MS = 2_000;

/** One window in which the backend did not answer, ms since the probe started; `endMs` null if it never came back. */
export type Outage = { readonly startMs: number; readonly endMs: number | null };

export type BackendProbe = {
  /** Stops probing and returns every outage seen, in order. */
  stop(): Promise<Outage[]>;
};

export function startBackendProbe(
  url: string,
  options: { intervalMs?: number; timeoutMs?: number; now?: () => number; fetch?: typeof fetch } = {},
): BackendProbe {
  const intervalMs = options.intervalMs ?? PROBE_INTERVAL_MS;
  const timeoutMs = options.timeoutMs ?? PROBE_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const doFetch = options.fetch ?? fetch;
  const target = `${url.replace(/\/$/, "")}/version`;
  const startedAt = now();
  const outages: { startMs: number; endMs: number | null }[] = [];
  let open: { startMs: number; endMs: number | null } | null = null;
  let stopped = false;
  let inFlight: Promise<void> = Promise.resolve();

  const probe = async (): Promise<void> => {
    const at = now() - startedAt;
    let up: boolean;
    try {
      const response = await doFetch(target, { signal: AbortSignal.timeout(timeoutMs) });
      await response.arrayBuffer().catch(() => undefined);
      up = response.status < 500;
    } catch {
      up = false;
    }
    if (!up && open === null) outages.push((open = { startMs: at, endMs: null }));
    if (up && open !== null) {
      open.endMs = now() - startedAt;
      open = null;
    }
  };

  const timer = setInterval(() => {
    // One probe at a time: a hung one is bounded by its timeout.
    inFlight = inFlight.then(() => (stopped ? undefined : probe()));
  }, intervalMs);
  timer.unref();

  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await inFlight;
      return outages.map((o) => ({ ...o }));
    },
  };
}

/** Total time unreachable, an open outage counted until `endMs`. */
export function outageMs(outages: readonly Outage[], endMs: number): number {
  return outages.reduce((sum, o) => sum + Math.max(0, (o.endMs ?? endMs) - o.startMs), 0);
}

/** One sentence per outage for the report's notes. */
export function describeOutages(outages: readonly Outage[], reconnects: number): string[] {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  return outages.map((o) =>
    o.endMs === null
      ? `backend outage: no answer from ${s(o.startMs)} into the run until its end`
      : `backend outage: no answer from ${s(o.startMs)} to ${s(o.endMs)} into the run (${s(o.endMs - o.startMs)}, to about ${s(PROBE_INTERVAL_MS)}); clients reconnected ${reconnects} times over the run`,
  );
}
