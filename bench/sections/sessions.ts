// (e) Server memory at 10,000 open sessions, each a WebSocket holding one
// live subscription. Every session watches its OWN query (a distinct cell),
// the costly case: 10,000 distinct shared queries and results, not one
// result shared 10,000 ways. The backend runs in a fresh process, so its RSS
// (from /proc/<pid>/status) is the whole cost: code, engine, sockets and
// subscriptions.
import { memoryOf, spawnBackend } from "../support/processes.ts";
import { openSubscribers, RawSubscriber } from "../support/rawSubscriber.ts";

const CONNECT_CONCURRENCY = 200;
const FIRST_RESULT_TIMEOUT_MS = 60_000;
// Lets the server finish sending and collect garbage before memory is read.
const SETTLE_MS = 2_000;

export type SessionsResult = {
  readonly sessions: number;
  readonly idleRssBytes: number;
  readonly rssBytes: number;
  readonly peakRssBytes: number;
  readonly openSeconds: number;
};

export async function measureSessions(functionsDir: string, sessions: number): Promise<SessionsResult> {
  const backend = await spawnBackend(functionsDir);
  let subscribers: RawSubscriber[] = [];
  try {
    await settle();
    const idle = await memoryOf(backend.pid);
    const started = performance.now();
    subscribers = await openSubscribers(sessions, CONNECT_CONCURRENCY, (index) =>
      RawSubscriber.open(backend.url, "bench:read", { name: `session-${index}` }, FIRST_RESULT_TIMEOUT_MS),
    );
    const openSeconds = (performance.now() - started) / 1000;
    await settle();
    const loaded = await memoryOf(backend.pid);
    return { sessions, idleRssBytes: idle.rssBytes, rssBytes: loaded.rssBytes, peakRssBytes: loaded.peakRssBytes, openSeconds };
  } finally {
    for (const subscriber of subscribers) subscriber.close();
    await backend.stop();
  }
}

function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
}
