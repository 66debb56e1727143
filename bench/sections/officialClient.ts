// (b′) The same 1-writer / 1-passive-subscriber latency with the official
// `convex` ConvexClient at both ends, as an app would see it: the client's
// own decoding, query-set bookkeeping and callbacks are included. Shown next
// to (b) so the lean client's share of the figure is visible.
import { randomBytes } from "node:crypto";
import { ConvexClient } from "convex/browser";
import { anyApi } from "convex/server";
import WebSocket from "ws";
import { microsBetween, type Probe } from "../support/timing.ts";

const DELIVERY_WAIT_MS = 5_000;
const FIRST_RESULT_TIMEOUT_MS = 30_000;

export async function openOfficialProbe(url: string): Promise<{ probe: Probe; close(): Promise<void> }> {
  const options = { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false as const };
  const writer = new ConvexClient(url, options);
  const viewer = new ConvexClient(url, options);
  const close = async () => {
    await Promise.all([writer.close(), viewer.close()]);
  };
  const cell = `official-${randomBytes(4).toString("hex")}`;
  let expected = "initial";
  let seen: (() => void) | null = null;
  let seenAt = 0;
  try {
    await writer.mutation(anyApi.bench.bump, { name: cell, value: expected });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no first result for the official client")), FIRST_RESULT_TIMEOUT_MS);
      viewer.onUpdate(anyApi.bench.read, { name: cell }, (value: string | null) => {
        if (value === "initial") {
          clearTimeout(timer);
          resolve();
        }
        if (value === expected && seen !== null) {
          seenAt = performance.now();
          seen();
        }
      });
    });
  } catch (error) {
    await close();
    throw error;
  }
  const probe: Probe = async (index) => {
    expected = `${cell}-${index}`;
    let timer: NodeJS.Timeout | undefined;
    const delivered = new Promise<boolean>((resolve) => {
      seen = () => resolve(true);
      timer = setTimeout(() => resolve(false), DELIVERY_WAIT_MS);
    });
    const started = performance.now();
    const written = writer.mutation(anyApi.bench.bump, { name: cell, value: expected });
    const complete = await delivered;
    clearTimeout(timer);
    seen = null;
    await written;
    return complete ? microsBetween(started, seenAt) : null;
  };
  return { probe, close };
}
