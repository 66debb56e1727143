// Live stream viewer sessions: join, 30-second heartbeats, leave, and the
// cleanup that retires sessions whose heartbeats stopped (a closed laptop, a
// crashed app). Viewer counts are kept exact in viewer_count_shards; only
// active <-> inactive transitions touch them, never a heartbeat. Viewers'
// screens watch the published count (getLiveViewerCount), refreshed from the
// exact one at most once a second; getViewerCount reads the exact one.
//
// A session's life:
//
//   joinStream ──> active ──heartbeat──> active
//                    │  leaveStream, or cleanup after 2 min without heartbeat
//                    ▼
//                 inactive ──joinStream with the same sessionId──> active
//
// A heartbeat on an inactive session is refused (kind SessionInactive) so a
// viewer who was counted out re-joins explicitly and is counted in again.
import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { internal } from "./_generated/api";
import type { Doc, Id } from "./_generated/dataModel";
import { internalMutation, internalQuery, query, type MutationCtx, type QueryCtx } from "./_generated/server";
import { viewerMutation } from "./lib/auth";
import { csnError, forbidden, invalidArgument, notFound } from "./lib/errors";
import { addViewers, publishExactCount, readPublication, readPublishedViewerCount, readViewerCount, shardOf, vCountChange, vPublication } from "./lib/viewerCounts";
import { requireIntegerInRange, requireLabel, requireUuid } from "./lib/validators";

/** Clients heartbeat this often (CSN spec); clients add jitter. */
export const HEARTBEAT_INTERVAL_MS = 30_000;

/** A session without a heartbeat for this long is stale (CSN spec). */
export const STALE_AFTER_MS = 2 * 60_000;

/** convex/crons.ts runs the cleanup this often (CSN spec). */
export const CLEANUP_INTERVAL_MS = 60_000;

// Sessions retired per cleanup transaction. Each costs one document write plus
// a read; 500 stays far below Convex's per-transaction limits (16,000 writes,
// 32,000 reads) and keeps each run short, so it rarely conflicts with joins.
// A full batch schedules the next one at once: 10,000 stale sessions are
// retired by 20 chained transactions within the same cleanup interval.
export const CLEANUP_BATCH_SIZE = 500;

type Viewer = Doc<"users"> | null;

async function requireGame(ctx: QueryCtx, gameId: Id<"games">) {
  const game = await ctx.db.get(gameId);
  if (game === null) throw notFound(`game ${gameId} does not exist`);
  return game;
}

async function findSession(ctx: MutationCtx, sessionId: string) {
  return await ctx.db
    .query("live_stream_sessions")
    .withIndex("by_session", (q) => q.eq("session_id", sessionId))
    .unique();
}

/** A session may be driven only by the viewer who opened it (anonymous sessions by their id's holder). */
function requireOwner(session: Doc<"live_stream_sessions">, viewer: Viewer) {
  if (session.user_id !== undefined && session.user_id !== viewer?._id) {
    throw forbidden("this session belongs to another viewer");
  }
}

async function requireOwnSession(ctx: MutationCtx, sessionId: string, viewer: Viewer) {
  const session = await findSession(ctx, requireUuid("sessionId", sessionId));
  if (session === null) throw notFound(`no session ${sessionId}; call joinStream first`);
  requireOwner(session, viewer);
  return session;
}

export const joinStream = viewerMutation({
  args: {
    gameId: v.id("games"),
    deviceType: v.string(),
    quality: v.optional(v.string()),
    sessionId: v.optional(v.string()),
  },
  // countChange: the change this join made to the exact count (null when the
  // session was already active and counted); see getViewerCountPublication.
  returns: v.object({ sessionId: v.string(), countChange: v.union(vCountChange, v.null()) }),
  handler: async (ctx, args) => {
    requireLabel("deviceType", args.deviceType);
    if (args.quality !== undefined) requireLabel("quality", args.quality);
    const game = await requireGame(ctx, args.gameId);
    if (game.status === "ended") throw invalidArgument(`game ${args.gameId} has ended`);
    const now = Date.now();

    if (args.sessionId !== undefined) {
      const sessionId = requireUuid("sessionId", args.sessionId);
      const existing = await findSession(ctx, sessionId);
      if (existing !== null) {
        requireOwner(existing, ctx.user);
        if (existing.game_id !== args.gameId) {
          throw invalidArgument("this sessionId belongs to another game; join with a new sessionId");
        }
        // Joining again with a live session is a heartbeat; with a retired one, a comeback.
        await ctx.db.patch(existing._id, {
          active: true,
          last_heartbeat: now,
          device_type: args.deviceType,
          quality: args.quality,
        });
        const countChange = existing.active ? null : await addViewers(ctx, args.gameId, shardOf(sessionId), +1);
        return { sessionId, countChange };
      }
    }

    const sessionId = args.sessionId?.toLowerCase() ?? crypto.randomUUID();
    await ctx.db.insert("live_stream_sessions", {
      game_id: args.gameId,
      user_id: ctx.user?._id,
      session_id: sessionId,
      joined_at: now,
      last_heartbeat: now,
      active: true,
      device_type: args.deviceType,
      quality: args.quality,
    });
    return { sessionId, countChange: await addViewers(ctx, args.gameId, shardOf(sessionId), +1) };
  },
});

