// One sync-protocol connection as a socket-free state machine. The socket
// is an injected SyncTransport (send / bufferedBytes / close); the endpoint
// feeds frames in with receive(), reports finished writes with written(),
// and drives time with tick(). Tests script all of it in memory.
//
// Client frames are handled one at a time, in arrival order; Authenticate's
// token check holds the line so later frames see the new identity.
//
//   state "open"
//     Connect (first only)         record sessionId; clock skew from clientTs
//     ModifyQuerySet b→n           b = querySetVersion, n > b: Add → subscribe, Remove → unsubscribe
//                                  (+ QueryRemoved); querySetVersion = n; dirty
//     Authenticate b (valid)       b = identityVersion: identityVersion = b+1; every subscription
//                                  re-keyed to the new identity; dirty
//     Mutation                     queued with the current identity; run one at a time, at most
//                                  once per (sessionId, requestId); MutationResponse; on success
//                                  wantTs = max(wantTs, commit ts); a Transition is due even
//                                  if that ts was already sent (confirmationDue); dirty
//     Action                       run concurrently; ActionResponse
//     Event                        ignored (client telemetry)
//     result changed / commit      dirty
//     dirty → flush                planTransition (transitionPlan.ts): Transition sent→{querySet,
//                                  identity, T}, chunked when large; sent = end
//     tick, idle ≥ ping interval   Ping
//   ──▶ state "closed", with what the peer is told:
//     malformed frame              FatalError, close (no status)  — the client stops for good
//     bad token / admin key        AuthError{baseVersion: b, authUpdateAttempted: true}, close
//     identity expired             AuthError{baseVersion: sent.identity, authUpdateAttempted: false}, close
//     version / queryId mismatch   close 1002 "ProtocolError: …"  — the client reconnects afresh
//     too many pending requests    close 1013 "TooManyConcurrentRequests: …" — reconnects after 3 s
//     socket not draining          close 1008 "SlowConsumer: …" (see outbox.ts)
//     exception in a handler       close 1011 "InternalServerError" — contained to this connection
//     peer closed / server close   nothing / close 1001
import {
  decodeClientMessage,
  encodeServerMessage,
  encodeTransitionFrame,
  type ActionRequest,
  type Authenticate,
  type ClientMessage,
  type Connect,
  type ModifyQuerySet,
  type MutationRequest,
  type StateVersion,
} from "../../protocol/sync/index.ts";
import { identityForAuthenticate } from "./credentials.ts";
import { ConnectionRequests } from "./connectionRequests.ts";
import { ANONYMOUS, isExpired, type ConnectionIdentity } from "./identity.ts";
import { Outbox } from "./outbox.ts";
import { QuerySet } from "./querySet.ts";
import type { Subscription } from "./subscription.ts";
import type { SyncContext, SyncTransport } from "./syncContext.ts";
import { changesAwaited, confirmationAwaited, planTransition, type Plan } from "./transitionPlan.ts";

const CLOSE_GOING_AWAY = 1001;
const CLOSE_PROTOCOL_ERROR = 1002;
const CLOSE_POLICY_VIOLATION = 1008;
const CLOSE_INTERNAL_ERROR = 1011;
const CLOSE_TRY_AGAIN_LATER = 1013;

export class SyncConnection {
  private open = true;
  private sessionId: string | null = null;
  private clientClockSkew: number | undefined;
  private sent: StateVersion = { querySet: 0, identity: 0, ts: 0n };
  private identityVersion = 0;
  private identity: ConnectionIdentity = ANONYMOUS;
  private readonly querySet: QuerySet;
  /** Greatest commit ts of a successful mutation the client awaits a Transition for. */
  private wantTs = 0n;
  /** A successful mutation was answered and no Transition has followed yet (see transitionPlan.ts). */
  private confirmationDue = false;
  /** Mutation/action responses waiting for the next flush. */
  private responses: string[] = [];
  private readonly inbox: ClientMessage[] = [];
  private inboxBusy = false;
  private readonly requests: ConnectionRequests;
  private readonly outbox: Outbox;

  constructor(
    readonly id: number,
    private readonly transport: SyncTransport,
    private readonly ctx: SyncContext,
  ) {
    this.outbox = new Outbox(id, transport, ctx);
    ctx.counters.connectionsOpened += 1;
    this.querySet = new QuerySet(ctx.hub, () => this.markDirty());
    this.requests = new ConnectionRequests(ctx, {
      isOpen: () => this.open,
      // Held for the next flush, which sends them together with the Transition that confirms them.
      respond: (frame) => {
        this.responses.push(frame);
        this.markDirty();
      },
      committed: (ts) => {
        if (ts > this.wantTs) this.wantTs = ts;
        this.confirmationDue = true;
        this.markDirty();
      },
      overloaded: (what) => this.close(CLOSE_TRY_AGAIN_LATER, `TooManyConcurrentRequests: ${what} on one WebSocket`),
      failed: (error) => this.internalError(error),
    });
  }

