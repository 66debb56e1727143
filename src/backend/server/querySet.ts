// A connection's query set: which queryIds it subscribed to, at which query
// set version, and which removals the client has not been told about yet.
//
//   version v, ModifyQuerySet{baseVersion: v, newVersion: n > v}
//     Add q     q unknown  → subscribe (shares a SharedQuery with equal requests)
//     Remove q  q known    → unsubscribe, QueryRemoved q in the next Transition
//   → version n. Anything else is a protocol error; the caller closes.
import type { ModifyQuerySet } from "../../protocol/sync/index.ts";
import type { ConnectionIdentity } from "./identity.ts";
import type { QueryHub } from "./queryHub.ts";
import { Subscription } from "./subscription.ts";

export class QuerySet {
  private readonly subscriptions = new Map<number, Subscription>();
  private removed: number[] = [];
  private currentVersion = 0;

  constructor(
    private readonly hub: QueryHub,
    private readonly onChange: (subscription: Subscription) => void,
  ) {}

  get version(): number {
    return this.currentVersion;
  }

  get size(): number {
    return this.subscriptions.size;
  }

  get removedQueryIds(): readonly number[] {
    return this.removed;
  }

  values(): IterableIterator<Subscription> {
    return this.subscriptions.values();
  }

  /** Applies a ModifyQuerySet; returns why it is invalid, or null. */
  modify(message: ModifyQuerySet, identity: ConnectionIdentity): string | null {
    if (message.baseVersion !== this.currentVersion || message.newVersion <= message.baseVersion) {
      return `ModifyQuerySet from version ${message.baseVersion} to ${message.newVersion}, but the query set is at version ${this.currentVersion}.`;
    }
    for (const modification of message.modifications) {
      const { queryId } = modification;
      if (modification.type === "Add") {
        if (this.subscriptions.has(queryId)) return `Query ${queryId} was added twice.`;
        const request = {
          udfPath: modification.udfPath,
          args: modification.args,
          journal: modification.journal ?? null,
          componentPath: modification.componentPath,
        };
        this.subscriptions.set(queryId, new Subscription(queryId, request, identity, this.hub, this.onChange));
      } else {
        const subscription = this.subscriptions.get(queryId);
        if (subscription === undefined) return `Query ${queryId} was removed but never added.`;
        subscription.detach();
        this.subscriptions.delete(queryId);
        this.removed.push(queryId);
      }
    }
    this.currentVersion = message.newVersion;
    return null;
  }

  /** After Authenticate: every query now runs as the new identity. */
  rekey(identity: ConnectionIdentity): void {
    for (const subscription of this.subscriptions.values()) subscription.rekey(identity);
  }

  /** A Transition carried the pending removals. */
  removalsSent(): void {
    // Only when there were any: an empty array made for every Transition of a
    // fan-out would live until the viewer's next one, long enough to be
    // copied by a young-generation collection, for nothing.
    if (this.removed.length > 0) this.removed = [];
  }

  detachAll(): void {
    for (const subscription of this.subscriptions.values()) subscription.detach();
    this.subscriptions.clear();
  }
}
