// Writers that remember every write the backend acknowledged, and the check
// that each is in the database exactly once — the "nothing lost, nothing
// doubled" half of a fault drill. Each writer is a signed-in official
// ConvexClient sending, one after another:
//
//   joinStream without a sessionId   each run creates a session: a second run shows as an extra row
//   updateProgress, position + 1     the newest acknowledged position must be the one stored
//   sendMessage (paced by the rate limit)   each run adds a message: a second run shows twice
//
// A write in flight when its connection was cut or the backend was killed
// is re-sent by the client after it reconnects and must still be applied
// once: from the server's log if it had run, or run now if it had not.
import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import WebSocket from "ws";
import type { AdminApi } from "../scenarios/scenario.ts";
import type { TokenMinter } from "../load/tokens.ts";

const joinStream = makeFunctionReference<"mutation", { gameId: string; deviceType: string }, { sessionId: string }>("liveSessions:joinStream");
const updateProgress = makeFunctionReference<"mutation", { contentId: string; positionSeconds: number; durationSeconds: number }, { applied: boolean }>("watchProgress:updateProgress");
const sendMessage = makeFunctionReference<"mutation", { gameId: string; message: string }, string>("chat:sendMessage");
const getProgress = makeFunctionReference<"query", { contentId: string }, { positionSeconds: number } | null>("watchProgress:getProgress");

/** One chat message per writer this often: under the 1 message/s refill of convex/lib/rateLimit.ts. */
const CHAT_EVERY_MS = 1_500;
/** Pause between a writer's rounds, so the drill's load stays the game-night mix, not the ledger. */
const ROUND_PAUSE_MS = 50;
/** Long enough for the backend to come back after a kill (a restart takes seconds). */
const WRITE_TIMEOUT_MS = 60_000;
/** listMessages returns at most this many: the ledger's game must not get more. */
const MAX_MESSAGES = 200;
/** The longest item watchProgress accepts (a day); positions count up from 1 and never reach it in a drill. */
const PROGRESS_DURATION_S = 86_400;

type Writer = {
  readonly name: string;
  readonly client: ConvexClient;
  readonly contentId: string;
  sessions: string[];
  messages: string[];
  lastPosition: number;
  /** Acknowledgements per wall-clock ms, to show the writer resumed after a fault. */
  ackTimes: number[];
  failures: string[];
};

export type LedgerFindings = {
  acknowledged: { joins: number; progress: number; messages: number };
  /** Acknowledged, then missing from the database. */
  lost: string[];
  /** In the database more often than acknowledged (a write applied twice). */
  duplicated: string[];
  /** Writes that failed for good (each is a sentence). */
  failed: string[];
};

export class Ledger {
  private readonly writers: Writer[] = [];
  private running: Promise<void>[] = [];
  private stopped = false;

  private constructor(
    private readonly gameId: string,
  ) {}

