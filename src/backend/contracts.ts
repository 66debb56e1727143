// The seams of the embedded backend. Three layers meet here and nowhere else:
//
//   server/ (HTTP + sync WebSocket)  ── speaks the Convex wire protocols
//        │ verifies tokens with            │ runs functions and learns of commits through
//        ▼                                 ▼
//   auth/ (Authenticator)            engine/ (Engine: storage, transactions, function runtime,
//                                             scheduler, crons, clock, persistence)
//
// The server never touches documents; the engine never touches sockets. Both
// are driven only through the types below, so each can be tested alone.
import type { JSONValue } from "convex/values";

/**
 * A u64 commit timestamp. Strictly increasing across commits; a query run "at
 * ts T" sees exactly the commits with ts <= T. Encoded on the wire as base64
 * of 8 little-endian bytes (see src/protocol/).
 */
export type Timestamp = bigint;

/** The claims a verified token carries, as `ctx.auth.getUserIdentity()` returns them. */
export type UserIdentity = {
  readonly tokenIdentifier: string;
  readonly subject: string;
  readonly issuer: string;
  readonly [claim: string]: JSONValue;
};

/** Who a function runs for. Decided once per connection or request by auth/. */
export type Caller =
  | { readonly kind: "anonymous" }
  | { readonly kind: "user"; readonly identity: UserIdentity }
  /** Holder of the admin key: may call internal functions; may act as a user. */
  | { readonly kind: "admin"; readonly actingAs?: UserIdentity };

/** What a function run produced, already in the shapes the protocols send. */
export type FunctionOutcome =
  | { readonly ok: true; readonly value: JSONValue; readonly logLines: string[] }
  | {
      readonly ok: false;
      readonly errorMessage: string;
      /** Present only when the function threw a ConvexError: its `data`, convexToJson'd. */
      readonly errorData?: JSONValue;
      readonly logLines: string[];
    };

/**
 * What a query read, so the server can decide whether a commit can have
 * changed its result. Opaque to the server.
 */
export interface ReadSet {
  /** True when `writes` touched a document or index range this run read. */
  intersects(writes: WriteSet): boolean;
}

/** What one commit wrote. Opaque to the server. */
export interface WriteSet {
  readonly isEmpty: boolean;
}

export type QueryRun = {
  readonly outcome: FunctionOutcome;
  readonly readSet: ReadSet;
  /** The snapshot the query ran at: its result is valid for every ts >= this until a commit intersects readSet. */
  readonly ts: Timestamp;
  /** Pagination journal for reactive paginate (null when the query did not paginate). */
  readonly journal: string | null;
  /**
   * False when the function never asked who the caller is
   * (ctx.auth.getUserIdentity): its result is then the same for every caller
   * with the same access (public or admin), so the server shares one run
   * across all of them — a chat page watched by 1,000 signed-in viewers runs
   * once per change, not 1,000 times. Absent means true.
   */
  readonly readsIdentity?: boolean;
};

export type MutationRun = {
  readonly outcome: FunctionOutcome;
  /** Commit ts of a successful mutation; for a failed one, the snapshot it ran at. */
  readonly ts: Timestamp;
};

export type ActionRun = { readonly outcome: FunctionOutcome };

export type MutationOptions = {
  /**
   * Names one client request across reconnects and restarts (the sync
   * server passes `${sessionId}:${requestId}`). A durable engine commits a
   * successful mutation's result under this key in the same durable write
   * as its documents, and answers a later call with the same key from it
   * without running the function again — also after a crash and restart.
   * Without durability the key is ignored: the server's in-memory log
   * (server/mutationLog.ts) already covers one process's lifetime.
   */
  readonly idempotencyKey?: string;
};

export type CommitEvent = { readonly ts: Timestamp; readonly writes: WriteSet };

export type Visibility = "public" | "internal";

/** The engine: a Convex deployment minus the network. */
export interface Engine {
  /** Greatest committed timestamp. */
  readonly latestTs: Timestamp;
  /**
   * `path` as the client sends it ("chat:listMessages", "dir/mod.js:fn", "mod"
   * for a default export); `args` the single args object in convexToJson form.
   * Public callers reaching an internal function, an unknown path, or a
   * function of the wrong kind get `ok: false` with Convex's wording.
   */
  runQuery(path: string, args: JSONValue, caller: Caller, journal?: string | null): Promise<QueryRun>;
  runMutation(path: string, args: JSONValue, caller: Caller, options?: MutationOptions): Promise<MutationRun>;
  runAction(path: string, args: JSONValue, caller: Caller): Promise<ActionRun>;
  /** Called synchronously after every commit, in ts order. Returns an unsubscribe. */
  onCommit(listener: (event: CommitEvent) => void): () => void;
  readonly clock: Clock;
  /** Stops the scheduler and crons, flushes persistence. */
  close(): Promise<void>;
}

/**
 * Time as the backend's functions, scheduler and crons see it. `real` follows
 * the wall clock; `virtual` starts at the wall clock and moves only when told
 * (so a 2-minute staleness check takes milliseconds).
 */
export interface Clock {
  readonly mode: "real" | "virtual";
  now(): number;
  /** Virtual mode only: move time forward, firing every timer that falls due, in order. */
  advance(ms: number): Promise<void>;
}

/** Verifies what a client presents in `Authenticate` or an HTTP Authorization header. */
export interface Authenticator {
  /** Checks signature, issuer, audience and expiry against convex/auth.config.ts. */
  verifyUserToken(
    token: string,
  ): Promise<
    | { readonly ok: true; readonly identity: UserIdentity; readonly expiresAtMs: number | null }
    | { readonly ok: false; readonly error: string }
  >;
  isAdminKey(key: string): boolean;
}
