// Admin keys, shaped like a Convex deployment's: `<deployment name>|<hex>`.
// The Convex CLI reads the part before "|" as the deployment name (a
// self-hosted backend's keys start "convex-self-hosted|"), so ours start
// "csn-rt-local|" and tools that split on "|" keep working.
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

export const ADMIN_KEY_DEPLOYMENT_NAME = "csn-rt-local";

/** 32 random bytes: as hard to guess as a 256-bit secret key. */
const ADMIN_KEY_SECRET_BYTES = 32;

/** A fresh admin key: `csn-rt-local|` followed by 64 lowercase hex digits. */
export function generateAdminKey(): string {
  return `${ADMIN_KEY_DEPLOYMENT_NAME}|${randomBytes(ADMIN_KEY_SECRET_BYTES).toString("hex")}`;
}

/**
 * True when `candidate` is exactly `adminKey`, compared in constant time.
 * Both are hashed first so neither the content nor the length of the real
 * key leaks through timing.
 */
export function isAdminKey(candidate: string, adminKey: string): boolean {
  if (typeof candidate !== "string" || adminKey === "") return false;
  return timingSafeEqual(digest(candidate), digest(adminKey));
}

function digest(text: string): Buffer {
  return createHash("sha256").update(text, "utf8").digest();
}