  get isOpen(): boolean {
    return this.open;
  }

  get subscriptionCount(): number {
    return this.querySet.size;
  }

  // ── inputs from the endpoint ──────────────────────────────────────────

  receive(text: string): void {
    if (!this.open) return;
    const decoded = decodeClientMessage(text);
    if (!decoded.ok) {
      this.ctx.counters.malformedFrames += 1;
      this.fatal(`Received an invalid message: ${decoded.error.message}`);
      return;
    }
    if (this.inbox.length >= this.ctx.tuning.maxQueuedFrames) {
      return this.close(CLOSE_TRY_AGAIN_LATER, "TooManyConcurrentRequests: too many frames queued behind Authenticate");
    }
    this.inbox.push(decoded.message);
    if (!this.inboxBusy) void this.drainInbox();
  }

  receiveBinary(): void {
    if (!this.open) return;
    this.ctx.counters.malformedFrames += 1;
    this.fatal("Received a binary frame; the sync protocol uses JSON text frames.");
  }

  /** A send finished: resume a connection that was held back for backpressure once it drained. */
  written(): void {
    if (this.outbox.drained()) this.markDirty();
  }

  /** Periodic: identity expiry, slow consumers, pings. */
  tick(now: number): void {
    if (!this.open) return;
    try {
      if (isExpired(this.identity, now)) return this.identityExpired();
      switch (this.outbox.tick(now)) {
        case "overflow":
          return this.overHardLimit();
        case "stuck":
          return this.slowConsumer("stopped draining");
        case "drained":
          return this.markDirty();
      }
    } catch (error) {
      this.internalError(error);
    }
  }

  /** The peer went away; nothing more can be sent. */
  peerClosed(): void {
    if (!this.open) return;
    this.open = false;
    this.teardown();
  }

  /** Server shutdown. */
  shutdown(): void {
    this.close(CLOSE_GOING_AWAY, "Server shutting down");
  }

  // ── client messages ───────────────────────────────────────────────────

  private async drainInbox(): Promise<void> {
    this.inboxBusy = true;
    try {
      while (this.open && this.inbox.length > 0) {
        const pending = this.handle(this.inbox.shift()!);
        if (pending !== undefined) await pending;
      }
    } catch (error) {
      this.internalError(error);
    } finally {
      this.inboxBusy = false;
    }
  }

  private handle(message: ClientMessage): Promise<void> | void {
    switch (message.type) {
      case "Connect":
        return this.onConnect(message);
      case "Authenticate":
        return this.onAuthenticate(message);
      case "ModifyQuerySet":
        return this.onModifyQuerySet(message);
      case "Mutation":
        return this.onMutation(message);
      case "Action":
        return this.onAction(message);
      case "Event":
        return;
      default:
        message satisfies never;
    }
  }

  private onConnect(message: Connect): void {
    if (this.sessionId !== null) return this.protocolError("Connect was sent twice on one connection.");
    this.sessionId = message.sessionId;
    this.requests.setSession(message.sessionId);
    if (message.clientTs !== undefined) this.clientClockSkew = message.clientTs - this.ctx.now();
    // A client that saw later commits talked to an earlier run of an in-memory backend; serve it anyway.
    if ((message.maxObservedTimestamp ?? 0n) > this.ctx.hub.processedTs) this.ctx.counters.clientsAheadOfServer += 1;
  }

  private onModifyQuerySet(message: ModifyQuerySet): void {
    const problem = this.querySet.modify(message, this.identity);
    if (problem !== null) return this.protocolError(problem);
    this.markDirty();
  }

  private async onAuthenticate(message: Authenticate): Promise<void> {
    const check = await identityForAuthenticate(this.ctx.authenticator, message);
    if (!this.open) return;
    if (!check.ok) return this.authError(check.error, message.baseVersion, true);
    if (message.baseVersion !== this.identityVersion) {
      return this.protocolError(
        `Authenticate from identity version ${message.baseVersion}, but the identity is at version ${this.identityVersion}.`,
      );
    }
    this.identityVersion = message.baseVersion + 1;
    this.identity = check.identity;
    this.querySet.rekey(check.identity);
    this.markDirty();
  }

  private onMutation(request: MutationRequest): void {
    if (isExpired(this.identity, this.ctx.now())) return this.identityExpired();
    this.requests.mutation(request, this.identity);
  }

  private onAction(request: ActionRequest): void {
    if (isExpired(this.identity, this.ctx.now())) return this.identityExpired();
    this.requests.action(request, this.identity);
  }

  // ── transitions ───────────────────────────────────────────────────────

  private markDirty(): void {
    if (this.open) this.ctx.scheduler.markDirty(this);
  }

  /** Someone waits on this connection: a response, a confirmation, a new query set or identity (flushScheduler.ts). */
  get urgent(): boolean {
    return (
      this.responses.length > 0 ||
      confirmationAwaited(this.sent, this.wantTs, this.confirmationDue) ||
      changesAwaited(this.sent, this.querySet.version, this.identityVersion, this.querySet.removedQueryIds.length)
    );
  }

