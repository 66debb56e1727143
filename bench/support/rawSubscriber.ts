// A viewer as cheap as a viewer can be: one `ws` socket speaking just enough
// of the sync protocol to hold one subscription (Connect, one
// ModifyQuerySet), handing each frame on undecoded so the caller can look for
// a write's nonce with Buffer#includes. Thousands of these cost the load
// side little, so a fan-out figure measures the server, not the receivers.
import { randomUUID } from "node:crypto";
import type { JSONValue } from "convex/values";
import WebSocket from "ws";
import { encodeClientMessage } from "../../src/protocol/sync/index.ts";
import { syncUrl } from "../../src/load/sync/leanClient.ts";

const QUERY_UPDATED = Buffer.from('"QueryUpdated"');

export class RawSubscriber {
  /** Every text frame after the first result, undecoded. */
  onFrame: (frame: Buffer) => void = () => {};

  private constructor(private readonly ws: WebSocket) {}

  /** Connects, subscribes, and resolves once the query's first result arrived. */
  static open(deploymentUrl: string, udfPath: string, args: Record<string, JSONValue>, timeoutMs: number): Promise<RawSubscriber> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(syncUrl(deploymentUrl), { perMessageDeflate: false });
      const subscriber = new RawSubscriber(ws);
      let ready = false;
      const timer = setTimeout(() => {
        ws.terminate();
        reject(new Error(`no first result for ${udfPath} within ${timeoutMs} ms`));
      }, timeoutMs);
      ws.on("open", () => {
        ws.send(
          encodeClientMessage({ type: "Connect", sessionId: randomUUID(), connectionCount: 0, lastCloseReason: "InitialConnect" }),
        );
        ws.send(
          encodeClientMessage({
            type: "ModifyQuerySet",
            baseVersion: 0,
            newVersion: 1,
            modifications: [{ type: "Add", queryId: 0, udfPath, args: [args] }],
          }),
        );
      });
      ws.on("message", (data: Buffer, isBinary) => {
        if (isBinary) return;
        if (ready) return subscriber.onFrame(data);
        if (!data.includes(QUERY_UPDATED)) return;
        ready = true;
        clearTimeout(timer);
        resolve(subscriber);
      });
      ws.on("error", () => {}); // "close" follows
      ws.on("close", () => {
        if (ready) return;
        clearTimeout(timer);
        reject(new Error(`the server closed the connection before ${udfPath}'s first result`));
      });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

/** Opens `count` subscribers, at most `concurrency` connecting at once. */
export async function openSubscribers(
  count: number,
  concurrency: number,
  open: (index: number) => Promise<RawSubscriber>,
): Promise<RawSubscriber[]> {
  const subscribers: RawSubscriber[] = new Array(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      subscribers[index] = await open(index);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  } catch (error) {
    for (const subscriber of subscribers) subscriber?.close();
    throw error;
  }
  return subscribers;
}
