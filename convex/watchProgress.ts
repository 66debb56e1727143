// Watch progress: multi-device resume and "Continue Watching".
//
// Several devices of one user write progress for the same item, and their
// writes can arrive out of order (a phone reconnecting with an old position).
// Each write carries the device's own clock (clientUpdatedAt); the row keeps
// the clock of the write it holds, and an older write is acknowledged but not
// applied: last write wins by the writer's clock, not by arrival order.
import { v } from "convex/values";
import type { Doc } from "./_generated/dataModel";
import { userMutation, userQuery } from "./lib/auth";
import { invalidArgument, notFound } from "./lib/errors";
import { requireLabel, requireNonNegativeFinite, vProgressView } from "./lib/validators";

/** The CSN rule: an item counts as watched once 90 % of it has been seen. */
export const COMPLETED_AT_PERCENT = 90;

/** Continue Watching shows this many items (CSN spec). */
export const CONTINUE_WATCHING_LIMIT = 10;

// A device clock further ahead than this is refused: accepting it would let
// one misconfigured device pin a row against every later real write.
const MAX_CLIENT_CLOCK_AHEAD_MS = 5 * 60 * 1000;

// A day of video is longer than anything CSN streams; bounds absurd input.
const MAX_DURATION_SECONDS = 24 * 60 * 60;

export function completionPercentage(positionSeconds: number, durationSeconds: number): number {
  // Two decimals are plenty for a progress bar and keep values stable across devices.
  return Math.round((positionSeconds / durationSeconds) * 10_000) / 100;
}

function toView(row: Doc<"user_watch_progress">, title: string | null) {
  return {
    contentId: row.content_id,
    title,
    positionSeconds: row.position_seconds,
    durationSeconds: row.duration_seconds,
    completionPercentage: row.completion_percentage,
    completed: row.completed,
    lastWatchedAt: row.last_watched_at,
    deviceType: row.device_type ?? null,
  };
}

export const updateProgress = userMutation({
  args: {
    contentId: v.id("content"),
    positionSeconds: v.number(),
    durationSeconds: v.number(),
    deviceType: v.optional(v.string()),
    clientUpdatedAt: v.optional(v.number()),
  },
  returns: v.object({
    applied: v.boolean(),
    completionPercentage: v.number(),
    completed: v.boolean(),
  }),
  handler: async (ctx, args) => {
    const now = Date.now();
    const position = requireNonNegativeFinite("positionSeconds", args.positionSeconds);
    const duration = requireNonNegativeFinite("durationSeconds", args.durationSeconds);
    if (duration === 0 || duration > MAX_DURATION_SECONDS) {
      throw invalidArgument(`durationSeconds must be more than 0 and at most ${MAX_DURATION_SECONDS}, got ${duration}`);
    }
    if (position > duration) {
      throw invalidArgument(`positionSeconds (${position}) must not exceed durationSeconds (${duration})`);
    }
    if (args.deviceType !== undefined) requireLabel("deviceType", args.deviceType);
    if (args.clientUpdatedAt !== undefined) {
      requireNonNegativeFinite("clientUpdatedAt", args.clientUpdatedAt);
      if (args.clientUpdatedAt > now + MAX_CLIENT_CLOCK_AHEAD_MS) {
        throw invalidArgument("clientUpdatedAt is more than 5 minutes ahead of the server clock; check the device's clock");
      }
    }
    if ((await ctx.db.get(args.contentId)) === null) {
      throw notFound(`content ${args.contentId} does not exist`);
    }

    const existing = await ctx.db
      .query("user_watch_progress")
      .withIndex("by_user_content", (q) => q.eq("user_id", ctx.user._id).eq("content_id", args.contentId))
      .unique();
    const writtenAt = args.clientUpdatedAt ?? now;
    if (existing !== null) {
      const heldAt = existing.client_updated_at ?? existing.last_watched_at;
      if (writtenAt < heldAt) {
        return {
          applied: false,
          completionPercentage: existing.completion_percentage,
          completed: existing.completed,
        };
      }
    }

    const completion = completionPercentage(position, duration);
    const fields = {
      position_seconds: position,
      duration_seconds: duration,
      completion_percentage: completion,
      completed: completion >= COMPLETED_AT_PERCENT,
      last_watched_at: now,
      device_type: args.deviceType,
      client_updated_at: writtenAt,
    };
    if (existing === null) {
      await ctx.db.insert("user_watch_progress", { user_id: ctx.user._id, content_id: args.contentId, ...fields });
    } else {
      await ctx.db.patch(existing._id, fields);
    }
    return { applied: true, completionPercentage: completion, completed: fields.completed };
  },
});

export const getContinueWatching = userQuery({
  args: {},
  returns: v.array(vProgressView),
  handler: async (ctx) => {
    if (ctx.user === null) return [];
    const userId = ctx.user._id;
    // Newest first; completed rows are skipped in the scan, so the read is
    // bounded by 10 plus the completed items watched more recently.
    const rows = await ctx.db
      .query("user_watch_progress")
      .withIndex("by_last_watched", (q) => q.eq("user_id", userId))
      .order("desc")
      .filter((q) => q.eq(q.field("completed"), false))
      .take(CONTINUE_WATCHING_LIMIT);
    return await Promise.all(
      rows.map(async (row) => toView(row, (await ctx.db.get(row.content_id))?.title ?? null)),
    );
  },
});

export const getProgress = userQuery({
  args: { contentId: v.id("content") },
  returns: v.union(vProgressView, v.null()),
  handler: async (ctx, args) => {
    if (ctx.user === null) return null;
    const userId = ctx.user._id;
    const row = await ctx.db
      .query("user_watch_progress")
      .withIndex("by_user_content", (q) => q.eq("user_id", userId).eq("content_id", args.contentId))
      .unique();
    if (row === null) return null;
    return toView(row, (await ctx.db.get(row.content_id))?.title ?? null);
  },
});