export const heartbeat = viewerMutation({
  args: { sessionId: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const session = await requireOwnSession(ctx, args.sessionId, ctx.user);
    if (!session.active) {
      throw csnError(
        "SessionInactive",
        "this session is no longer active (left, or no heartbeat for 2 minutes); call joinStream with the same sessionId to resume",
      );
    }
    await ctx.db.patch(session._id, { last_heartbeat: Date.now() });
    return null;
  },
});

export const leaveStream = viewerMutation({
  args: { sessionId: v.string() },
  // The change this leave made to the exact count, as joinStream's countChange.
  returns: v.object({ countChange: v.union(vCountChange, v.null()) }),
  handler: async (ctx, args) => {
    const session = await requireOwnSession(ctx, args.sessionId, ctx.user);
    // Leaving twice (a retried tab-close beacon) is harmless.
    if (!session.active) return { countChange: null };
    await ctx.db.patch(session._id, { active: false });
    return { countChange: await addViewers(ctx, session.game_id, shardOf(session.session_id), -1) };
  },
});

/** A public count of one game's viewers, as `read` counts them; NotFound for an unknown game. */
function viewerCountQuery(read: (ctx: QueryCtx, gameId: Id<"games">) => Promise<number>) {
  return query({
    args: { gameId: v.id("games") },
    returns: v.number(),
    handler: async (ctx, args) => {
      await requireGame(ctx, args.gameId);
      return await read(ctx, args.gameId);
    },
  });
}

/** The exact count: every join and leave is in it at once (audits, verify-cleanup). */
export const getViewerCount = viewerCountQuery(readViewerCount);

/** The count a viewer's screen subscribes to: at most about a second behind the exact one, and it changes at most once a second. */
export const getLiveViewerCount = viewerCountQuery(readPublishedViewerCount);

/**
 * The published count with the shard versions it includes, for a client that
 * wants to know when its own join or leave is on viewers' screens (the
 * `viewers` scenario's freshness probes): the change {shard, version} a
 * mutation returned is in once covers[shard] >= version. Unlike the count,
 * this changes with every publication, even one that leaves the number as it was.
 */
export const getViewerCountPublication = query({
  args: { gameId: v.id("games") },
  returns: vPublication,
  handler: async (ctx, args) => {
    await requireGame(ctx, args.gameId);
    return await readPublication(ctx, args.gameId);
  },
});

/** Scheduled by joins, leaves and cleanup (lib/viewerCounts.ts): copies the exact count to the published one. */
export const publishViewerCount = internalMutation({
  args: { gameId: v.id("games") },
  returns: v.null(),
  handler: async (ctx, args) => {
    await publishExactCount(ctx, args.gameId);
    return null;
  },
});

export const cleanupStaleSessions = internalMutation({
  args: {},
  returns: v.object({ deactivated: v.number(), more: v.boolean() }),
  handler: async (ctx) => {
    const cutoff = Date.now() - STALE_AFTER_MS;
    const stale = await ctx.db
      .query("live_stream_sessions")
      .withIndex("by_active_heartbeat", (q) => q.eq("active", true).lt("last_heartbeat", cutoff))
      .take(CLEANUP_BATCH_SIZE);

    // One counter write per (game, shard), however many sessions it retires.
    const decrements = new Map<string, { gameId: Doc<"games">["_id"]; shard: number; count: number }>();
    for (const session of stale) {
      await ctx.db.patch(session._id, { active: false });
      const shard = shardOf(session.session_id);
      const key = `${session.game_id}:${shard}`;
      const entry = decrements.get(key) ?? { gameId: session.game_id, shard, count: 0 };
      entry.count += 1;
      decrements.set(key, entry);
    }
    for (const { gameId, shard, count } of decrements.values()) {
      await addViewers(ctx, gameId, shard, -count);
    }

    const more = stale.length === CLEANUP_BATCH_SIZE;
    if (more) await ctx.scheduler.runAfter(0, internal.liveSessions.cleanupStaleSessions, {});
    return { deactivated: stale.length, more };
  },
});

// Sessions per sessionStates page: about 100 bytes each, so a page stays far
// below Convex's per-query limits (32,000 documents, 16 MiB read) and a
// 10,000-session game is read in 10 round trips.
export const SESSION_STATES_MAX_PAGE = 1000;

/**
 * The true state of every session of a game, for `csn-rt verify-cleanup`
 * (admin key only): it checks each session's fate against what cleanup did,
 * and viewer counts against the active rows. Paginated over by_game_active,
 * so a page reads only this game's sessions.
 */
export const sessionStates = internalQuery({
  args: { gameId: v.id("games"), paginationOpts: paginationOptsValidator },
  returns: v.object({
    page: v.array(v.object({ sessionId: v.string(), active: v.boolean(), lastHeartbeat: v.number() })),
    isDone: v.boolean(),
    continueCursor: v.string(),
  }),
  handler: async (ctx, args) => {
    const numItems = requireIntegerInRange("paginationOpts.numItems", args.paginationOpts.numItems, 1, SESSION_STATES_MAX_PAGE);
    const result = await ctx.db
      .query("live_stream_sessions")
      .withIndex("by_game_active", (q) => q.eq("game_id", args.gameId))
      // Only the cursor and the bounded size: row and byte budgets from the caller are not passed on.
      .paginate({ cursor: args.paginationOpts.cursor, numItems });
    return {
      page: result.page.map((s) => ({ sessionId: s.session_id, active: s.active, lastHeartbeat: s.last_heartbeat })),
      isDone: result.isDone,
      continueCursor: result.continueCursor,
    };
  },
});
