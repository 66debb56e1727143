// Seeding for simulations, callable only with the deployment's admin key
// (internal functions). Each call is one bounded batch; the load generator
// calls repeatedly for larger populations.
import { v } from "convex/values";
import type { Id } from "./_generated/dataModel";
import { internalMutation } from "./_generated/server";
import { invalidArgument } from "./lib/errors";
import { createViewerCountShards } from "./lib/viewerCounts";
import { requireIntegerInRange, requireNonNegativeFinite, vGameStatus } from "./lib/validators";
import { completionPercentage, COMPLETED_AT_PERCENT } from "./watchProgress";

// 500 rows per call stays well inside Convex's per-transaction write limit
// (16,000 documents) even for games, which write 17 documents each.
export const MAX_SEED_BATCH = 500;

/** Simulated users are named by subject `${subjectPrefix}${index}`, matching the tokens the load generator signs. */
export const DEFAULT_SUBJECT_PREFIX = "sim-user-";

export const createUsers = internalMutation({
  args: {
    count: v.number(),
    offset: v.optional(v.number()),
    subjectPrefix: v.optional(v.string()),
  },
  returns: v.array(v.id("users")),
  handler: async (ctx, args) => {
    const count = requireIntegerInRange("count", args.count, 1, MAX_SEED_BATCH);
    const offset = requireIntegerInRange("offset", args.offset ?? 0, 0, Number.MAX_SAFE_INTEGER);
    const prefix = args.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    const ids: Id<"users">[] = [];
    for (let i = offset; i < offset + count; i++) {
      const subject = `${prefix}${i}`;
      // Idempotent: re-seeding the same range returns the same users.
      const existing = await ctx.db
        .query("users")
        .withIndex("by_subject", (q) => q.eq("subject", subject))
        .unique();
      ids.push(existing?._id ?? (await ctx.db.insert("users", { subject, name: `Viewer ${i}`, permissions: [] })));
    }
    return ids;
  },
});

export const createGames = internalMutation({
  args: { count: v.number(), status: v.optional(vGameStatus) },
  returns: v.array(v.id("games")),
  handler: async (ctx, args) => {
    // A game writes itself plus its viewer-count shards.
    const count = requireIntegerInRange("count", args.count, 1, 100);
    const now = Date.now();
    const ids: Id<"games">[] = [];
    for (let i = 0; i < count; i++) {
      const id = await ctx.db.insert("games", {
        title: `Simulated game ${i + 1}`,
        status: args.status ?? "live",
        starts_at: now,
      });
      await createViewerCountShards(ctx, id);
      ids.push(id);
    }
    return ids;
  },
});

export const createContent = internalMutation({
  args: { count: v.number(), durationSeconds: v.number() },
  returns: v.array(v.id("content")),
  handler: async (ctx, args) => {
    const count = requireIntegerInRange("count", args.count, 1, MAX_SEED_BATCH);
    const duration = requireNonNegativeFinite("durationSeconds", args.durationSeconds);
    if (duration === 0) throw invalidArgument("durationSeconds must be more than 0");
    const ids: Id<"content">[] = [];
    for (let i = 0; i < count; i++) {
      ids.push(await ctx.db.insert("content", { title: `Simulated title ${i + 1}`, duration_seconds: duration }));
    }
    return ids;
  },
});

/** Bulk progress rows for the progress-sync scenario's 10,000 users (upserts; no LWW check: seeding is authoritative). */
export const createProgress = internalMutation({
  args: {
    entries: v.array(
      v.object({
        userId: v.id("users"),
        contentId: v.id("content"),
        positionSeconds: v.number(),
        durationSeconds: v.number(),
        watchedAt: v.number(),
      }),
    ),
  },
  returns: v.number(),
  handler: async (ctx, args) => {
    if (args.entries.length > MAX_SEED_BATCH) {
      throw invalidArgument(`entries must hold at most ${MAX_SEED_BATCH} rows per call, got ${args.entries.length}`);
    }
    for (const e of args.entries) {
      const position = requireNonNegativeFinite("positionSeconds", e.positionSeconds);
      const duration = requireNonNegativeFinite("durationSeconds", e.durationSeconds);
      if (duration === 0 || position > duration) {
        throw invalidArgument(`entry for user ${e.userId}: need 0 <= positionSeconds <= durationSeconds and durationSeconds > 0`);
      }
      const completion = completionPercentage(position, duration);
      const fields = {
        user_id: e.userId,
        content_id: e.contentId,
        position_seconds: position,
        duration_seconds: duration,
        completion_percentage: completion,
        completed: completion >= COMPLETED_AT_PERCENT,
        last_watched_at: requireNonNegativeFinite("watchedAt", e.watchedAt),
        client_updated_at: e.watchedAt,
      };
      const existing = await ctx.db
        .query("user_watch_progress")
        .withIndex("by_user_content", (q) => q.eq("user_id", e.userId).eq("content_id", e.contentId))
        .unique();
      if (existing === null) await ctx.db.insert("user_watch_progress", fields);
      else await ctx.db.replace(existing._id, fields);
    }
    return args.entries.length;
  },
});
