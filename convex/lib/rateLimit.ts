// Per-user token bucket for chat: a short burst is fine, a flood is not.
import type { Id } from "../_generated/dataModel";
import type { MutationCtx } from "../_generated/server";
import { csnError } from "./errors";

// A person types at most a message every second or two; 10 in a burst and one
// a second sustained leaves them unhindered and stops a script flooding a game.
export const CHAT_BURST = 10;
export const CHAT_REFILL_PER_SECOND = 1;

/** Takes one token from the user's bucket or throws RateLimited with when to retry. */
export async function takeChatToken(ctx: MutationCtx, userId: Id<"users">, now: number) {
  const bucket = await ctx.db
    .query("chat_rate_limits")
    .withIndex("by_user", (q) => q.eq("user_id", userId))
    .unique();
  const elapsedSeconds = bucket === null ? 0 : Math.max(0, now - bucket.refilled_at) / 1000;
  const available =
    bucket === null ? CHAT_BURST : Math.min(CHAT_BURST, bucket.tokens + elapsedSeconds * CHAT_REFILL_PER_SECOND);
  if (available < 1) {
    const retryAfterMs = Math.ceil(((1 - available) / CHAT_REFILL_PER_SECOND) * 1000);
    throw csnError("RateLimited", `slow down: you can send another message in ${retryAfterMs} ms`, { retryAfterMs });
  }
  const fields = { tokens: available - 1, refilled_at: now };
  if (bucket === null) {
    await ctx.db.insert("chat_rate_limits", { user_id: userId, ...fields });
  } else {
    await ctx.db.patch(bucket._id, fields);
  }
}
