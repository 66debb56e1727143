// The Convex sync protocol's messages, as both ends hold them after
// decoding. Mirrors `convex/src/browser/sync/protocol.ts` (client 1.48) with
// one difference: timestamps are bigints here, base64 u64 strings on the wire
// (see timestamp.ts). Field names are the wire's, so encoding is a shallow
// copy plus the timestamp fields.
//
// Free of server concerns on purpose: the load generator's lean client
// speaks the same protocol with the same codec.
import type { JSONValue } from "convex/values";

export type QueryId = number;
export type QuerySetVersion = number;
export type IdentityVersion = number;
export type RequestId = number;
/** Opaque pagination journal; null when the query did not paginate. */
export type QueryJournal = string | null;

// ── client → server ────────────────────────────────────────────────────────

export type Connect = {
  readonly type: "Connect";
  readonly sessionId: string;
  readonly connectionCount: number;
  readonly lastCloseReason: string | null;
  readonly maxObservedTimestamp?: bigint;
  /** The client's monotonic clock in ms, for clock-skew estimates. */
  readonly clientTs?: number;
};

export type AddQuery = {
  readonly type: "Add";
  readonly queryId: QueryId;
  readonly udfPath: string;
  /** `[argsObject]` in convexToJson form. */
  readonly args: JSONValue[];
  readonly journal?: QueryJournal;
  readonly componentPath?: string;
};

export type RemoveQuery = { readonly type: "Remove"; readonly queryId: QueryId };

export type QuerySetModification = AddQuery | RemoveQuery;

export type ModifyQuerySet = {
  readonly type: "ModifyQuerySet";
  readonly baseVersion: QuerySetVersion;
  readonly newVersion: QuerySetVersion;
  readonly modifications: QuerySetModification[];
};

export type MutationRequest = {
  readonly type: "Mutation";
  readonly requestId: RequestId;
  readonly udfPath: string;
  readonly args: JSONValue[];
  readonly componentPath?: string;
};

export type ActionRequest = {
  readonly type: "Action";
  readonly requestId: RequestId;
  readonly udfPath: string;
  readonly args: JSONValue[];
  readonly componentPath?: string;
};

/** The identity an admin acts as (`UserIdentityAttributes` in the client). */
export type ImpersonatedIdentity = { readonly [claim: string]: JSONValue };

export type Authenticate =
  | {
      readonly type: "Authenticate";
      readonly tokenType: "Admin";
      readonly value: string;
      readonly baseVersion: IdentityVersion;
      readonly impersonating?: ImpersonatedIdentity;
    }
  | {
      readonly type: "Authenticate";
      readonly tokenType: "User";
      readonly value: string;
      readonly baseVersion: IdentityVersion;
    }
  | { readonly type: "Authenticate"; readonly tokenType: "None"; readonly baseVersion: IdentityVersion };

export type ClientEvent = { readonly type: "Event"; readonly eventType: string; readonly event: JSONValue };

export type ClientMessage =
  | Connect
  | Authenticate
  | ModifyQuerySet
  | MutationRequest
  | ActionRequest
  | ClientEvent;

// ── server → client ────────────────────────────────────────────────────────

export type StateVersion = {
  readonly querySet: QuerySetVersion;
  readonly identity: IdentityVersion;
  readonly ts: bigint;
};

export type StateModification =
  | {
      readonly type: "QueryUpdated";
      readonly queryId: QueryId;
      readonly value: JSONValue;
      readonly logLines: string[];
      readonly journal: QueryJournal;
    }
  | {
      readonly type: "QueryFailed";
      readonly queryId: QueryId;
      readonly errorMessage: string;
      readonly logLines: string[];
      /** Only for a ConvexError: the client turns any present value, even null, into `ConvexError.data`. */
      readonly errorData?: JSONValue;
      readonly journal: QueryJournal;
    }
  | { readonly type: "QueryRemoved"; readonly queryId: QueryId };

export type Transition = {
  readonly type: "Transition";
  readonly startVersion: StateVersion;
  readonly endVersion: StateVersion;
  readonly modifications: StateModification[];
  /** Client clock minus server clock in ms, measured at Connect. */
  readonly clientClockSkew?: number;
  readonly serverTs?: number;
};

/** One consecutive slice of a serialized Transition too large for one frame. */
export type TransitionChunk = {
  readonly type: "TransitionChunk";
  readonly chunk: string;
  readonly partNumber: number;
  readonly totalParts: number;
  readonly transitionId: string;
};

export type MutationResponse =
  | {
      readonly type: "MutationResponse";
      readonly requestId: RequestId;
      readonly success: true;
      readonly result: JSONValue;
      readonly ts: bigint;
      readonly logLines: string[];
    }
  | {
      readonly type: "MutationResponse";
      readonly requestId: RequestId;
      readonly success: false;
      /** The error message. */
      readonly result: string;
      readonly logLines: string[];
      readonly errorData?: JSONValue;
    };

export type ActionResponse =
  | {
      readonly type: "ActionResponse";
      readonly requestId: RequestId;
      readonly success: true;
      readonly result: JSONValue;
      readonly logLines: string[];
    }
  | {
      readonly type: "ActionResponse";
      readonly requestId: RequestId;
      readonly success: false;
      readonly result: string;
      readonly logLines: string[];
      readonly errorData?: JSONValue;
    };

export type AuthError = {
  readonly type: "AuthError";
  readonly error: string;
  readonly baseVersion: IdentityVersion;
  /** True when answering an `Authenticate`; false when a once-valid identity expired. */
  readonly authUpdateAttempted: boolean;
};

export type FatalError = { readonly type: "FatalError"; readonly error: string };

export type Ping = { readonly type: "Ping" };

export type ServerMessage =
  | Transition
  | TransitionChunk
  | MutationResponse
  | ActionResponse
  | AuthError
  | FatalError
  | Ping;

/** Why a frame could not be decoded. Never thrown: decoders return it. */
export type DecodeError = {
  readonly kind: "invalidJson" | "invalidMessage";
  readonly message: string;
};

export type Decoded<T> = { readonly ok: true; readonly message: T } | { readonly ok: false; readonly error: DecodeError };
