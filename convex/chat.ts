// Live game chat with admin moderation. Every viewer of a game subscribes to
// the same listMessages query, which reads no per-user data, so the backend
// runs it once per change and sends the one result to all of them. Scrolling
// back uses listMessagesPage; usePaginatedQuery gives each viewer's pages
// their own `id`, so history pages are per-viewer subscriptions: keep the
// live tail on listMessages and page only when a viewer asks for older ones.
import { paginationOptsValidator, paginationResultValidator, type PaginationOptions } from "convex/server";
import { v } from "convex/values";
import type { Doc, Id } from "./_generated/dataModel";
import { query, type QueryCtx } from "./_generated/server";
import { adminMutation, userMutation } from "./lib/auth";
import { invalidArgument, notFound } from "./lib/errors";
import { takeChatToken } from "./lib/rateLimit";
import { requireIntegerInRange, vChatMessageView, vMessageStatus } from "./lib/validators";

/** Longest message accepted, in characters after trimming. */
export const MAX_MESSAGE_LENGTH = 500;

/** listMessages returns this many messages unless asked otherwise; neither query returns more than the maximum at once. */
export const DEFAULT_MESSAGE_LIMIT = 50;
export const MAX_MESSAGE_LIMIT = 200;

export const sendMessage = userMutation({
  args: { gameId: v.id("games"), message: v.string() },
  returns: v.id("live_chat_messages"),
  handler: async (ctx, args) => {
    const text = args.message.trim();
    if (text.length === 0) throw invalidArgument("message must not be empty");
    if (text.length > MAX_MESSAGE_LENGTH) {
      throw invalidArgument(`message must be at most ${MAX_MESSAGE_LENGTH} characters, got ${text.length}`);
    }
    if ((await ctx.db.get(args.gameId)) === null) throw notFound(`game ${args.gameId} does not exist`);
    const now = Date.now();
    await takeChatToken(ctx, ctx.user._id, now);
    return await ctx.db.insert("live_chat_messages", {
      game_id: args.gameId,
      user_id: ctx.user._id,
      message: text,
      user_name: ctx.user.name,
      user_avatar: ctx.user.avatar_url,
      status: "active",
      created_at: now,
    });
  },
});

/** The active messages of a game, newest first: the range of by_game_status both chat queries read. */
function activeMessagesNewestFirst(ctx: QueryCtx, gameId: Id<"games">) {
  return ctx.db
    .query("live_chat_messages")
    .withIndex("by_game_status", (q) => q.eq("game_id", gameId).eq("status", "active"))
    .order("desc");
}

function toView(m: Doc<"live_chat_messages">) {
  return {
    _id: m._id,
    gameId: m.game_id,
    userId: m.user_id,
    userName: m.user_name,
    userAvatar: m.user_avatar ?? null,
    message: m.message,
    createdAt: m.created_at,
  };
}

async function requireGame(ctx: QueryCtx, gameId: Id<"games">) {
  if ((await ctx.db.get(gameId)) === null) throw notFound(`game ${gameId} does not exist`);
}

/** The latest chat, oldest first: what every viewer of a game watches (one shared subscription). */
export const listMessages = query({
  args: { gameId: v.id("games"), limit: v.optional(v.number()) },
  returns: v.array(vChatMessageView),
  handler: async (ctx, args) => {
    const limit = requireIntegerInRange("limit", args.limit ?? DEFAULT_MESSAGE_LIMIT, 1, MAX_MESSAGE_LIMIT);
    await requireGame(ctx, args.gameId);
    const newestFirst = await activeMessagesNewestFirst(ctx, args.gameId).take(limit);
    return newestFirst.reverse().map(toView);
  },
});

/**
 * A page is at most as long as the latest chat. The read limits are Convex's
 * own knobs (usePaginatedQuery does not send them): refused here when they
 * are not positive whole numbers, because the backend would otherwise fail
 * the query with "scanned too many documents" instead of saying what is wrong.
 */
function requirePageOptions(opts: PaginationOptions) {
  requireIntegerInRange("paginationOpts.numItems", opts.numItems, 1, MAX_MESSAGE_LIMIT);
  for (const name of ["maximumRowsRead", "maximumBytesRead"] as const) {
    const value = opts[name];
    if (value !== undefined && !(Number.isInteger(value) && value > 0)) throw invalidArgument(`paginationOpts.${name} must be a positive whole number, got ${value}`);
  }
}

/**
 * Chat history, newest first, one page at a time (usePaginatedQuery). Pages
 * are cursors into the by_game_status range, so messages arriving while a
 * viewer scrolls back land before the first page and never shift later pages:
 * nothing is skipped or shown twice. Hidden messages are outside the range.
 */
export const listMessagesPage = query({
  args: { gameId: v.id("games"), paginationOpts: paginationOptsValidator },
  returns: paginationResultValidator(vChatMessageView),
  handler: async (ctx, args) => {
    requirePageOptions(args.paginationOpts);
    await requireGame(ctx, args.gameId);
    const page = await activeMessagesNewestFirst(ctx, args.gameId).paginate(args.paginationOpts);
    return { ...page, page: page.page.map(toView) };
  },
});

export const moderateMessage = adminMutation({
  args: { messageId: v.id("live_chat_messages"), status: vMessageStatus },
  returns: v.null(),
  handler: async (ctx, args) => {
    const message = await ctx.db.get(args.messageId);
    if (message === null) throw notFound(`message ${args.messageId} does not exist`);
    await ctx.db.patch(args.messageId, {
      status: args.status,
      moderated_by: ctx.user._id,
      moderated_at: Date.now(),
    });
    return null;
  },
});
