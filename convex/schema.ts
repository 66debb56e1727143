// The CSN real-time data model. Table and field names follow the CSN spec
// (snake_case); every index names the query that reads it.
import { defineSchema, defineTable } from "convex/server";
import { v } from "convex/values";
import { vMessageStatus } from "./lib/validators";

export default defineSchema({
  users: defineTable({
    // The token's `sub`. The app trusts one issuer (convex/auth.config.ts), so
    // the subject alone identifies a caller.
    subject: v.string(),
    name: v.string(),
    avatar_url: v.optional(v.string()),
    // A copy of the token's `permissions` claim as last seen, for display and
    // audit. Authorization always reads the claim of the current token.
    permissions: v.array(v.string()),
  })
    // requireUser / getViewer: token subject -> user row.
    .index("by_subject", ["subject"]),

  games: defineTable({
    title: v.string(),
    status: v.union(v.literal("scheduled"), v.literal("live"), v.literal("ended")),
    starts_at: v.number(),
    // Set only on games the load generator seeds: "<run key>#<n>", so every
    // shard of a run (one per machine) finds the same games (seed.ts).
    seed_key: v.optional(v.string()),
  })
    // seed:createGames with a key: the run's n-th game, if it exists.
    .index("by_seed_key", ["seed_key"]),

  content: defineTable({
    title: v.string(),
    duration_seconds: v.number(),
    // As games.seed_key: the run's n-th seeded title.
    seed_key: v.optional(v.string()),
  })
    // seed:createContent with a key: the run's n-th title, if it exists.
    .index("by_seed_key", ["seed_key"]),

  user_watch_progress: defineTable({
    user_id: v.id("users"),
    content_id: v.id("content"),
    position_seconds: v.number(),
    duration_seconds: v.number(),
    completion_percentage: v.number(),
    // Server time of the last accepted write: orders Continue Watching.
    last_watched_at: v.number(),
    device_type: v.optional(v.string()),
    completed: v.boolean(),
    // The writing device's own clock for the accepted write. Last write wins
    // by this value, so a late-arriving older write from another device
    // cannot overwrite a newer one. Optional: rows written without it fall
    // back to last_watched_at.
    client_updated_at: v.optional(v.number()),
  })
    // Every progress row of a user (account views, deletion).
    .index("by_user", ["user_id"])
    // updateProgress / getProgress: the one row for (user, content).
    .index("by_user_content", ["user_id", "content_id"])
    // getContinueWatching: a user's rows, most recently watched first.
    .index("by_last_watched", ["user_id", "last_watched_at"]),

  live_stream_sessions: defineTable({
    game_id: v.id("games"),
    // Absent for anonymous viewers, who may watch but not chat.
    user_id: v.optional(v.id("users")),
    // UUID chosen by the client (or the server), the session's public handle.
    session_id: v.string(),
    joined_at: v.number(),
    last_heartbeat: v.number(),
    active: v.boolean(),
    device_type: v.string(),
    quality: v.optional(v.string()),
  })
    // The CSN spec's per-game listing of active sessions (reports, audits);
    // sessionStates pages through it for csn-rt verify-cleanup.
    // Viewer counts deliberately do NOT read it: see viewer_count_shards.
    .index("by_game_active", ["game_id", "active"])
    // heartbeat / leaveStream / joinStream-resume: session id -> row.
    .index("by_session", ["session_id"])
    // The CSN spec's heartbeat-age index (monitoring queries over all sessions).
    .index("by_heartbeat", ["last_heartbeat"])
    // cleanupStaleSessions: only ACTIVE sessions ordered by heartbeat age, so
    // the cleanup range never re-reads the ever-growing inactive history.
    .index("by_active_heartbeat", ["active", "last_heartbeat"]),

  // Exact viewer counts, sharded. A single counter document per game would
  // make 1,000 viewers joining within seconds conflict on one document; a
  // count over live_stream_sessions would re-run every viewer's subscription
  // on every heartbeat. Joins, leaves and cleanup add +1/-1 to the shard the
  // session id hashes to; heartbeats never touch these rows, so a heartbeat
  // re-runs no viewer-count subscription.
  viewer_count_shards: defineTable({
    game_id: v.id("games"),
    shard: v.number(),
    count: v.number(),
    // How many changes this shard has had (absent: none yet). A join or leave
    // returns the version it made, and a publication records the versions it
    // read, so a client can tell when the count on screen includes its change.
    version: v.optional(v.number()),
  })
    // getViewerCount: all shards of one game; join/leave: one shard.
    .index("by_game_shard", ["game_id", "shard"]),

  // The viewer count on viewers' screens, one row per game: the sum of the
  // shards, published at most once a second (lib/viewerCounts.ts). Sent as
  // every change happens, a kick-off rush of 20 joins a second into a
  // 1,000-viewer game is 20,000 messages a second to that game's viewers;
  // published, it is at most 1,000. All the changes of a second go out
  // together, on the game's beat.
  viewer_counts: defineTable({
    game_id: v.id("games"),
    count: v.number(),
    // Server time of the last publication (0: never published).
    published_at: v.number(),
    // The shard versions that publication read, indexed by shard number:
    // every change up to covers[shard] of each shard is in `count`. Absent
    // until the first publication.
    covers: v.optional(v.array(v.number())),
    // When the scheduled publication runs; absent when none is pending, so
    // a burst of joins schedules one publication, not one each.
    next_publish_at: v.optional(v.number()),
  })
    // getLiveViewerCount and the publication: the game's one row.
    .index("by_game", ["game_id"]),

  live_chat_messages: defineTable({
    game_id: v.id("games"),
    user_id: v.id("users"),
    message: v.string(),
    // Denormalized from users so listMessages needs no per-message user reads
    // and every viewer of a game shares one cached result.
    user_name: v.string(),
    user_avatar: v.optional(v.string()),
    status: vMessageStatus,
    created_at: v.number(),
    // Audit trail of the last moderation action.
    moderated_by: v.optional(v.id("users")),
    moderated_at: v.optional(v.number()),
  })
    // listMessages (latest chat) and listMessagesPage (chat history): a
    // game's ACTIVE messages, newest first. `status` sits before
    // `created_at`, so "active only" is the index range
    // (game_id = g, status = "active") rather than a filter: a page of 50
    // reads exactly 50 documents however many were hidden, and a cursor
    // stays a position inside that range. Moderation rewrites the status,
    // which moves the message out of the range: every subscribed page whose
    // range held it re-runs and drops it, and pages elsewhere do not re-run.
    // Hidden/deleted messages of a game are the ranges (g, "hidden") and
    // (g, "deleted") of the same index, for a moderation review.
    .index("by_game_status", ["game_id", "status", "created_at"])
    // A user's messages (moderation review, account deletion).
    .index("by_user", ["user_id"]),

  // Per-user token bucket for chat. Kept out of `users` so that a burst of
  // chat writes does not conflict with every other mutation that reads the
  // sender's user row.
  chat_rate_limits: defineTable({
    user_id: v.id("users"),
    tokens: v.number(),
    refilled_at: v.number(),
  })
    // sendMessage: the sender's bucket.
    .index("by_user", ["user_id"]),
});
