// One distinct subscribed query — (udfPath, args, journal, identity) — and
// its latest result, shared by every subscription that asked for it.
import type { JSONValue } from "convex/values";
import { canonicalUdfPath, encodeModificationBody, type QueryJournal } from "../../protocol/sync/index.ts";
import type { FunctionOutcome, ReadSet } from "../contracts.ts";
import type { ConnectionIdentity } from "./identity.ts";

export type QuerySpec = {
  /** As the client sent it; the engine resolves it. */
  readonly udfPath: string;
  /** `[argsObject]` as the client sent it. */
  readonly args: JSONValue[];
  readonly journal: QueryJournal;
  readonly componentPath: string | undefined;
  readonly identity: ConnectionIdentity;
};

/**
 * A query result and the span of timestamps it is valid for: it was computed
 * at snapshot `from` and stays the query's answer at every ts >= from until
 * the first later commit that touched its read set (`invalidAt`).
 */
export type QueryResult = {
  /** The serialized QueryUpdated/QueryFailed minus queryId — sent as-is to every subscriber. */
  readonly body: string;
  readonly from: bigint;
  /** Set by the hub when a commit after `from` intersects the read set. */
  invalidAt: bigint | null;
  /** null: unknown (the run threw), so any commit may have changed the answer. */
  readonly readSet: ReadSet | null;
  readonly journal: QueryJournal;
  /** `body` joined to the query id it was last sent under (transitionPlan.ts): built once, not once per subscriber. */
  modification?: { readonly queryId: number; readonly text: string };
};

/** Told when the shared query's result object was replaced. */
export interface QuerySubscriber {
  queryResultChanged(query: SharedQuery): void;
  /** The hub moved this subscriber to another shared query (see QueryHub: identity-free sharing). */
  sharedQueryChanged?(query: SharedQuery): void;
}

export class SharedQuery {
  readonly subscribers = new Set<QuerySubscriber>();
  /** Each subscriber's own identity: needed to re-home it if the query turns out to depend on identity. */
  readonly identities = new Map<QuerySubscriber, ConnectionIdentity>();
  /**
   * Its latest run did not read the caller's identity, so it is shared by
   * every subscriber with the same access, whatever their identity; `key` is
   * then its shareKey.
   */
  identityFree = false;
  result: QueryResult | null = null;
  /** A run is in flight. */
  running = false;
  /** Invalidated again while running: run once more when this run ends. */
  rerunRequested = false;
  /** No subscribers left: results of a run in flight are dropped. */
  closed = false;

  constructor(
    /** Its entry in the hub: queryKey(spec), or shareKey(spec) while identity-free. */
    public key: string,
    readonly spec: QuerySpec,
  ) {}

  /** The journal to run with: the latest one the query produced, else the client's. */
  get journal(): QueryJournal {
    return this.result?.journal ?? this.spec.journal;
  }
}

export function queryKey(spec: QuerySpec): string {
  // NUL cannot occur inside the JSON or the path, so the fields cannot run together.
  return [
    canonicalUdfPath(spec.udfPath),
    JSON.stringify(spec.args),
    spec.identity.key,
    spec.journal ?? "",
    spec.componentPath ?? "",
  ].join("\u0000");
}

/**
 * The key under which identity-free results are shared: the identity replaced
 * by the caller's access, since an admin may call internal functions a public
 * caller may not, and so can get a different answer without reading identity.
 */
export function shareKey(spec: QuerySpec): string {
  const access = spec.identity.caller.kind === "admin" ? "access:admin" : "access:public";
  return queryKey({ ...spec, identity: { ...spec.identity, key: access } });
}

/** Serializes a run's outcome once for all subscribers. */
export function encodeOutcome(outcome: FunctionOutcome, journal: QueryJournal): string {
  return outcome.ok
    ? encodeModificationBody({ type: "QueryUpdated", value: outcome.value, logLines: outcome.logLines, journal })
    : encodeModificationBody({
        type: "QueryFailed",
        errorMessage: outcome.errorMessage,
        logLines: outcome.logLines,
        journal,
        ...(outcome.errorData === undefined ? {} : { errorData: outcome.errorData }),
      });
}
