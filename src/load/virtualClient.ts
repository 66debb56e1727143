// What a scenario's virtual viewer holds: a connection to the backend that
// can subscribe and mutate. Two implementations speak the same sync protocol:
// the lean client (sync/leanClient.ts), used for the bulk of viewers, and the
// official ConvexClient (sync/officialClient.ts) for a sample, so a report
// shows both paths side by side.
import type { JSONValue } from "convex/values";
import type { ClientKind } from "../metrics/recorder.ts";
import type { ResultText } from "./sync/leanFrame.ts";

export type { ClientKind, ResultText };

/**
 * "value": the subscriber needs the decoded result (viewer count, Continue
 * Watching). "scan": it only looks for markers in the result's text (chat
 * nonces), so the lean client can skip parsing large results.
 */
export type SubscribeMode = "value" | "scan";

export type QueryUpdate = {
  /** When this process received it, epoch µs. */
  receivedAtUs: number;
  /** mode "value": the result. */
  value?: JSONValue;
  /** mode "scan": text that contains the result (the whole frame for the lean client), decoded on demand. */
  text?: ResultText;
  /** The query failed: its error message and ConvexError data. */
  error?: { message: string; data?: JSONValue };
};

export type MutationOutcome = { value: JSONValue };

export interface VirtualClient {
  readonly kind: ClientKind;
  /**
   * Resolves once the client's first connection is open (and authenticated
   * from the client's side): latencies of queries and mutations a scenario
   * starts after it measure the backend, not connection set-up.
   */
  connected(): Promise<void>;
  subscribe(udfPath: string, args: Record<string, JSONValue>, mode: SubscribeMode, onUpdate: (update: QueryUpdate) => void): () => void;
  /**
   * Resolves once the mutation's effects are visible to this client, with its
   * result; rejects with MutationError.
   */
  mutation(udfPath: string, args: Record<string, JSONValue>): Promise<MutationOutcome>;
  /** Times the connection was re-established after a drop. */
  readonly reconnects: number;
  close(): Promise<void>;
}

export type ConnectOptions = {
  /** Deployment URL, e.g. http://127.0.0.1:3210 or https://x.convex.cloud. */
  url: string;
  /** A user JWT, or null for an anonymous viewer. */
  token: string | null;
  /** Epoch-µs clock used to stamp received updates. */
  epochMicros: () => number;
};
