/**
 * Waits `ms`, or less if `signal` aborts first; resolves either way, never
 * rejects, so a loop that stops on abort needs no try/catch around its pauses.
 * (node:timers/promises rejects with an AbortError instead.)
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 || signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });
}
