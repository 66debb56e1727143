// The lean client's protocol state, free of sockets so it can be driven by a
// scripted test. The transport calls onOpen / onFrame / onClose; the session
// answers through `send` and its callbacks.
//
//   (new) ──onOpen──▶ open ──onClose──▶ closed ──onOpen──▶ open …
//
// On every open it sends, in order: Connect (same sessionId, connectionCount
// + 1, maxObservedTimestamp), Authenticate if a token is set, one
// ModifyQuerySet re-adding every live query (the server's query set starts
// empty on each connection), then every mutation that has not been answered,
// in requestId order — the server executes each (sessionId, requestId) at
// most once, so a re-sent mutation that did run is answered, not re-run.
//
// A mutation settles like the official client's: on a successful
// MutationResponse its commit ts is remembered, and it resolves once a
// Transition reaches that ts (so its effects are visible to this client).
import type { JSONValue } from "convex/values";
import {
  encodeClientMessage,
  TransitionAssembler,
  type ClientMessage,
  type ServerMessage,
  type StateModification,
} from "../../protocol/sync/index.ts";
import { readFrame, textResult, type ResultText } from "./leanFrame.ts";

export type MutationFailure = { message: string; data?: JSONValue };

export class MutationError extends Error {
  constructor(readonly failure: MutationFailure) {
    super(failure.message);
    this.name = "MutationError";
  }
}

export type SessionCallbacks = {
  /** A Transition arrived; `modifications` is present only when it was decoded. */
  onTransition(endTs: bigint, result: ResultText, modifications: readonly StateModification[] | undefined): void;
  /** The server refused the token or failed the connection; the transport decides what to do. */
  onServerError(kind: "AuthError" | "FatalError" | "ProtocolError", message: string): void;
};

type PendingMutation = {
  requestId: number;
  udfPath: string;
  args: JSONValue;
  /** Set once the server answered successfully: resolve when a Transition reaches it. */
  commitTs: bigint | null;
  result: JSONValue;
  resolve: (outcome: { value: JSONValue; ts: bigint }) => void;
  reject: (error: Error) => void;
};

type LiveQuery = { udfPath: string; args: JSONValue };

export class SyncSession {
  private connectionCount = 0;
  private lastCloseReason: string | null = "InitialConnect";
  private open = false;
  private querySetVersion = 0;
  private identityVersion = 0;
  private maxObservedTs = 0n;
  private nextQueryId = 0;
  private nextRequestId = 0;
  private token: string | null = null;
  private readonly queries = new Map<number, LiveQuery>();
  private readonly mutations = new Map<number, PendingMutation>();
  private readonly assembler = new TransitionAssembler();
  /** When any live query needs decoded values, Transitions are parsed in full. */
  private decodeTransitions = false;

