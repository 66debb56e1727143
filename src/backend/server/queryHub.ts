// The subscription layer: every distinct subscribed query runs once, its
// result is serialized once and shared by all subscriptions that asked for
// it, and after each commit only the queries whose read set the commit
// touched are run again.
//
//   subscribe ──▶ SharedQuery (new?) ──▶ queued run
//   commit ts C ──▶ for each fresh result: readSet ∩ writes? ──▶ invalidAt = C, queued run
//   queued runs ──(next turn of the event loop, ≤ maxConcurrentQueryRuns at once)──▶ engine.runQuery
//   run returns at snapshot S ──▶ commits after S that landed meanwhile touched it? ──▶ invalidAt, run again
//                             ──▶ result replaced, subscribers told
//
// Batching: a run is queued at most once however many commits invalidate
// the query before it starts, and a query invalidated while its run is in
// flight runs once more afterwards, not once per commit. Runs start on the
// next turn of the event loop so commits of one burst share a run.
//
// Identity-free sharing: a query is first keyed by (path, args, identity).
// When a run reports that it never read the caller's identity, the query is
// re-keyed by (path, args, access) and every later subscriber with the same
// access joins it, whoever they are (a second query that reached the same
// conclusion merges into it). If a later run does read identity, the query
// goes back to its creator's identity and the other subscribers are re-homed
// to queries of their own.
import type { CommitEvent, Engine, QueryRun, ReadSet } from "../contracts.ts";
import { singleArgsObject } from "../../protocol/http/index.ts";
import { CommitWindow, intersects } from "./commitWindow.ts";
import { refuseRequest, SERVER_ERROR } from "./functionCalls.ts";
import { encodeOutcome, queryKey, shareKey, SharedQuery, type QueryResult, type QuerySpec, type QuerySubscriber } from "./sharedQuery.ts";
import type { ServerCounters } from "./stats.ts";

/** For answers that depend on no data (a malformed request): no commit changes them. */
const READS_NOTHING: ReadSet = { intersects: () => false };

export class QueryHub {
  private readonly queries = new Map<string, SharedQuery>();
  /** Queries with a result not yet invalidated: the only ones a commit must be checked against. */
  private readonly fresh = new Set<SharedQuery>();
  private readonly queued = new Set<SharedQuery>();
  private readonly window = new CommitWindow();
  private inFlight = 0;
  private pumpScheduled = false;
  private closed = false;
  private latestTs: bigint;

  constructor(
    private readonly engine: Engine,
    private readonly limits: { readonly maxConcurrentRuns: number; readonly runTimeoutMs: number },
    private readonly counters: ServerCounters,
  ) {
    this.latestTs = engine.latestTs;
  }

  /** The latest commit ts whose writes have been checked against every result. */
  get processedTs(): bigint {
    return this.latestTs;
  }

  get size(): number {
    return this.queries.size;
  }

  subscribe(spec: QuerySpec, subscriber: QuerySubscriber): SharedQuery {
    let query = this.queries.get(shareKey(spec)) ?? this.queries.get(queryKey(spec));
    if (query === undefined) {
      query = new SharedQuery(queryKey(spec), spec);
      this.queries.set(query.key, query);
      this.requestRun(query);
    }
    query.subscribers.add(subscriber);
    query.identities.set(subscriber, spec.identity);
    return query;
  }

  unsubscribe(query: SharedQuery, subscriber: QuerySubscriber): void {
    query.subscribers.delete(subscriber);
    query.identities.delete(subscriber);
    if (query.subscribers.size > 0 || query.closed) return;
    query.closed = true;
    this.queries.delete(query.key);
    this.fresh.delete(query);
    this.queued.delete(query);
  }

  /** Must see every commit, in ts order, synchronously (Engine.onCommit). */
  handleCommit(commit: CommitEvent): void {
    if (commit.ts > this.latestTs) this.latestTs = commit.ts;
    this.counters.commitsProcessed += 1;
    this.window.record(commit);
    if (commit.writes.isEmpty) return;
    for (const query of this.fresh) {
      const result = query.result!;
      if (commit.ts <= result.from) continue;
      if (result.readSet === null || intersects(result.readSet, commit)) {
        result.invalidAt = commit.ts;
        this.fresh.delete(query);
        this.requestRun(query);
      }
    }
  }

  close(): void {
    this.closed = true;
    this.queued.clear();
  }

  private requestRun(query: SharedQuery): void {
    if (query.running) {
      query.rerunRequested = true;
      return;
    }
    this.queued.add(query);
    if (!this.pumpScheduled && !this.closed) {
      this.pumpScheduled = true;
      setImmediate(() => this.pump());
    }
  }

  private pump(): void {
    this.pumpScheduled = false;
    for (const query of this.queued) {
      if (this.inFlight >= this.limits.maxConcurrentRuns || this.closed) return;
      this.queued.delete(query);
      void this.run(query);
    }
  }

