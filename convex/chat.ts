// Live game chat with admin moderation. Every viewer of a game subscribes to
// the same listMessages query, which reads no per-user data, so the backend
// runs it once per change and sends the one result to all of them.
import { v } from "convex/values";
import { query } from "./_generated/server";
import { adminMutation, userMutation } from "./lib/auth";
import { invalidArgument, notFound } from "./lib/errors";
import { takeChatToken } from "./lib/rateLimit";
import { requireIntegerInRange, vChatMessageView, vMessageStatus } from "./lib/validators";

/** Longest message accepted, in characters after trimming. */
export const MAX_MESSAGE_LENGTH = 500;

/** listMessages returns this many messages unless asked otherwise, and never more than the maximum. */
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

export const listMessages = query({
  args: { gameId: v.id("games"), limit: v.optional(v.number()) },
  returns: v.array(vChatMessageView),
  handler: async (ctx, args) => {
    const limit = requireIntegerInRange("limit", args.limit ?? DEFAULT_MESSAGE_LIMIT, 1, MAX_MESSAGE_LIMIT);
    if ((await ctx.db.get(args.gameId)) === null) throw notFound(`game ${args.gameId} does not exist`);
    const newestFirst = await ctx.db
      .query("live_chat_messages")
      .withIndex("by_game", (q) => q.eq("game_id", args.gameId))
      .order("desc")
      .filter((q) => q.eq(q.field("status"), "active"))
      .take(limit);
    return newestFirst.reverse().map((m) => ({
      _id: m._id,
      gameId: m.game_id,
      userId: m.user_id,
      userName: m.user_name,
      userAvatar: m.user_avatar ?? null,
      message: m.message,
      createdAt: m.created_at,
    }));
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
