// A small in-memory "counter" app behind the Engine interface, with real
// read and write sets by key, so the network layer can be tested before the
// real engine exists. Snapshot semantics: a query reads when called, at
// ts = latestTs, and may be held (holdQueries) before returning, so commits
// can land while it is in flight.
import type { JSONValue } from "convex/values";
import type {
  ActionRun,
  Authenticator,
  Caller,
  Clock,
  CommitEvent,
  Engine,
  FunctionOutcome,
  MutationRun,
  QueryRun,
  ReadSet,
  UserIdentity,
  WriteSet,
} from "../../../src/backend/contracts.ts";
import { canonicalUdfPath } from "../../../src/protocol/sync/index.ts";

export const ADMIN_KEY = "csn-rt-local|test-admin-key";
const ISSUER = "https://auth.test";

class KeyWrites implements WriteSet {
  constructor(readonly keys: ReadonlySet<string>) {}
  get isEmpty(): boolean {
    return this.keys.size === 0;
  }
}

class KeyReads implements ReadSet {
  constructor(readonly keys: ReadonlySet<string>) {}
  intersects(writes: WriteSet): boolean {
    for (const key of (writes as KeyWrites).keys) if (this.keys.has(key)) return true;
    return false;
  }
}

type Args = { readonly [key: string]: JSONValue };
type Ctx = { readonly caller: Caller; read(key: string): JSONValue; write(key: string, value: JSONValue): void };
type Fn = {
  readonly kind: "query" | "mutation" | "action";
  readonly visibility: "public" | "internal";
  readonly handler: (ctx: Ctx, args: Args) => JSONValue;
};

/** Thrown by a handler to fail like a ConvexError: message and data reach the client. */
class AppError extends Error {
  constructor(readonly data: JSONValue) {
    super("Uncaught ConvexError: " + JSON.stringify(data));
  }
}

const FUNCTIONS: Record<string, Fn> = {
  "counter:get": { kind: "query", visibility: "public", handler: (ctx, a) => ctx.read(String(a.name)) ?? 0 },
  "counter:sum": {
    kind: "query",
    visibility: "public",
    handler: (ctx, a) => (a.names as string[]).reduce((sum: number, n) => sum + Number(ctx.read(n) ?? 0), 0),
  },
  "counter:whoami": { kind: "query", visibility: "public", handler: (ctx) => describe(ctx.caller) },
  // Reads the caller only once key "personal" is set: a query whose identity dependence changes.
  "counter:maybePersonal": {
    kind: "query",
    visibility: "public",
    handler: (ctx, a) => (ctx.read("personal") ? describe(ctx.caller) : ctx.read(String(a.name)) ?? 0),
  },
  "counter:big": {
    kind: "query",
    visibility: "public",
    handler: (ctx, a) => `${ctx.read("big") ?? ""}${"x🙂".repeat(Number(a.size) / 3)}`,
  },
  "counter:failing": {
    kind: "query",
    visibility: "public",
    handler: (ctx) => {
      ctx.read("fail");
      throw new AppError({ kind: "nope" });
    },
  },
  "counter:secret": { kind: "query", visibility: "internal", handler: () => 42 },
  "counter:increment": {
    kind: "mutation",
    visibility: "public",
    handler: (ctx, a) => {
      const key = String(a.name);
      const next = Number(ctx.read(key) ?? 0) + Number(a.by ?? 1);
      ctx.write(key, next);
      return next;
    },
  },
  "counter:set": {
    kind: "mutation",
    visibility: "public",
    handler: (ctx, a) => {
      ctx.write(String(a.name), a.value);
      return null;
    },
  },
  "counter:refuse": {
    kind: "mutation",
    visibility: "public",
    handler: () => {
      throw new AppError({ kind: "refused", why: "because" });
    },
  },
  "counter:internalIncrement": {
    kind: "mutation",
    visibility: "internal",
    handler: (ctx, a) => {
      const next = Number(ctx.read(String(a.name)) ?? 0) + 1;
      ctx.write(String(a.name), next);
      return next;
    },
  },
  "counter:echo": { kind: "action", visibility: "public", handler: (_ctx, a) => a },
};

function describe(caller: Caller): JSONValue {
  switch (caller.kind) {
    case "anonymous":
      return null;
    case "user":
      return caller.identity.subject;
    case "admin":
      return caller.actingAs === undefined ? "admin" : `admin as ${caller.actingAs.subject}`;
    default:
      caller satisfies never;
      return null;
  }
}

export class FakeClock implements Clock {
  private virtualNow = 1_700_000_000_000;
  constructor(readonly mode: "real" | "virtual") {}
  now(): number {
    return this.mode === "real" ? Date.now() : this.virtualNow;
  }
  async advance(ms: number): Promise<void> {
    if (this.mode === "real") throw new Error("the real clock cannot be advanced");
    this.virtualNow += ms;
  }
}