  private async run(query: SharedQuery): Promise<void> {
    query.running = true;
    this.inFlight += 1;
    this.counters.queryRuns += 1;
    const startTs = this.latestTs;
    this.window.open(startTs);
    let run: QueryRun | null = null;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<null>((resolve) => {
        timer = setTimeout(() => resolve(null), this.limits.runTimeoutMs);
      });
      // A run that never returns must not pin the commit window forever; its late answer is dropped.
      run = await Promise.race([this.execute(query), timedOut]);
      if (run === null) this.counters.queryRunsTimedOut += 1;
    } catch {
      this.counters.internalErrors += 1;
    } finally {
      clearTimeout(timer);
    }
    try {
      if (!query.closed && !this.closed) this.store(query, run, startTs);
    } finally {
      this.window.close(startTs);
      query.running = false;
      this.inFlight -= 1;
      if (query.rerunRequested && !query.closed) {
        query.rerunRequested = false;
        this.requestRun(query);
      }
      if (this.queued.size > 0) this.pump();
    }
  }

  private async execute(query: SharedQuery): Promise<QueryRun> {
    const { spec } = query;
    const refusal = refuseRequest(spec.args, spec.componentPath, "query");
    if (refusal !== null) return { outcome: refusal, readSet: READS_NOTHING, ts: this.latestTs, journal: null };
    return this.engine.runQuery(spec.udfPath, singleArgsObject(spec.args)!, spec.identity.caller, query.journal);
  }

  private store(query: SharedQuery, run: QueryRun | null, startTs: bigint): void {
    if (run !== null && run.readsIdentity === false && !query.identityFree) {
      const existing = this.queries.get(shareKey(query.spec));
      if (existing !== undefined && existing !== query) return this.mergeInto(query, existing);
      this.rekey(query, shareKey(query.spec));
      query.identityFree = true;
    } else if (query.identityFree && (run === null || run.readsIdentity !== false)) {
      this.splitByIdentity(query);
    }
    const from = run === null ? startTs : run.ts;
    const readSet = run === null ? null : run.readSet;
    const journal = run === null ? query.journal : run.journal;
    const body = encodeOutcome(
      run === null ? { ok: false, errorMessage: SERVER_ERROR, logLines: [] } : run.outcome,
      journal,
    );
    const previous = query.result;
    const unchanged = previous !== null && previous.body === body;
    if (unchanged) this.counters.queryRunsUnchanged += 1;
    // A snapshot older than the run's start may predate commits the window did not keep.
    const staleBound = from < startTs ? startTs : null;
    const invalidAt = minTs(this.window.firstInvalidation(from, readSet), staleBound);
    const result: QueryResult = {
      // Reusing the previous string makes "unchanged?" a pointer comparison for every subscriber.
      body: unchanged ? previous.body : body,
      from,
      invalidAt,
      readSet,
      journal,
    };
    query.result = result;
    if (invalidAt === null) {
      this.fresh.add(query);
    } else {
      // Still running, so this only marks it: it runs again as soon as this run ends.
      this.requestRun(query);
    }
    for (const subscriber of query.subscribers) subscriber.queryResultChanged(query);
  }

  private rekey(query: SharedQuery, key: string): void {
    if (this.queries.get(query.key) === query) this.queries.delete(query.key);
    query.key = key;
    this.queries.set(key, query);
  }

  /** `query` found it reads no identity, but an identity-free twin exists: its subscribers join the twin. */
  private mergeInto(query: SharedQuery, twin: SharedQuery): void {
    const moving = [...query.subscribers];
    for (const subscriber of moving) {
      const identity = query.identities.get(subscriber)!;
      this.unsubscribe(query, subscriber);
      twin.subscribers.add(subscriber);
      twin.identities.set(subscriber, identity);
      subscriber.sharedQueryChanged?.(twin);
      if (twin.result !== null) subscriber.queryResultChanged(twin);
    }
  }

  /** An identity-free query read identity after all: it keeps its creator's identity; everyone else gets their own query. */
  private splitByIdentity(query: SharedQuery): void {
    query.identityFree = false;
    this.rekey(query, queryKey(query.spec));
    for (const subscriber of [...query.subscribers]) {
      const identity = query.identities.get(subscriber)!;
      if (identity.key === query.spec.identity.key) continue;
      this.unsubscribe(query, subscriber);
      const home = this.subscribe({ ...query.spec, identity }, subscriber);
      subscriber.sharedQueryChanged?.(home);
      if (home.result !== null) subscriber.queryResultChanged(home);
    }
  }
}

function minTs(a: bigint | null, b: bigint | null): bigint | null {
  if (a === null) return b;
  if (b === null) return a;
  return a < b ? a : b;
}
