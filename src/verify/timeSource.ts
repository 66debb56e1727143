// Time as the verifier moves through its plan. On the virtual clock the
// backend's time stands still until the verifier advances it (admin endpoint
// POST /api/csn-rt/clock/advance), so a step happens exactly at its planned
// moment and ten minutes take seconds. In real time the verifier sleeps.
import { CliError } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import { sleep } from "../load/sleep.ts";

export interface VerifierClock {
  readonly mode: "virtual" | "real";
  /** Milliseconds since the epoch on the backend's clock (virtual) or the wall (real). */
  now(): number;
  /** Moves to (virtual) or waits for (real) `atMs`; resolves early when `signal` aborts. */
  until(atMs: number, signal: AbortSignal): Promise<void>;
}

// A clock request takes milliseconds; one taking this long means the backend is stuck.
const CLOCK_REQUEST_TIMEOUT_MS = 60_000;

export type ClockState = { mode: "real" | "virtual"; now: number };

/** GET /api/csn-rt/clock; null when the backend has no such endpoint (not a csn-rt backend). */
export async function readBackendClock(url: string): Promise<ClockState | null> {
  let response: Response;
  try {
    response = await fetch(`${url.replace(/\/$/, "")}/api/csn-rt/clock`, { signal: AbortSignal.timeout(CLOCK_REQUEST_TIMEOUT_MS) });
  } catch (error) {
    throw new CliError(`could not reach the backend at ${url}: ${(error as Error).message}`, ExitCode.inconclusive, "check --url, or omit it to use the embedded backend");
  }
  if (!response.ok) {
    await response.arrayBuffer().catch(() => undefined);
    return null;
  }
  const body = (await response.json().catch(() => null)) as Partial<ClockState> | null;
  return body && (body.mode === "real" || body.mode === "virtual") && typeof body.now === "number" ? { mode: body.mode, now: body.now } : null;
}

/**
 * The backend's virtual clock. `advance(ms)` answers once every timer due
 * in the window ran (crons, and cleanup batches chained with runAfter(0)),
 * so the next step sees their work. `onStep` gets each advance's wall time.
 */
export function virtualClock(startMs: number, advance: (ms: number) => Promise<number>, onStep: (wallMicros: number) => void): VerifierClock {
  let nowMs = startMs;
  return {
    mode: "virtual",
    now: () => nowMs,
    async until(atMs) {
      if (atMs <= nowMs) return;
      const started = performance.now();
      nowMs = await advance(atMs - nowMs);
      onStep(Math.round((performance.now() - started) * 1000));
    },
  };
}

export const realClock: VerifierClock = {
  mode: "real",
  now: () => Date.now(),
  until: (atMs, signal) => sleep(atMs - Date.now(), signal),
};
