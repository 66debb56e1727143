// A connection's mutations and actions. Mutations run one at a time in
// arrival order (as Convex runs them) and at most once per (sessionId,
// requestId): across reconnects from the in-memory MutationLog, and across
// a crash and restart of a durable engine from the result it committed
// under the same key (MutationOptions.idempotencyKey). Actions run
// concurrently and are never replayed (the client fails them on reconnect).
import { encodeServerMessage, type ActionRequest, type MutationRequest, type MutationResponse } from "../../protocol/sync/index.ts";
import { callAction, callMutation } from "./functionCalls.ts";
import type { ConnectionIdentity } from "./identity.ts";
import type { SyncContext } from "./syncContext.ts";

type QueuedMutation = { readonly request: MutationRequest; readonly identity: ConnectionIdentity };

export interface RequestOwner {
  isOpen(): boolean;
  /** Sends an encoded response frame. */
  respond(frame: string): void;
  /** A mutation committed at `ts`: the client needs a Transition reaching it. */
  committed(ts: bigint): void;
  /** The client exceeded a pending-request limit. */
  overloaded(what: string): void;
  failed(error: unknown): void;
}

export class ConnectionRequests {
  private sessionId: string | null = null;
  private readonly queue: QueuedMutation[] = [];
  private busy = false;
  private actionsInFlight = 0;
  private readonly onEngineError = (): void => {
    this.ctx.counters.internalErrors += 1;
  };

  constructor(
    private readonly ctx: SyncContext,
    private readonly owner: RequestOwner,
  ) {}

  setSession(sessionId: string): void {
    this.sessionId = sessionId;
  }

  /** `identity` is the one current when the request arrived, as in Convex. */
  mutation(request: MutationRequest, identity: ConnectionIdentity): void {
    if (this.queue.length >= this.ctx.tuning.maxPendingMutations) {
      return this.owner.overloaded(`more than ${this.ctx.tuning.maxPendingMutations} pending mutations`);
    }
    this.queue.push({ request, identity });
    if (!this.busy) void this.drain();
  }

  action(request: ActionRequest, identity: ConnectionIdentity): void {
    if (this.actionsInFlight >= this.ctx.tuning.maxInflightActions) {
      return this.owner.overloaded(`more than ${this.ctx.tuning.maxInflightActions} actions in flight`);
    }
    this.actionsInFlight += 1;
    this.ctx.counters.actionsExecuted += 1;
    void callAction(this.ctx.engine, identity.caller, request, this.onEngineError).then((response) => {
      this.actionsInFlight -= 1;
      if (!this.owner.isOpen()) return;
      try {
        this.owner.respond(encodeServerMessage(response));
      } catch (error) {
        this.owner.failed(error);
      }
    });
  }

  /** The connection closed: queued mutations are dropped (the client re-sends them after reconnecting). */
  clear(): void {
    this.queue.length = 0;
  }

  private async drain(): Promise<void> {
    this.busy = true;
    try {
      while (this.owner.isOpen() && this.queue.length > 0) {
        const response = await this.runOnce(this.queue.shift()!);
        if (!this.owner.isOpen()) return;
        this.owner.respond(encodeServerMessage(response));
        if (response.success) this.owner.committed(response.ts);
      }
    } catch (error) {
      this.owner.failed(error);
    } finally {
      this.busy = false;
    }
  }

  private runOnce({ request, identity }: QueuedMutation): Promise<MutationResponse> {
    const { engine, counters, mutations } = this.ctx;
    const sessionId = this.sessionId;
    const execute = (): Promise<MutationResponse> => {
      counters.mutationsExecuted += 1;
      const key = sessionId === null ? undefined : `${sessionId}:${request.requestId}`;
      return callMutation(engine, identity.caller, request, this.onEngineError, key);
    };
    if (sessionId === null) return execute();
    const { response, replayed } = mutations.runOnce(sessionId, request.requestId, execute);
    if (replayed) counters.mutationsReplayed += 1;
    return response;
  }
}
