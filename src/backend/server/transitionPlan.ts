// Decides a connection's next Transition from its state — pure, so the
// consistency rule is tested on its own.
//
// The rule: every result the client holds after a Transition must be the
// answer at that Transition's endVersion.ts. A result computed at snapshot
// `from` stays the answer until the first later commit touching its read set
// (`invalidAt`), so the end ts T must satisfy, for every subscribed query,
//     from <= T < invalidAt        and   sent.ts <= T <= processedTs.
// We take the greatest such T (it confirms the most mutations). When no T
// exists — a query has no result yet, or one is being re-run — we wait: the
// next result or commit brings the connection back here.
import type { StateVersion } from "../../protocol/sync/index.ts";
import { encodeQueryRemoved, joinModification } from "../../protocol/sync/index.ts";
import type { QueryResult, SharedQuery } from "./sharedQuery.ts";

export type PlannedSubscription = {
  readonly queryId: number;
  readonly shared: SharedQuery;
  /** The body last sent for this queryId; null before its first result. */
  readonly sentBody: string | null;
};

export type PlanInput<S extends PlannedSubscription> = {
  readonly sent: StateVersion;
  readonly querySetVersion: number;
  readonly identityVersion: number;
  readonly processedTs: bigint;
  /** Greatest commit ts of a mutation this client awaits; 0n when none. */
  readonly wantTs: bigint;
  /**
   * A successful MutationResponse went out since the last Transition. The
   * official client settles a mutation only on a Transition that arrives
   * after its response, even when the mutation's ts was already sent (a
   * mutation that wrote nothing answers with the latest commit's ts), so a
   * Transition is due — an empty one if nothing else changed. Absent: false.
   */
  readonly confirmationDue?: boolean;
  readonly removedQueryIds: readonly number[];
  readonly subscriptions: Iterable<S>;
};

export type Plan<S extends PlannedSubscription> =
  /** Send: modifications are encoded and ready; `updated` get their new sentBody. */
  | { readonly kind: "send"; readonly endTs: bigint; readonly modifications: string[]; readonly updated: S[] }
  /** No consistent ts exists yet, or a wanted ts is not reached: try again on the next result or commit. */
  | { readonly kind: "wait" }
  /** Nothing the client needs. */
  | { readonly kind: "idle" };

// What a client awaits beyond new results of queries it already holds. Also
// read by SyncConnection.urgent on every markDirty, hence primitives, not a
// PlanInput: no allocation per viewer of a fan-out.

/** A new query set or identity to acknowledge, or queries to report removed. */
export function changesAwaited(sent: StateVersion, querySetVersion: number, identityVersion: number, removedQueries: number): boolean {
  return querySetVersion !== sent.querySet || identityVersion !== sent.identity || removedQueries > 0;
}

/** A mutation to confirm: its commit ts is not sent yet, or its response went out since the last Transition. */
export function confirmationAwaited(sent: StateVersion, wantTs: bigint, confirmationDue: boolean): boolean {
  return wantTs > sent.ts || confirmationDue;
}

export function planTransition<S extends PlannedSubscription>(input: PlanInput<S>): Plan<S> {
  let lower = input.sent.ts;
  let upper = input.processedTs;
  const updated: S[] = [];
  for (const subscription of input.subscriptions) {
    const result = subscription.shared.result;
    if (result === null) return { kind: "wait" };
    if (result.from > lower) lower = result.from;
    if (result.invalidAt !== null && result.invalidAt - 1n < upper) upper = result.invalidAt - 1n;
    if (result.body !== subscription.sentBody) updated.push(subscription);
  }
  if (lower > upper) return { kind: "wait" };

  if (updated.length === 0 && !changesAwaited(input.sent, input.querySetVersion, input.identityVersion, input.removedQueryIds.length)) {
    if (!confirmationAwaited(input.sent, input.wantTs, input.confirmationDue === true)) return { kind: "idle" };
    // Only a mutation confirmation is due: an empty Transition, once its ts is reachable.
    if (input.wantTs > upper) return { kind: "wait" };
  }
  const modifications = input.removedQueryIds.map(encodeQueryRemoved);
  for (const subscription of updated) modifications.push(modificationOf(subscription.shared.result!, subscription.queryId));
  return { kind: "send", endTs: upper, modifications, updated };
}

/** A result's modification under `queryId`. Subscribers of a shared query mostly hold it under the same id, so one string serves a whole fan-out. */
function modificationOf(result: QueryResult, queryId: number): string {
  const memo = result.modification;
  if (memo !== undefined && memo.queryId === queryId) return memo.text;
  const text = joinModification(queryId, result.body);
  result.modification = { queryId, text };
  return text;
}
