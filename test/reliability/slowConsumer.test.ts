// A viewer that stops reading its socket, end to end: the real embedded
// backend, real sockets, the CSN chat. While writers keep changing the chat
// page it subscribed to, the server stops building updates for it once its
// socket is full (coalescing), closes it after the slow-consumer timeout,
// and never holds more for it than its send buffer's high-water mark and
// one update — while an official ConvexClient watching the same chat gets
// every message promptly.
import { readFileSync } from "node:fs";
import type { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { describe, expect, test } from "vitest";
import { SlowConsumer } from "../../src/chaos/slowConsumer.ts";
import { seedGames, until, useReliability } from "./support/harness.ts";

/** Shrunk from the defaults (1 MiB, 30 s, 5 s) so the whole story fits in seconds. */
const TUNING = { sendHighWaterBytes: 64 * 1024, sendLowWaterBytes: 16 * 1024, slowConsumerTimeoutMs: 1_500, sweepIntervalMs: 250 };
const t = useReliability({ tuning: TUNING });

const sendMessage = makeFunctionReference<"mutation", { gameId: string; message: string }, string>("chat:sendMessage");
const listMessages = makeFunctionReference<"query", { gameId: string; limit?: number }, { message: string }[]>("chat:listMessages");

/** The largest chat page (convex/chat.ts MAX_MESSAGE_LIMIT): every update of it is large. */
const PAGE = 200;
/** Each chat user may send 10 at once (convex/lib/rateLimit.ts): enough writers that nobody waits for a refill. */
const WRITERS = 20;
const PER_WRITER = 10;
/** The slow consumer's subscriptions to the page: with a full page each update is about 1 MB. */
const SLOW_SUBSCRIPTIONS = 8;
/** Messages near the 500-character limit, so the page is large. */
const FILLER = "x".repeat(440);
/** Messages sent after the server closed the slow consumer, to show the others carry on. */
const AFTER_CLOSE = 10;
/** "Promptly": on a shared 2-core machine, far under the viewer's patience and the slow-consumer timeout. */
const PROMPT_MS = 2_000;

async function writers(prefix: string): Promise<ConvexClient[]> {
  return Promise.all(Array.from({ length: WRITERS }, (_, i) => t.client({ subject: `${prefix}-${i}` })));
}

/** The most the kernel may hold for one loopback connection: the receiver's and the sender's socket buffers at their largest. */
function kernelBufferBytes(): number {
  const max = (file: string) => Number(readFileSync(file, "utf8").trim().split(/\s+/).at(-1));
  return max("/proc/sys/net/ipv4/tcp_rmem") + max("/proc/sys/net/ipv4/tcp_wmem");
}

describe("a subscriber that stops reading its socket", () => {
  test("is coalesced, then closed after the slow-consumer timeout, holding bounded memory; an official client sees every message promptly", { timeout: 90_000 }, async () => {
    const [gameId] = await t.admin().mutation(seedGames, { count: 1 });
    // A full page first, so every update after it is as large as it gets.
    const fillers = await writers("fill");
    await Promise.all(fillers.map((w, i) => Promise.all(Array.from({ length: PER_WRITER }, (_, j) => w.mutation(sendMessage, { gameId, message: `fill ${i}-${j} ${FILLER}` })))));

    const seenAt = new Map<string, number>();
    const viewer = await t.client(null);
    viewer.onUpdate(listMessages, { gameId, limit: PAGE }, (page) => {
      for (const m of page) if (!seenAt.has(m.message)) seenAt.set(m.message, Date.now());
    });
    await until(() => seenAt.size === PAGE, "the viewer's first page");

    const before = t.backend.server.stats();
    const slow = await SlowConsumer.start(t.url, "chat:listMessages", { gameId, limit: PAGE }, SLOW_SUBSCRIPTIONS);
    const closed = () => t.backend.server.stats().slowConsumersClosed > before.slowConsumersClosed;
    // One message at a time, so each commit is its own update of the page; until the server gives up on the slow one.
    const chat = await writers("chat");
    const ackedAt = new Map<string, number>();
    let afterClose = 0;
    for (let i = 0; i < WRITERS * PER_WRITER && afterClose < AFTER_CLOSE; i++) {
      const text = `chat ${i} ${FILLER}`;
      await chat[i % WRITERS].mutation(sendMessage, { gameId, message: text });
      ackedAt.set(text, Date.now());
      if (closed()) afterClose += 1;
    }
    await until(closed, "the server to close the slow consumer");
    await until(() => [...ackedAt.keys()].every((text) => seenAt.has(text)), "the viewer to see every message");
    const outcome = await slow.check();
    const after = t.backend.server.stats();
    console.log(
      `slow consumer: ${ackedAt.size} messages sent, ${after.transitionsCoalesced - before.transitionsCoalesced} updates coalesced; ` +
        `its reading twin got ${outcome.twin.transitions} updates (${(outcome.twin.bytes / 2 ** 20).toFixed(1)} MiB) while it was unread; ` +
        `on reading again it got ${outcome.afterResume.transitions} (${(outcome.afterResume.bytes / 2 ** 20).toFixed(1)} MiB), then close ${outcome.closed?.code} ${outcome.closed?.reason}`,
    );

    // The server stopped building updates for it, then closed it as a slow consumer.
    expect(after.transitionsCoalesced).toBeGreaterThan(before.transitionsCoalesced);
    expect(outcome.closed?.code).toBe(1008);
    expect(outcome.closed?.reason).toMatch(/^SlowConsumer/);
    // Bounded: it missed updates instead of having them queued, and what was left for it
    // is at most what the kernel holds, the high-water mark and the update that crossed it.
    expect(outcome.afterResume.transitions).toBeLessThan(outcome.twin.transitions);
    expect(outcome.afterResume.bytes).toBeLessThanOrEqual(kernelBufferBytes() + TUNING.sendHighWaterBytes + outcome.twin.largest);

    // The other viewer: every message, each promptly after it was acknowledged, before and after the close.
    const delays = [...ackedAt].map(([text, at]) => seenAt.get(text)! - at);
    expect(Math.max(...delays)).toBeLessThan(PROMPT_MS);
    expect(afterClose).toBe(AFTER_CLOSE);
    expect(t.internalErrors).toEqual([]);
  });
});
