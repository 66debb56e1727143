// One query a connection subscribed to (one queryId), attached to the shared
// query that computes it. Several subscriptions — from many connections, or
// twice from one — can share one SharedQuery; each remembers what it last
// sent so only changed results go out.
import type { JSONValue } from "convex/values";
import type { QueryJournal } from "../../protocol/sync/index.ts";
import type { ConnectionIdentity } from "./identity.ts";
import type { QueryHub } from "./queryHub.ts";
import { queryKey, type QuerySpec, type QuerySubscriber, type SharedQuery } from "./sharedQuery.ts";
import type { PlannedSubscription } from "./transitionPlan.ts";

export type SubscriptionRequest = {
  readonly udfPath: string;
  readonly args: JSONValue[];
  readonly journal: QueryJournal;
  readonly componentPath: string | undefined;
};

export class Subscription implements QuerySubscriber, PlannedSubscription {
  sentBody: string | null = null;
  shared: SharedQuery;

  constructor(
    readonly queryId: number,
    private readonly request: SubscriptionRequest,
    identity: ConnectionIdentity,
    private readonly hub: QueryHub,
    private readonly onChange: (subscription: Subscription) => void,
  ) {
    this.shared = hub.subscribe(this.spec(identity), this);
  }

  queryResultChanged(): void {
    this.onChange(this);
  }

  sharedQueryChanged(query: SharedQuery): void {
    this.shared = query;
  }

  /** Moves to the shared query of the same request under a new identity (after Authenticate). */
  rekey(identity: ConnectionIdentity): void {
    const spec = this.spec(identity);
    if (queryKey(spec) === this.shared.key) return;
    const previous = this.shared;
    this.shared = this.hub.subscribe(spec, this);
    // An identity-free query serves the new identity too: nothing to leave.
    if (previous !== this.shared) this.hub.unsubscribe(previous, this);
  }

  detach(): void {
    this.hub.unsubscribe(this.shared, this);
  }

  private spec(identity: ConnectionIdentity): QuerySpec {
    return { ...this.request, identity };
  }
}
