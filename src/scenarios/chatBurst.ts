// chat-burst: every viewer of a game subscribes to its chat; writers send at
// an open-model rate in bursts (CSN: 50 msg/s); a moderator hides messages
// mid-burst. Measures, for every passive viewer, the time from a message's
// intended send time until it appears in that viewer's subscription, and
// counts deliveries lost, duplicated and out of order.
import { CHAT_BURST, CHAT_REFILL_PER_SECOND } from "../../convex/lib/rateLimit.ts";
import { constantArrivalRate, driveOpenModel } from "../load/arrivals.ts";
import { burstModel } from "../load/burstModel.ts";
import { DeliveryTracker, type Receiver } from "../load/deliveries.ts";
import type { VirtualClient } from "../load/virtualClient.ts";
import type { ScenarioConfig } from "./config.ts";
import type { Scenario, ScenarioRuntime } from "./scenario.ts";
import { connectViewersOverRamp, driveOperations, partitionOf, seedGames, seedUsers } from "./common.ts";

export type ChatSeed = { gameIds: string[] };

/** Subjects of the accounts the scenario writes and moderates with. */
const writerSubject = (index: number) => `sim-writer-${index}`;
const moderatorSubject = (process: number) => `sim-moderator-${process}`;
const viewerSubject = (index: number) => `sim-viewer-${index}`;

// Makes every message a realistic size (~100 characters) around its nonce.
const FILLER = "what a play! did you see that? unbelievable finish";

export const chatBurst: Scenario<ChatSeed> = {
  name: "chat-burst",
  description: "viewers subscribe to a game's chat while writers send bursts of messages (CSN: 50 msg/s) and a moderator hides some",
  defaults: { viewers: 1_000, games: 1, chatRate: 50, writers: 50, burstMs: 10_000, burstPauseMs: 5_000, durationMs: 60_000, rampMs: 10_000 },
  // The CSN targets set no figure for the send itself; chat_send_us is measured and reported, not gated.
  thresholds: ["mutation_to_subscription p99<500ms", "deliveries_lost == 0", "deliveries_duplicated == 0", "deliveries_out_of_order == 0", "mutation_errors == 0", "query_errors == 0"],

  validate(config) {
    const problems: string[] = [];
    // Each writer may send 1 message a second after a burst of CHAT_BURST (convex/lib/rateLimit.ts).
    if (config.model === "closed") {
      const perWriter = 1000 / Math.max(1, config.thinkTimeMs);
      if (perWriter > CHAT_REFILL_PER_SECOND) {
        problems.push(`--think-time ${config.thinkTimeMs}ms makes each writer send ${perWriter.toFixed(1)} messages/s, above the chat rate limit (${CHAT_REFILL_PER_SECOND}/s per user): use --think-time 1s or more`);
      }
    } else if (config.chatRate / config.writers > CHAT_REFILL_PER_SECOND && (config.burstMs / 1000) * (config.chatRate / config.writers) > CHAT_BURST) {
      problems.push(
        `--writers ${config.writers} cannot sustain --chat-rate ${config.chatRate} under the chat rate limit (${CHAT_REFILL_PER_SECOND} message/s per user): use --writers ${Math.ceil(config.chatRate / CHAT_REFILL_PER_SECOND)} or more`,
      );
    }
    if (config.viewers < config.games) problems.push(`--viewers (${config.viewers}) must be at least --games (${config.games}): every game needs an audience`);
    return problems;
  },

  targetConnections: (config) => config.viewers + config.games * config.writers + config.workers,

  async prepare(admin, config, log, scope) {
    const gameIds = await seedGames(admin, config.games, scope);
    await seedUsers(admin, "sim-writer-", config.games * config.writers, log, scope);
    return { gameIds };
  },

  async run(rt) {
    const { config } = rt;
    // One tracker per game: a viewer is expected to see only its own game's chat. Processes
    // serving no viewer of a game keep an empty one, so the end-of-run exchange lines up.
    const trackers = rt.seed.gameIds.map((_, game) => new DeliveryTracker({ runId: rt.runId, game, process: rt.slice.index }, rt.metrics));
    // Writers first, so the first burst is not late waiting for their connections.
    const writers = await connectWriters(rt);
    const moderator = await rt.connect(moderatorSubject(rt.slice.index), "lean", { name: "Moderator", permissions: ["write:chat"] });
    const viewers = await connectViewersOverRamp(rt, (index) => watchChat(rt, trackers[index % trackers.length], index), viewerSubject);
    try {
      await rt.sleepUntil(rt.startAtMs + config.rampMs);
      await Promise.all(rt.seed.gameIds.map((gameId, game) => sendBursts(rt, trackers[game], gameId, writers.get(game) ?? [], moderator)));
      await rt.sleepUntil(rt.clock.nowMs() + config.gracePeriodMs);
      // Every process's acknowledged writes, so each receiver is held to all of them.
      const everyProcess = await rt.allGather("chat-burst/acknowledged", trackers.map((t) => t.acknowledgedWrites()));
      trackers.forEach((tracker, game) => tracker.finish(everyProcess.map((perGame) => perGame[game])));
    } finally {
      await Promise.all([...viewers, moderator, ...[...writers.values()].flat().map((w) => w.client)].map((c) => c.close()));
    }
  },
};

