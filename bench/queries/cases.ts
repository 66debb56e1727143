// The queries the app runs, as `npm run bench:queries` measures them: each
// with the function, the index its read uses, how each sample picks its
// arguments and caller, and a check that the answer is the right one (a fast
// wrong answer measures nothing). docs/realtime.md shows the resulting
// table; test/docs/realtimeDoc.test.ts holds the doc's rows to this list.
import type { JSONValue } from "convex/values";
import { SCALE, SUBJECT_PREFIX, type Story } from "./story.ts";
import type { Target, Who } from "./target.ts";

export type Call = { readonly args: Record<string, JSONValue>; readonly who: Who };

export type QueryCase = {
  readonly label: string;
  readonly fn: string;
  /** table.index and the range read. */
  readonly index: string;
  /** Prepares (e.g. collects page cursors) and returns the i-th sample's call. */
  prepare(target: Target, story: Story, random: () => number): Promise<(i: number) => Call>;
  /** Throws when an answer is wrong. */
  check(value: JSONValue, call: Call): void;
};

/** The columns of the table `npm run bench:queries` prints (and docs/realtime.md shows). */
export const TABLE_HEADER = ["query", "function", "index range read", "engine p50", "engine p99", "HTTP p50", "HTTP p99", "target", "result"] as const;

/** User queries sample this many distinct users (each token verified once in the warm-up, as a live connection would). */
export const SAMPLED_USERS = 500;
const CHAT_PAGE = 50;

const userAt = (random: () => number) => Math.floor(random() * SAMPLED_USERS);
const asUser = (user: number): Who => ({ kind: "user", subject: `${SUBJECT_PREFIX}${user}` });

function expect(ok: boolean, message: string): void {
  if (!ok) throw new Error(message);
}

export const QUERY_CASES: readonly QueryCase[] = [
  {
    label: "Continue Watching",
    fn: "watchProgress:getContinueWatching",
    index: "user_watch_progress.by_last_watched (user_id = me, newest first)",
    async prepare(_target, _story, random) {
      return (i) => ({ args: {}, who: asUser(i < SAMPLED_USERS ? i : userAt(random)) });
    },
    check(value) {
      const rows = value as { completed: boolean }[];
      expect(rows.length > 0 && rows.length <= 10 && rows.every((r) => !r.completed), `Continue Watching returned ${JSON.stringify(value).slice(0, 200)}`);
    },
  },
  {
    label: "Resume position",
    fn: "watchProgress:getProgress",
    index: "user_watch_progress.by_user_content (user_id = me, content_id = c)",
    async prepare(_target, story, random) {
      return (i) => {
        const user = i < SAMPLED_USERS ? i : userAt(random);
        const titles = story.titlesOf(user);
        return { args: { contentId: titles[Math.floor(random() * titles.length)] }, who: asUser(user) };
      };
    },
    check(value, call) {
      expect((value as { contentId?: string } | null)?.contentId === call.args.contentId, `getProgress returned ${JSON.stringify(value)}`);
    },
  },
  {
    label: "Viewer count",
    fn: "liveSessions:getViewerCount",
    index: "viewer_count_shards.by_game_shard (game_id = g: 16 rows)",
    async prepare(_target, story) {
      return () => ({ args: { gameId: story.gameId }, who: { kind: "anonymous" } });
    },
    check(value) {
      expect(value === SCALE.viewers, `getViewerCount returned ${value}, expected ${SCALE.viewers}`);
    },
  },
  {
    label: "Latest chat",
    fn: "chat:listMessages",
    index: "live_chat_messages.by_game_status (game_id = g, status = active, newest 50)",
    async prepare(_target, story) {
      return () => ({ args: { gameId: story.gameId, limit: CHAT_PAGE }, who: { kind: "anonymous" } });
    },
    check(value) {
      expect((value as unknown[]).length === CHAT_PAGE, `listMessages returned ${(value as unknown[]).length} messages`);
    },
  },
  {
    label: "Chat history page",
    fn: "chat:listMessagesPage",
    index: "live_chat_messages.by_game_status (game_id = g, status = active, 50 after a cursor)",
    async prepare(target, story, random) {
      // The cursor of every non-empty page, found by paging through once; samples then read random pages.
      const cursors: (string | null)[] = [];
      let cursor: string | null = null;
      for (;;) {
        const page = (await target.query("chat:listMessagesPage", { gameId: story.gameId, paginationOpts: { numItems: CHAT_PAGE, cursor } }, { kind: "anonymous" })) as {
          page: unknown[];
          isDone: boolean;
          continueCursor: string;
        };
        if (page.page.length === CHAT_PAGE) cursors.push(cursor);
        if (page.isDone) break;
        cursor = page.continueCursor;
      }
      const active = SCALE.chatMessages - SCALE.chatMessages / SCALE.hiddenEvery;
      expect(cursors.length === Math.floor(active / CHAT_PAGE), `paging found ${cursors.length} full pages, expected ${Math.floor(active / CHAT_PAGE)}`);
      return () => ({ args: { gameId: story.gameId, paginationOpts: { numItems: CHAT_PAGE, cursor: cursors[Math.floor(random() * cursors.length)] } }, who: { kind: "anonymous" } });
    },
    check(value) {
      const page = value as { page: { message: string }[] };
      expect(page.page.length === CHAT_PAGE, `a history page held ${page.page.length} messages`);
    },
  },
];