export class FakeEngine implements Engine {
  latestTs = 1000n;
  readonly clock: Clock;
  /** Query executions by canonical path: proves sharing. */
  readonly queryRuns = new Map<string, number>();
  readonly mutationRuns = new Map<string, number>();
  private readonly data = new Map<string, JSONValue>();
  private readonly listeners = new Set<(event: CommitEvent) => void>();
  private gate: Promise<void> | null = null;

  constructor(clockMode: "real" | "virtual" = "real") {
    this.clock = new FakeClock(clockMode);
  }

  /** Queries started from now on wait before returning until the returned release() is called. */
  holdQueries(): () => void {
    let release!: () => void;
    this.gate = new Promise((resolve) => (release = resolve));
    return () => {
      this.gate = null;
      release();
    };
  }

  value(key: string): JSONValue | undefined {
    return this.data.get(key);
  }

  async runQuery(path: string, args: JSONValue, caller: Caller, journal?: string | null): Promise<QueryRun> {
    const name = canonicalUdfPath(path);
    this.queryRuns.set(name, (this.queryRuns.get(name) ?? 0) + 1);
    const ts = this.latestTs;
    const reads = new Set<string>();
    const identity = { read: false };
    const outcome = this.execute(name, "query", args, caller, reads, null, identity);
    const gate = this.gate;
    await Promise.resolve();
    if (gate !== null) await gate;
    return { outcome, readSet: new KeyReads(reads), ts, journal: journal ?? null, readsIdentity: identity.read };
  }

  async runMutation(path: string, args: JSONValue, caller: Caller): Promise<MutationRun> {
    const name = canonicalUdfPath(path);
    this.mutationRuns.set(name, (this.mutationRuns.get(name) ?? 0) + 1);
    await Promise.resolve();
    const writes = new Map<string, JSONValue>();
    const outcome = this.execute(name, "mutation", args, caller, new Set(), writes);
    if (!outcome.ok) return { outcome, ts: this.latestTs };
    for (const [key, value] of writes) this.data.set(key, value);
    this.latestTs += 1n;
    const event: CommitEvent = { ts: this.latestTs, writes: new KeyWrites(new Set(writes.keys())) };
    for (const listener of this.listeners) listener(event);
    return { outcome, ts: event.ts };
  }

  async runAction(path: string, args: JSONValue, caller: Caller): Promise<ActionRun> {
    await Promise.resolve();
    return { outcome: this.execute(canonicalUdfPath(path), "action", args, caller, new Set(), null) };
  }

  onCommit(listener: (event: CommitEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }

  private execute(
    name: string,
    kind: Fn["kind"],
    args: JSONValue,
    caller: Caller,
    reads: Set<string>,
    writes: Map<string, JSONValue> | null,
    identity: { read: boolean } = { read: false },
  ): FunctionOutcome {
    const fn = FUNCTIONS[name];
    if (fn === undefined || fn.kind !== kind || (fn.visibility === "internal" && caller.kind !== "admin")) {
      return { ok: false, errorMessage: `Could not find public function for '${name}'.`, logLines: [] };
    }
    const ctx: Ctx = {
      get caller() {
        identity.read = true;
        return caller;
      },
      read: (key) => {
        reads.add(key);
        return writes?.get(key) ?? this.data.get(key) ?? null;
      },
      write: (key, value) => writes!.set(key, value),
    };
    try {
      return { ok: true, value: fn.handler(ctx, args as Args), logLines: [] };
    } catch (error) {
      if (error instanceof AppError) {
        return { ok: false, errorMessage: error.message, errorData: error.data, logLines: [] };
      }
      return { ok: false, errorMessage: `Uncaught Error: ${(error as Error).message}`, logLines: [] };
    }
  }
}

/**
 * Tokens: "good:<subject>" is valid forever; "short:<subject>:<ms>" expires
 * ms after verification; anything else is refused.
 */
export class FakeAuthenticator implements Authenticator {
  verifications = 0;

  async verifyUserToken(
    token: string,
  ): Promise<{ ok: true; identity: UserIdentity; expiresAtMs: number | null } | { ok: false; error: string }> {
    this.verifications += 1;
    const [kind, subject, ms] = token.split(":");
    if ((kind === "good" || kind === "short") && subject) {
      const identity: UserIdentity = { tokenIdentifier: `${ISSUER}|${subject}`, subject, issuer: ISSUER };
      return { ok: true, identity, expiresAtMs: kind === "short" ? Date.now() + Number(ms) : null };
    }
    return { ok: false, error: "Could not verify OIDC token claim. Check that the token signature is valid." };
  }

  isAdminKey(key: string): boolean {
    return key === ADMIN_KEY;
  }
}
