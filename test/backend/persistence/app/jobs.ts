import { actionGeneric, internalActionGeneric, internalMutationGeneric, makeFunctionReference, mutationGeneric, queryGeneric } from "convex/server";
import { v } from "convex/values";

const recordRef = makeFunctionReference<"mutation", { kind: string }>("jobs:record");
const slowRef = makeFunctionReference<"action", { ms: number }>("jobs:slow");

export const record = internalMutationGeneric({
  args: { kind: v.string() },
  handler: async (ctx, { kind }) => {
    await ctx.db.insert("events", { kind, at: Date.now() });
    return null;
  },
});

export const later = mutationGeneric({
  args: { delayMs: v.number(), kind: v.string() },
  handler: async (ctx, { delayMs, kind }) => ctx.scheduler.runAfter(delayMs, recordRef, { kind }),
});

export const slowLater = mutationGeneric({
  args: { delayMs: v.number(), ms: v.number() },
  handler: async (ctx, { delayMs, ms }) => ctx.scheduler.runAfter(delayMs, slowRef, { ms }),
});

export const slow = internalActionGeneric({
  args: { ms: v.number() },
  handler: async (_ctx, { ms }) => {
    await new Promise((resolve) => setTimeout(resolve, ms));
    return null;
  },
});

export const ping = actionGeneric({ args: {}, handler: async () => "pong" });

export const events = queryGeneric({
  args: {},
  handler: async (ctx) => (await ctx.db.query("events").collect()).map((e) => ({ kind: e.kind, at: e.at })),
});

export const list = queryGeneric({
  args: {},
  handler: async (ctx) =>
    (await ctx.db.system.query("_scheduled_functions").collect()).map((j) => ({
      name: j.name,
      state: j.state.kind,
      error: (j.state as { error?: string }).error ?? null,
      scheduledTime: j.scheduledTime,
    })),
});
