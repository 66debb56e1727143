// Who is calling, decided once. Public functions are built from the builders
// below instead of the raw query/mutation, so no handler can forget a check:
//
//   viewerMutation                 anonymous allowed; ctx.user is the caller's row or null
//   userQuery                      a valid token required; ctx.user is the row, or null before first use
//   userMutation                   a valid token required; ctx.user is the caller's row
//   adminMutation                  token must carry permission `write:chat`
//
// Queries that every viewer of a game shares (viewer count, chat) use the
// plain builders and read nothing per user, so they share one cached result.
// The caller is the token's subject. A valid token is enough to start: the
// users row is created on first use (mutations only; queries cannot write,
// so a query by a first-time user simply sees no row yet).
import { customCtx, customMutation, customQuery } from "convex-helpers/server/customFunctions";
import type { UserIdentity } from "convex/server";
import type { Doc } from "../_generated/dataModel";
import { mutation, query, type MutationCtx, type QueryCtx } from "../_generated/server";
import { csnError, forbidden } from "./errors";

/** The permission the CSN spec gives chat moderators. */
export const MODERATE_CHAT_PERMISSION = "write:chat";

// Bounds the display name copied into users and into every chat message.
const MAX_NAME_LENGTH = 64;

function permissionsOf(identity: UserIdentity): string[] {
  const claim = identity.permissions;
  return Array.isArray(claim) ? claim.filter((p): p is string => typeof p === "string") : [];
}

function displayNameOf(identity: UserIdentity): string {
  const name = typeof identity.name === "string" ? identity.name.trim() : "";
  return (name || identity.subject).slice(0, MAX_NAME_LENGTH);
}

function avatarOf(identity: UserIdentity): string | undefined {
  return typeof identity.pictureUrl === "string" ? identity.pictureUrl : undefined;
}

export function isAdmin(identity: UserIdentity | null): boolean {
  return identity !== null && permissionsOf(identity).includes(MODERATE_CHAT_PERMISSION);
}

async function findUser(ctx: QueryCtx, subject: string): Promise<Doc<"users"> | null> {
  return await ctx.db
    .query("users")
    .withIndex("by_subject", (q) => q.eq("subject", subject))
    .unique();
}

/**
 * The caller's users row, created on first use and kept in step with the
 * token's name and permissions. Writes only when something changed, so a
 * steady caller's mutations never conflict on their own user row.
 */
export async function upsertCaller(ctx: MutationCtx, identity: UserIdentity): Promise<Doc<"users">> {
  const fields = {
    subject: identity.subject,
    name: displayNameOf(identity),
    avatar_url: avatarOf(identity),
    permissions: permissionsOf(identity),
  };
  const existing = await findUser(ctx, identity.subject);
  if (existing === null) {
    const id = await ctx.db.insert("users", fields);
    return { _id: id, _creationTime: Date.now(), ...fields };
  }
  const unchanged =
    existing.name === fields.name &&
    existing.avatar_url === fields.avatar_url &&
    existing.permissions.join("\n") === fields.permissions.join("\n");
  if (unchanged) return existing;
  await ctx.db.patch(existing._id, fields);
  return { ...existing, ...fields };
}

export async function requireUser(ctx: MutationCtx): Promise<Doc<"users">> {
  const identity = await ctx.auth.getUserIdentity();
  if (identity === null) {
    throw csnError("Unauthenticated", "sign in first: this needs a valid auth token");
  }
  return await upsertCaller(ctx, identity);
}

export async function requireAdmin(ctx: MutationCtx): Promise<Doc<"users">> {
  const user = await requireUser(ctx);
  if (!isAdmin(await ctx.auth.getUserIdentity())) {
    throw forbidden(`only moderators (permission ${MODERATE_CHAT_PERMISSION}) may do this`);
  }
  return user;
}

/** A token required; ctx.user is null only for a first-time caller (queries cannot create the row). */
export const userQuery = customQuery(
  query,
  customCtx(async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    if (identity === null) {
      throw csnError("Unauthenticated", "sign in first: this needs a valid auth token");
    }
    return { user: await findUser(ctx, identity.subject) };
  }),
);

/** Anonymous viewers allowed: ctx.user is null for them. */
export const viewerMutation = customMutation(
  mutation,
  customCtx(async (ctx) => {
    const identity = await ctx.auth.getUserIdentity();
    return { user: identity === null ? null : await upsertCaller(ctx, identity) };
  }),
);

export const userMutation = customMutation(
  mutation,
  customCtx(async (ctx) => ({ user: await requireUser(ctx) })),
);

export const adminMutation = customMutation(
  mutation,
  customCtx(async (ctx) => ({ user: await requireAdmin(ctx) })),
);
