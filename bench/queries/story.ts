// The story's scale, seeded the same way into each target (same seeded
// random numbers): 10,000 users with watch progress, 1,000 viewers in one
// game, a game with 10,000 chat messages of which a tenth are hidden.
// Progress goes in through the internal seed functions (admin); viewers join
// and chatters chat through the public functions, as the app does.
import pLimit from "p-limit";
import type { JSONValue } from "convex/values";
import type { Target } from "./target.ts";

export const SCALE = {
  users: 10_000,
  titles: 200,
  /** Progress rows per user; about a quarter of them completed. */
  titlesPerUser: 12,
  viewers: 1_000,
  chatMessages: 10_000,
  /** Every tenth message is hidden by a moderator, so "active only" has something to skip. */
  hiddenEvery: 10,
} as const;

export const SUBJECT_PREFIX = "bench-user-";
export const MODERATOR = { kind: "user", subject: "bench-moderator", permissions: ["write:chat"] } as const;
const TITLE_SECONDS = 3_600;
// seed:createUsers / createProgress take at most 500 rows per call (MAX_SEED_BATCH in convex/seed.ts).
const SEED_BATCH = 500;
// The chat rate limit allows a burst of 10 per user: each chatter sends 10.
const MESSAGES_PER_CHATTER = 10;
// Independent public mutations in flight at once while seeding.
const SEED_CONCURRENCY = 8;

export type Story = {
  readonly gameId: string;
  /** For user i, the titles they have progress on. */
  readonly titlesOf: (user: number) => string[];
  readonly seedSeconds: number;
};

/** mulberry32: a small deterministic PRNG, so both targets hold the same story. */
export function randomSource(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export async function seedStory(target: Target, log: (line: string) => void): Promise<Story> {
  const started = performance.now();
  const admin = { kind: "admin" } as const;
  const random = randomSource(20261125);
  const limit = pLimit(SEED_CONCURRENCY);

  const userIds: string[] = [];
  for (let offset = 0; offset < SCALE.users; offset += SEED_BATCH) {
    userIds.push(...((await target.mutation("seed:createUsers", { count: SEED_BATCH, offset, subjectPrefix: SUBJECT_PREFIX }, admin)) as string[]));
  }
  const titleIds = (await target.mutation("seed:createContent", { count: SCALE.titles, durationSeconds: TITLE_SECONDS }, admin)) as string[];
  const [gameId] = (await target.mutation("seed:createGames", { count: 1, status: "live" }, admin)) as string[];
  log(`  ${SCALE.users} users, ${SCALE.titles} titles, 1 game`);

  const titlesByUser: string[][] = [];
  const now = Date.now();
  let entries: JSONValue[] = [];
  for (let user = 0; user < SCALE.users; user++) {
    const mine = new Set<string>();
    while (mine.size < SCALE.titlesPerUser) mine.add(titleIds[Math.floor(random() * titleIds.length)]);
    titlesByUser.push([...mine]);
    for (const contentId of mine) {
      const completed = random() < 0.25;
      const fraction = completed ? 0.9 + random() * 0.1 : 0.01 + random() * 0.88;
      entries.push({ userId: userIds[user], contentId, positionSeconds: Math.round(fraction * TITLE_SECONDS), durationSeconds: TITLE_SECONDS, watchedAt: now - Math.floor(random() * 30 * 86_400_000) });
      if (entries.length === SEED_BATCH) {
        await target.mutation("seed:createProgress", { entries }, admin);
        entries = [];
      }
    }
  }
  if (entries.length > 0) await target.mutation("seed:createProgress", { entries }, admin);
  log(`  ${SCALE.users * SCALE.titlesPerUser} progress rows`);

  await Promise.all(
    Array.from({ length: SCALE.viewers }, () => limit(() => target.mutation("liveSessions:joinStream", { gameId, deviceType: "web" }, { kind: "anonymous" }))),
  );
  log(`  ${SCALE.viewers} viewers joined`);

  const messageIds: string[] = [];
  const chatters = SCALE.chatMessages / MESSAGES_PER_CHATTER;
  await Promise.all(
    Array.from({ length: chatters }, (_, chatter) =>
      limit(async () => {
        for (let i = 0; i < MESSAGES_PER_CHATTER; i++) {
          const who = { kind: "user", subject: `${SUBJECT_PREFIX}${chatter}` } as const;
          messageIds.push((await target.mutation("chat:sendMessage", { gameId, message: `message ${chatter}-${i}` }, who)) as string);
        }
      }),
    ),
  );
  await Promise.all(
    messageIds
      .filter((_, i) => i % SCALE.hiddenEvery === 0)
      .map((messageId) => limit(() => target.mutation("chat:moderateMessage", { messageId, status: "hidden" }, MODERATOR))),
  );
  log(`  ${SCALE.chatMessages} chat messages, ${SCALE.chatMessages / SCALE.hiddenEvery} of them hidden`);
  return { gameId, titlesOf: (user) => titlesByUser[user], seedSeconds: (performance.now() - started) / 1000 };
}