  constructor(
    readonly sessionId: string,
    private readonly send: (text: string) => void,
    private readonly callbacks: SessionCallbacks,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  get pendingMutations(): number {
    return this.mutations.size;
  }

  setDecodeTransitions(decode: boolean): void {
    this.decodeTransitions = decode;
  }

  setToken(token: string | null): void {
    this.token = token;
    if (this.open) this.sendAuthenticate();
  }

  onOpen(): void {
    this.open = true;
    this.querySetVersion = 0;
    this.identityVersion = 0;
    this.emit({
      type: "Connect",
      sessionId: this.sessionId,
      connectionCount: this.connectionCount++,
      lastCloseReason: this.lastCloseReason,
      ...(this.maxObservedTs > 0n ? { maxObservedTimestamp: this.maxObservedTs } : {}),
      clientTs: Date.now(),
    });
    if (this.token !== null) this.sendAuthenticate();
    if (this.queries.size > 0) {
      this.modifyQuerySet([...this.queries].map(([queryId, q]) => ({ type: "Add", queryId, udfPath: q.udfPath, args: [q.args] })));
    }
    for (const m of [...this.mutations.values()].sort((a, b) => a.requestId - b.requestId)) {
      if (m.commitTs === null) this.emit({ type: "Mutation", requestId: m.requestId, udfPath: m.udfPath, args: [m.args] });
    }
  }

  onClose(reason: string): void {
    this.open = false;
    this.lastCloseReason = reason;
  }

  addQuery(udfPath: string, args: JSONValue): number {
    const queryId = this.nextQueryId++;
    this.queries.set(queryId, { udfPath, args });
    if (this.open) this.modifyQuerySet([{ type: "Add", queryId, udfPath, args: [args] }]);
    return queryId;
  }

  removeQuery(queryId: number): void {
    if (!this.queries.delete(queryId)) return;
    if (this.open) this.modifyQuerySet([{ type: "Remove", queryId }]);
  }

  mutate(udfPath: string, args: JSONValue): Promise<{ value: JSONValue; ts: bigint }> {
    return new Promise((resolve, reject) => {
      const requestId = this.nextRequestId++;
      this.mutations.set(requestId, { requestId, udfPath, args, commitTs: null, result: null, resolve, reject });
      if (this.open) this.emit({ type: "Mutation", requestId, udfPath, args: [args] });
    });
  }

  /** Fails every outstanding mutation (the client is shutting down). */
  abandon(reason: string): void {
    for (const m of this.mutations.values()) m.reject(new MutationError({ message: reason }));
    this.mutations.clear();
  }

  onFrame(data: Buffer | string): void {
    const frame = readFrame(typeof data === "string" ? Buffer.from(data) : data, this.decodeTransitions);
    switch (frame.kind) {
      case "scannedTransition":
        return this.transitioned(frame.endTs, frame.result, undefined);
      case "invalid":
        return this.callbacks.onServerError("ProtocolError", frame.error);
      case "message": {
        const assembled = this.assembler.accept(frame.message);
        if (!assembled.ok) return this.callbacks.onServerError("ProtocolError", assembled.error.message);
        if (assembled.message === null) return; // more chunks to come
        // A transition assembled from chunks has no one frame text; its
        // modifications' JSON holds everything a scan looks for.
        const wholeText = frame.message.type === "TransitionChunk" && assembled.message.type === "Transition"
          ? JSON.stringify(assembled.message.modifications)
          : frame.text;
        return this.handle(assembled.message, wholeText);
      }
      default:
        return frame satisfies never;
    }
  }

  private handle(message: ServerMessage, text: string): void {
    switch (message.type) {
      case "Transition":
        return this.transitioned(message.endVersion.ts, textResult(text), message.modifications);
      case "MutationResponse": {
        const pending = this.mutations.get(message.requestId);
        if (pending === undefined) return;
        if (!message.success) {
          this.mutations.delete(message.requestId);
          return pending.reject(new MutationError({ message: message.result, ...(message.errorData === undefined ? {} : { data: message.errorData }) }));
        }
        pending.commitTs = message.ts;
        pending.result = message.result;
        if (this.maxObservedTs >= message.ts) this.settle(pending);
        return;
      }
      case "AuthError":
        return this.callbacks.onServerError("AuthError", message.error);
      case "FatalError":
        return this.callbacks.onServerError("FatalError", message.error);
      case "ActionResponse":
      case "Ping":
      case "TransitionChunk":
        return;
      default:
        return message satisfies never;
    }
  }

  private transitioned(endTs: bigint, result: ResultText, modifications: readonly StateModification[] | undefined): void {
    if (endTs > this.maxObservedTs) this.maxObservedTs = endTs;
    this.callbacks.onTransition(endTs, result, modifications);
    for (const pending of this.mutations.values()) {
      if (pending.commitTs !== null && pending.commitTs <= this.maxObservedTs) this.settle(pending);
    }
  }

  private settle(pending: PendingMutation): void {
    this.mutations.delete(pending.requestId);
    pending.resolve({ value: pending.result, ts: pending.commitTs! });
  }

  private sendAuthenticate(): void {
    const baseVersion = this.identityVersion++;
    this.emit(
      this.token === null
        ? { type: "Authenticate", tokenType: "None", baseVersion }
        : { type: "Authenticate", tokenType: "User", value: this.token, baseVersion },
    );
  }

  private modifyQuerySet(modifications: Extract<ClientMessage, { type: "ModifyQuerySet" }>["modifications"]): void {
    const baseVersion = this.querySetVersion++;
    this.emit({ type: "ModifyQuerySet", baseVersion, newVersion: this.querySetVersion, modifications });
  }

  private emit(message: ClientMessage): void {
    this.send(encodeClientMessage(message));
  }
}
