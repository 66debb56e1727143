// The verifier's viewers, over the wire like any app: one lean sync
// connection per lifecycle session (so "losing the connection" closes a
// real socket and "coming back" opens a new one), and a few shared
// connections for the bulk of stale sessions, which only ever join.
import type { JSONValue } from "convex/values";
import { systemClock } from "../load/clock.ts";
import { LeanClient } from "../load/sync/leanClient.ts";
import { MutationError } from "../load/sync/syncSession.ts";

/** A call not answered this long counts as failed: heartbeats are due every 30 s, and the backend answers in milliseconds. */
const CALL_TIMEOUT_MS = 20_000;

export type CallOutcome =
  | { readonly ok: true; readonly value: JSONValue }
  /** `kind`: the ConvexError kind of an expected refusal (e.g. "SessionInactive"), null for other failures. */
  | { readonly ok: false; readonly kind: string | null; readonly message: string };

export class VerifierViewers {
  private readonly clients = new Map<number, LeanClient>();
  private readonly shared = new Map<number, LeanClient>();

  constructor(
    private readonly url: string,
    /** A token for a subject, null for an anonymous viewer. */
    private readonly tokenFor: (subject: string | null) => Promise<string | null>,
  ) {}

  /** Opens session `index`'s own connection (again, after a drop) and waits until it is up. */
  async connect(index: number, subject: string | null): Promise<void> {
    await this.clients.get(index)?.close();
    const client = new LeanClient({ url: this.url, token: await this.tokenFor(subject), epochMicros: systemClock.epochMicros });
    this.clients.set(index, client);
    await withTimeout(client.connected(), `connecting viewer ${index}`);
  }

  /** Loses session `index`'s connection: the socket closes, no leaveStream is sent. */
  async drop(index: number): Promise<void> {
    const client = this.clients.get(index);
    this.clients.delete(index);
    await client?.close();
  }

  call(index: number, path: string, args: Record<string, JSONValue>): Promise<CallOutcome> {
    const client = this.clients.get(index);
    if (client === undefined) return Promise.resolve({ ok: false, kind: null, message: `viewer ${index} has no connection` });
    return outcomeOf(client.mutation(path, args));
  }

  /** A mutation over shared connection `lane` (opened on first use), for the bulk of stale sessions. */
  async sharedCall(lane: number, path: string, args: Record<string, JSONValue>): Promise<CallOutcome> {
    let client = this.shared.get(lane);
    if (client === undefined) {
      client = new LeanClient({ url: this.url, token: null, epochMicros: systemClock.epochMicros });
      this.shared.set(lane, client);
    }
    return outcomeOf(client.mutation(path, args));
  }

  get reconnects(): number {
    let n = 0;
    for (const client of [...this.clients.values(), ...this.shared.values()]) n += client.reconnects;
    return n;
  }

  async closeAll(): Promise<void> {
    const all = [...this.clients.values(), ...this.shared.values()];
    this.clients.clear();
    this.shared.clear();
    await Promise.all(all.map((c) => c.close().catch(() => undefined)));
  }
}

async function outcomeOf(mutation: Promise<{ value: JSONValue }>): Promise<CallOutcome> {
  try {
    return { ok: true, value: (await withTimeout(mutation, "a mutation")).value };
  } catch (error) {
    if (error instanceof MutationError) {
      const data = error.failure.data as { kind?: unknown } | undefined;
      return { ok: false, kind: typeof data?.kind === "string" ? data.kind : null, message: error.message };
    }
    return { ok: false, kind: null, message: (error as Error).message };
  }
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} was not answered within ${CALL_TIMEOUT_MS / 1000} s`)), CALL_TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
