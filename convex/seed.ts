// Seeding for simulations, callable only with the deployment's admin key
// (internal functions). Each call is one bounded batch; the load generator
// calls repeatedly for larger populations.
//
// Shards: the machines of one sharded run (`simulate --shard i/N`) seed the
// same backend independently and must end up sharing games and content. So
// games and content take an optional run `key` (derived by every machine
// from the scenario and --seed): the n-th row of a key is created once and
// found again by every later call, as users are found by subject; and
// progress rows can be seeded without overwriting rows a running shard has
// already written.
import { v } from "convex/values";
import type { Id } from "./_generated/dataModel";
import { internalMutation } from "./_generated/server";
import { invalidArgument } from "./lib/errors";
import { createViewerCounts } from "./lib/viewerCounts";
import { requireIntegerInRange, requireLabel, requireNonNegativeFinite, vGameStatus } from "./lib/validators";
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

/** The key of a run's n-th seeded game or title (games.seed_key, content.seed_key). */
export function seedKeyOf(key: string, index: number): string {
  return `${key}#${index}`;
}

export const createGames = internalMutation({
  args: { count: v.number(), status: v.optional(vGameStatus), key: v.optional(v.string()), offset: v.optional(v.number()) },
  returns: v.array(v.id("games")),
  handler: async (ctx, args) => {
    // A game writes itself plus its viewer-count shards.
    const count = requireIntegerInRange("count", args.count, 1, 100);
    const offset = requireIntegerInRange("offset", args.offset ?? 0, 0, Number.MAX_SAFE_INTEGER);
    const key = args.key === undefined ? undefined : requireLabel("key", args.key);
    const now = Date.now();
    const ids: Id<"games">[] = [];
    for (let i = offset; i < offset + count; i++) {
      const seedKey = key === undefined ? undefined : seedKeyOf(key, i);
      // Idempotent with a key: an existing game is returned as it is.
      const existing =
        seedKey === undefined
          ? null
          : await ctx.db
              .query("games")
              .withIndex("by_seed_key", (q) => q.eq("seed_key", seedKey))
              .unique();
      if (existing !== null) {
        ids.push(existing._id);
        continue;
      }
      const id = await ctx.db.insert("games", {
        title: `Simulated game ${i + 1}`,
        status: args.status ?? "live",
        starts_at: now,
        ...(seedKey === undefined ? {} : { seed_key: seedKey }),
      });
      await createViewerCounts(ctx, id);
      ids.push(id);
    }
    return ids;
  },
});

export const createContent = internalMutation({
  args: { count: v.number(), durationSeconds: v.number(), key: v.optional(v.string()), offset: v.optional(v.number()) },
  returns: v.array(v.id("content")),
  handler: async (ctx, args) => {
    const count = requireIntegerInRange("count", args.count, 1, MAX_SEED_BATCH);
    const offset = requireIntegerInRange("offset", args.offset ?? 0, 0, Number.MAX_SAFE_INTEGER);
    const duration = requireNonNegativeFinite("durationSeconds", args.durationSeconds);
    if (duration === 0) throw invalidArgument("durationSeconds must be more than 0");
    const key = args.key === undefined ? undefined : requireLabel("key", args.key);
    const ids: Id<"content">[] = [];
    for (let i = offset; i < offset + count; i++) {
      const seedKey = key === undefined ? undefined : seedKeyOf(key, i);
      const existing =
        seedKey === undefined
          ? null
          : await ctx.db
              .query("content")
              .withIndex("by_seed_key", (q) => q.eq("seed_key", seedKey))
              .unique();
      ids.push(
        existing?._id ??
          (await ctx.db.insert("content", {
            title: `Simulated title ${i + 1}`,
            duration_seconds: duration,
            ...(seedKey === undefined ? {} : { seed_key: seedKey }),
          })),
      );
    }
    return ids;
  },
});

/**
 * Bulk progress rows for the progress-sync scenario's 10,000 users. Upserts
 * with no last-write-wins check (seeding is authoritative), unless
 * `keepExisting`: then a (user, content) row that exists is left alone — a
 * shard seeding late must not roll back what another shard's users wrote.
 */
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
    keepExisting: v.optional(v.boolean()),
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
      else if (!args.keepExisting) await ctx.db.replace(existing._id, fields);
    }
    return args.entries.length;
  },
});
