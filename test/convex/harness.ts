// Shared set-up for the convex/ suites: a fresh convex-test deployment per
// test, callers shaped like the tokens the load generator signs, and seeded
// games and content.
/// <reference types="vite/client" />
import { convexTest } from "convex-test";
import { afterEach, beforeEach, expect, vi } from "vitest";
import { internal } from "../../convex/_generated/api";
import type { Id, TableNames } from "../../convex/_generated/dataModel";
import schema from "../../convex/schema";
import { isCsnErrorData, type CsnErrorKind } from "../../convex/lib/errors";

const modules = import.meta.glob(["../../convex/**/*.ts", "../../convex/**/*.js", "!../../convex/**/*.d.ts"]);

export function newDeployment() {
  return convexTest(schema, modules);
}

export type Deployment = ReturnType<typeof newDeployment>;

/** Fake timers from a fixed date for every test of the file, so staleness and rate limits are exact. */
export function useFakeClock(start = "2026-11-25T12:00:00Z") {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(start));
  });
  afterEach(() => vi.useRealTimers());
}

export function asUser(t: Deployment, subject: string, claims: { name?: string; permissions?: string[] } = {}) {
  return t.withIdentity({ subject, issuer: "https://csn-rt.test", name: claims.name ?? subject, ...claims });
}

export function asAdmin(t: Deployment, subject = "moderator") {
  return asUser(t, subject, { name: "Mod", permissions: ["write:chat"] });
}

export async function seedGame(t: Deployment, status: "live" | "scheduled" | "ended" = "live"): Promise<Id<"games">> {
  const [gameId] = await t.mutation(internal.seed.createGames, { count: 1, status });
  return gameId;
}

export async function seedContent(t: Deployment, count = 1, durationSeconds = 1000): Promise<Id<"content">[]> {
  return await t.mutation(internal.seed.createContent, { count, durationSeconds });
}

/** Asserts the promise rejects with a ConvexError of the given kind (and returns its message). */
export async function expectRefusal(promise: Promise<unknown>, kind: CsnErrorKind): Promise<string> {
  const error = await promise.then(
    () => {
      throw new Error(`expected a ${kind} refusal, but the call succeeded`);
    },
    (e: unknown) => e,
  );
  const data = (error as { data?: unknown }).data;
  expect(isCsnErrorData(data), `expected ConvexError data, got ${String(error)}`).toBe(true);
  expect((data as { kind: string }).kind).toBe(kind);
  return (data as { message: string }).message;
}

/** Every row of a table, for "nothing was written" checks. */
export async function allRows<T extends TableNames>(
  t: Deployment,
  table: T,
) {
  return await t.run(async (ctx) => await ctx.db.query(table).collect());
}