  /** Sends pending responses and at most one Transition with the latest state (held back while the peer lags: outbox.ts). */
  flush(): void {
    if (!this.open) return;
    this.transport.batch(() => this.flushCorked());
  }

  private flushCorked(): void {
    try {
      // Responses always go, first: a response must precede the Transition that confirms it.
      // (A fan-out flush has none: no new array for it, see QuerySet.removalsSent.)
      if (this.responses.length > 0) {
        const responses = this.responses;
        this.responses = [];
        for (const frame of responses) this.send(frame);
      }
      if (isExpired(this.identity, this.ctx.now())) return this.identityExpired();
      const admission = this.outbox.admitTransition();
      if (admission === "overflow") return this.overHardLimit();
      if (admission === "hold") return;
      const plan = planTransition({
        sent: this.sent,
        querySetVersion: this.querySet.version,
        identityVersion: this.identityVersion,
        processedTs: this.ctx.hub.processedTs,
        wantTs: this.wantTs,
        confirmationDue: this.confirmationDue,
        removedQueryIds: this.querySet.removedQueryIds,
        subscriptions: this.querySet.values(),
      });
      this.apply(plan);
    } catch (error) {
      this.internalError(error);
    }
  }

  private apply(plan: Plan<Subscription>): void {
    switch (plan.kind) {
      case "idle":
        return;
      case "wait":
        // A result being re-run wakes us through its subscription; a ts not yet processed, through the next commit.
        this.ctx.scheduler.waitForCommit(this);
        return;
      case "send":
        this.sendTransition(plan.endTs, plan.modifications, plan.updated);
        if (this.wantTs > this.sent.ts) this.ctx.scheduler.waitForCommit(this);
        return;
      default:
        plan satisfies never;
    }
  }

  private sendTransition(endTs: bigint, modifications: string[], updated: Subscription[]): void {
    const { end, frame } =
      this.identityVersion === this.sent.identity && modifications.length === 1
        ? this.ctx.frames.single(this.sent, this.querySet.version, this.identityVersion, endTs, modifications[0])
        : this.ownTransition(endTs, modifications);
    for (const subscription of updated) subscription.sentBody = subscription.shared.result!.body;
    this.querySet.removalsSent();
    this.sent = end;
    this.confirmationDue = false;
    if (this.open) this.outbox.sendTransition(frame);
  }

  /**
   * A Transition built for this connection alone. The official client reads
   * clientClockSkew only from the one confirming a new identity (to time its
   * token refresh), so only that one carries it: a per-viewer skew on every
   * Transition would make no two frames of a fan-out alike.
   */
  private ownTransition(endTs: bigint, modifications: readonly string[]): { end: StateVersion; frame: string } {
    const end: StateVersion = { querySet: this.querySet.version, identity: this.identityVersion, ts: endTs };
    const skew = end.identity !== this.sent.identity ? this.clientClockSkew : undefined;
    return { end, frame: encodeTransitionFrame(this.sent, end, modifications, skew) };
  }

  private send(frame: string): void {
    if (this.open) this.outbox.send(frame);
  }

  // ── endings ───────────────────────────────────────────────────────────

  private fatal(error: string): void {
    this.send(encodeServerMessage({ type: "FatalError", error }));
    this.close(null, "");
  }

  private authError(error: string, baseVersion: number, authUpdateAttempted: boolean): void {
    this.ctx.counters.authErrors += 1;
    this.send(encodeServerMessage({ type: "AuthError", error, baseVersion, authUpdateAttempted }));
    this.close(null, "");
  }

  private identityExpired(): void {
    this.authError("The auth token expired.", this.sent.identity, false);
  }

  private protocolError(message: string): void {
    this.ctx.counters.protocolErrors += 1;
    this.close(CLOSE_PROTOCOL_ERROR, `ProtocolError: ${message}`);
  }

  private slowConsumer(why: string): void {
    this.ctx.counters.slowConsumersClosed += 1;
    this.close(CLOSE_POLICY_VIOLATION, `SlowConsumer: the client ${why}`);
  }

  private overHardLimit(): void {
    this.slowConsumer(`left more than ${this.ctx.tuning.sendHardLimitBytes} bytes unread`);
  }

  private internalError(error: unknown): void {
    this.ctx.counters.internalErrors += 1;
    this.ctx.onInternalError?.(error);
    this.close(CLOSE_INTERNAL_ERROR, "InternalServerError");
  }

  /** code null: a close frame without status, as Convex sends after FatalError and AuthError. */
  private close(code: number | null, reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.teardown();
    this.transport.close(code, reason);
  }

  private teardown(): void {
    this.querySet.detachAll();
    this.ctx.scheduler.forget(this);
    this.inbox.length = 0;
    this.requests.clear();
    this.ctx.counters.connectionsClosed += 1;
  }
}