function watchChat(rt: ScenarioRuntime<ChatSeed>, tracker: DeliveryTracker, viewerIndex: number) {
  return async (client: VirtualClient) => {
    const gameId = rt.seed.gameIds[viewerIndex % rt.seed.gameIds.length];
    const receiver: Receiver = tracker.addReceiver(client.kind);
    const subscribedAt = rt.clock.epochMicros();
    let first = true;
    client.subscribe("chat:listMessages", { gameId, limit: rt.config.chatPageSize }, "scan", (update) => {
      if (update.error) return rt.metrics.add("query_errors");
      if (first) {
        first = false;
        rt.metrics.record("query_duration_us", update.receivedAtUs - subscribedAt, client.kind);
        tracker.ready(receiver, update.receivedAtUs);
      }
      if (update.text !== undefined) tracker.observe(receiver, update.text, update.receivedAtUs);
    });
  };
}

type Writer = { index: number; client: VirtualClient; seq: number; busy: boolean };

async function connectWriters(rt: ScenarioRuntime<ChatSeed>): Promise<Map<number, Writer[]>> {
  const byGame = new Map<number, Writer[]>();
  const pending: Promise<void>[] = [];
  const partition = partitionOf(rt);
  for (let game = 0; game < rt.seed.gameIds.length; game++) {
    for (let w = 0; w < rt.config.writers; w++) {
      const index = game * rt.config.writers + w;
      if (!partition.ownsWriter(game, w)) continue;
      pending.push(
        rt.connect(writerSubject(index), "lean", { name: `Writer ${index}` }).then(async (client) => {
          await client.connected();
          const list = byGame.get(game) ?? [];
          list.push({ index, client, seq: 0, busy: false });
          byGame.set(game, list);
        }),
      );
    }
  }
  await Promise.all(pending);
  return byGame;
}

async function sendBursts(rt: ScenarioRuntime<ChatSeed>, tracker: DeliveryTracker, gameId: string, writers: Writer[], moderator: VirtualClient) {
  const { config } = rt;
  if (writers.length === 0) return;
  const recent: RecentMessage[] = []; // acknowledged messages, newest last, for the moderator to pick from
  let nextWriter = 0;
  const startMs = rt.startAtMs + config.rampMs;
  // This process's share of the game's rate is its share of the game's writers, so the processes of
  // every shard serving the game send chatRate between them — never more: the chat page window
  // turns over at the game's full rate, and a faster turnover would push messages out unseen.
  const share = writers.length / config.writers;
  const moderation = moderate(rt, moderator, tracker, recent, startMs, share);
  await driveOperations(rt, {
    open: burstModel(config.chatRate * share, config.burstMs, config.burstPauseMs, config.durationMs),
    startMs,
    // Writers send one message at a time; an arrival finding them all busy is dropped.
    units: writers.length,
    onOperation: async (intendedMs) => {
      let writer = writers[nextWriter++ % writers.length];
      for (let tries = 0; writer.busy && tries < writers.length; tries++) writer = writers[nextWriter++ % writers.length];
      writer.busy = true;
      const intendedUs = Math.round(intendedMs * 1000);
      const { writeId, nonce } = tracker.newWrite(writer.index, writer.seq++, intendedUs);
      rt.metrics.add("mutations_sent");
      try {
        const { value: messageId } = await writer.client.mutation("chat:sendMessage", { gameId, message: `${nonce} ${FILLER}` });
        rt.metrics.record("chat_send_us", rt.clock.epochMicros() - intendedUs, writer.client.kind);
        tracker.acknowledged(writeId);
        recent.push({ writeId, messageId: String(messageId) });
        if (recent.length > 100) recent.shift();
      } catch {
        if (!rt.signal.aborted) rt.metrics.add("mutation_errors");
      } finally {
        writer.busy = false;
      }
    },
  });
  await moderation;
}

type RecentMessage = { writeId: number; messageId: string };

/** Hides the newest message now and then; hidden messages are excluded from delivery accounting. */
async function moderate(rt: ScenarioRuntime<ChatSeed>, moderator: VirtualClient, tracker: DeliveryTracker, recent: RecentMessage[], startMs: number, share: number) {
  const perProcessPerMinute = rt.config.moderationPerMinute * share;
  if (perProcessPerMinute <= 0) return;
  await driveOpenModel({
    model: constantArrivalRate(perProcessPerMinute / 60, rt.config.durationMs),
    startMs: startMs + 1000,
    queue: rt.queue,
    maxInFlight: 1,
    signal: rt.signal,
    onDropped: () => rt.metrics.add("dropped_arrivals"),
    onArrival: async () => {
      const target = recent.pop();
      if (target === undefined) return;
      // Excluded before the call: viewers may legitimately never see a message hidden this fast.
      tracker.exclude(target.writeId);
      rt.metrics.add("mutations_sent");
      try {
        await moderator.mutation("chat:moderateMessage", { messageId: target.messageId, status: "hidden" });
      } catch {
        rt.metrics.add("mutation_errors");
      }
    },
  });
}
