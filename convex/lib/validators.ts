// Validators shared by the schema and the public functions (`v` prefix), and
// the rules that validators cannot express. Each rule throws a ConvexError of
// kind "InvalidArgument" naming the argument, before anything is written.
import { v } from "convex/values";
import { invalidArgument } from "./errors";

export const vMessageStatus = v.union(
  v.literal("active"),
  v.literal("hidden"),
  v.literal("deleted"),
);

export const vGameStatus = v.union(
  v.literal("scheduled"),
  v.literal("live"),
  v.literal("ended"),
);

/** Progress as the client sees it (Continue Watching and getProgress). */
export const vProgressView = v.object({
  contentId: v.id("content"),
  title: v.union(v.string(), v.null()),
  positionSeconds: v.number(),
  durationSeconds: v.number(),
  completionPercentage: v.number(),
  completed: v.boolean(),
  lastWatchedAt: v.number(),
  deviceType: v.union(v.string(), v.null()),
});

export const vChatMessageView = v.object({
  _id: v.id("live_chat_messages"),
  gameId: v.id("games"),
  userId: v.id("users"),
  userName: v.string(),
  userAvatar: v.union(v.string(), v.null()),
  message: v.string(),
  createdAt: v.number(),
});

/** Finite and >= 0: NaN, Infinity and negatives are refused with the argument's name. */
export function requireNonNegativeFinite(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw invalidArgument(`${name} must be a finite number >= 0, got ${value}`);
  }
  return value;
}

// Device types and stream qualities are free-form labels chosen by clients
// ("web", "ios", "tv", "1080p"); keep them short and printable.
const LABEL_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,31}$/;

export function requireLabel(name: string, value: string): string {
  if (!LABEL_PATTERN.test(value)) {
    throw invalidArgument(
      `${name} must be 1-32 letters, digits or "_.:-" starting with a letter or digit, got ${JSON.stringify(value.slice(0, 40))}`,
    );
  }
  return value;
}

const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function requireUuid(name: string, value: string): string {
  if (!UUID_PATTERN.test(value)) {
    throw invalidArgument(`${name} must be a UUID like 123e4567-e89b-42d3-a456-426614174000`);
  }
  return value.toLowerCase();
}

export function requireIntegerInRange(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalidArgument(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
  return value;
}