  /** Connects `count` writers through `url`; `contentIds` needs one item per writer. */
  static async start(url: string, minter: TokenMinter, gameId: string, contentIds: readonly string[]): Promise<Ledger> {
    const ledger = new Ledger(gameId);
    for (const [i, contentId] of contentIds.entries()) {
      const name = `ledger-writer-${i}`;
      const client = new ConvexClient(url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false });
      await new Promise<void>((resolve, reject) => client.setAuth(() => minter.mint({ subject: name, name }), (ok) => (ok ? resolve() : reject(new Error(`${name}'s token was refused`)))));
      ledger.writers.push({ name, client, contentId, sessions: [], messages: [], lastPosition: 0, ackTimes: [], failures: [] });
    }
    ledger.running = ledger.writers.map((w) => ledger.write(w));
    return ledger;
  }

  /** Acknowledged writes so far, and how many of them came after `sinceMs`. */
  acknowledged(sinceMs = 0): { total: number; since: number; writersSince: number } {
    let total = 0;
    let since = 0;
    let writersSince = 0;
    for (const w of this.writers) {
      total += w.ackTimes.length;
      const after = w.ackTimes.filter((t) => t > sinceMs).length;
      since += after;
      if (after > 0) writersSince += 1;
    }
    return { total, since, writersSince };
  }

  /** Stops after every writer's current write settles. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.running);
  }

  /** Compares every acknowledged write with the database (read with the admin key and as each writer). */
  async verify(admin: AdminApi): Promise<LedgerFindings> {
    const lost: string[] = [];
    const duplicated: string[] = [];
    const acked = { joins: 0, progress: 0, messages: 0 };
    const stored = await sessionsOf(admin, this.gameId);
    const storedMessages = await admin.query<{ message: string }[]>("chat:listMessages", { gameId: this.gameId, limit: MAX_MESSAGES });
    const messageCounts = new Map<string, number>();
    for (const m of storedMessages) messageCounts.set(m.message, (messageCounts.get(m.message) ?? 0) + 1);
    const ackedSessions = new Set<string>();
    for (const w of this.writers) {
      acked.joins += w.sessions.length;
      acked.messages += w.messages.length;
      acked.progress += w.lastPosition;
      for (const id of w.sessions) {
        ackedSessions.add(id);
        if (!stored.has(id)) lost.push(`${w.name}: session ${id} (joinStream acknowledged)`);
      }
      for (const text of w.messages) {
        const n = messageCounts.get(text) ?? 0;
        if (n === 0) lost.push(`${w.name}: chat message "${text}"`);
        if (n > 1) duplicated.push(`${w.name}: chat message "${text}" stored ${n} times`);
        messageCounts.delete(text);
      }
      const progress = await w.client.query(getProgress, { contentId: w.contentId });
      if ((progress?.positionSeconds ?? 0) !== w.lastPosition) {
        lost.push(`${w.name}: progress shows ${progress?.positionSeconds ?? "nothing"}, the newest acknowledged write was ${w.lastPosition}`);
      }
    }
    for (const id of stored) if (!ackedSessions.has(id)) duplicated.push(`session ${id} exists but no joinStream returned it (a join ran twice)`);
    for (const [text, n] of messageCounts) duplicated.push(`chat message "${text}" stored ${n} times, never acknowledged`);
    return { acknowledged: acked, lost, duplicated, failed: this.writers.flatMap((w) => w.failures.map((f) => `${w.name}: ${f}`)) };
  }

  async close(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.writers.map((w) => w.client.close()));
  }

  private async write(w: Writer): Promise<void> {
    let lastChat = 0;
    let chatIndex = 0;
    const maxMessages = Math.floor(MAX_MESSAGES / Math.max(1, this.writers.length)) - 1;
    while (!this.stopped) {
      try {
        const { sessionId } = await within(w.client.mutation(joinStream, { gameId: this.gameId, deviceType: "web" }));
        w.sessions.push(sessionId);
        w.ackTimes.push(Date.now());
        const position = w.lastPosition + 1;
        await within(w.client.mutation(updateProgress, { contentId: w.contentId, positionSeconds: position, durationSeconds: PROGRESS_DURATION_S }));
        w.lastPosition = position;
        w.ackTimes.push(Date.now());
        if (Date.now() - lastChat >= CHAT_EVERY_MS && chatIndex < maxMessages) {
          const text = `${w.name} #${chatIndex++}`;
          lastChat = Date.now();
          await within(w.client.mutation(sendMessage, { gameId: this.gameId, message: text }));
          w.messages.push(text);
          w.ackTimes.push(Date.now());
        }
      } catch (error) {
        // A write that failed was not acknowledged; the drill reports it, the writer carries on.
        if (w.failures.length < 20) w.failures.push(firstLines((error as Error).message));
      }
      await new Promise((resolve) => setTimeout(resolve, ROUND_PAUSE_MS));
    }
  }
}

async function sessionsOf(admin: AdminApi, gameId: string): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor: string | null = null;
  for (let page = 0; page < 1000; page++) {
    const result: { page: { sessionId: string }[]; isDone: boolean; continueCursor: string } = await admin.query("liveSessions:sessionStates", {
      gameId,
      paginationOpts: { cursor, numItems: 1000 },
    });
    for (const s of result.page) ids.add(s.sessionId);
    if (result.isDone) break;
    cursor = result.continueCursor;
  }
  return ids;
}

function within<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`a write was not answered within ${WRITE_TIMEOUT_MS / 1000} s`)), WRITE_TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
}

/** An error's message without Convex's "[Request ID …] Server Error" prefix line. */
function firstLines(message: string): string {
  return message.split("\n").filter((line) => !/Server Error$/.test(line)).slice(0, 2).join(" ").trim() || message;
}
