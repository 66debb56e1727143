/**
 * The commit path: the one place the shared database changes.
 *
 *   begin()  → a Transaction on the latest DbState (its snapshot)
 *   commit() → validate: no commit after the snapshot wrote into the read set
 *              (optimistic concurrency control; a conflict means "retry")
 *            → apply the writes to the latest state, assign the next ts
 *            → durability hook (persistence slots in here, before anyone is told)
 *            → notify listeners synchronously, in ts order
 *
 * Commits are synchronous, so validation and application are atomic on the
 * single JS thread. `exclusive()` lets a retrying mutation run with commits
 * held back, which guarantees its second attempt cannot conflict (see
 * runtime/mutationRunner.ts for why).
 */
import type { CommitEvent } from "../../contracts.ts";
import { DbState } from "../storage/database.ts";
import { CommitWriteSet } from "../storage/readWriteSets.ts";
import type { TableRegistry } from "../storage/tables.ts";
import { wallClockMs } from "../runtime/dateShim.ts";
import { Transaction, type DocumentAllocator, type MutationRecord } from "./transaction.ts";

export type CommitResult =
  | { readonly ok: true; readonly ts: bigint; readonly writes: CommitWriteSet | null }
  | { readonly ok: false; readonly conflictTable: string };

/**
 * Called after a commit is applied and before it is acknowledged (persistence
 * goes here). `record`: the idempotency key and result of the mutation that
 * made the commit, to be made durable atomically with the writes.
 */
export type DurabilityHook = (ts: bigint, writes: CommitWriteSet, record: MutationRecord | null) => void;

type LoggedCommit = { readonly ts: bigint; readonly writes: CommitWriteSet };

export class Committer {
  private latest: DbState = DbState.empty();
  private latestTsValue: bigint;
  /** Commits newer than the oldest running mutation's snapshot, for OCC validation. */
  private log: LoggedCommit[] = [];
  private readonly activeSnapshots = new Map<Transaction, bigint>();
  private readonly listeners = new Set<(event: CommitEvent) => void>();
  private lockTail: Promise<void> = Promise.resolve();
  private locked = false;
  durabilityHook: DurabilityHook | null = null;
  /** Counters for diagnostics and tests. */
  readonly stats = { commits: 0, conflicts: 0 };

  constructor(
    private readonly registry: TableRegistry,
    private readonly allocator: DocumentAllocator,
  ) {
    this.latestTsValue = BigInt(Math.floor(wallClockMs())) * 1_000_000n;
  }

  get latestTs(): bigint {
    return this.latestTsValue;
  }

  /**
   * Installs a database restored from a data file, before any transaction
   * begins. Commits continue strictly after `persistedTs`, even if the wall
   * clock is now behind it.
   */
  restore(state: DbState, persistedTs: bigint): void {
    if (this.stats.commits > 0 || this.activeSnapshots.size > 0) throw new Error("restore() must run before the first transaction");
    this.latest = state;
    if (persistedTs > this.latestTsValue) this.latestTsValue = persistedTs;
  }

  get latestState(): DbState {
    return this.latest;
  }

  /** Starts a transaction at the latest snapshot. `validated` ones are tracked for OCC. */
  begin(validated: boolean): Transaction {
    const tx = new Transaction(this.registry, this.latest, this.latestTsValue, this.allocator);
    if (validated) this.activeSnapshots.set(tx, tx.snapshotTs);
    return tx;
  }

  /** Forgets a transaction that will not commit (or has committed). */
  end(tx: Transaction): void {
    tx.finished = true;
    if (this.activeSnapshots.delete(tx)) this.pruneLog();
  }

  onCommit(listener: (event: CommitEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when no exclusive section is running. */
  async waitUntilUnlocked(): Promise<void> {
    while (this.locked) await this.lockTail;
  }

  /** Runs `fn` while every other commit waits (exclusive sections run one at a time). */
  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const previous = this.lockTail;
    let release!: () => void;
    this.lockTail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.locked = true;
    try {
      return await fn();
    } finally {
      this.locked = false;
      release();
    }
  }

  /** Validates and applies `tx`. Must be called with no exclusive section running, or from inside it. */
  commit(tx: Transaction): CommitResult {
    const documents = tx.documentWrites();
    if (documents.length === 0) {
      this.end(tx);
      return { ok: true, ts: this.latestTsValue, writes: null };
    }
    for (const entry of this.log) {
      if (entry.ts <= tx.snapshotTs) continue;
      const table = tx.readSet.conflictingTable(entry.writes);
      if (table !== null) {
        this.stats.conflicts += 1;
        this.end(tx);
        return { ok: false, conflictTable: table };
      }
    }
    tx.freeze();
    let state = tx.state;
    if (this.latest !== tx.snapshot) {
      // Others committed since the snapshot (without conflict): replay the writes on the latest state.
      state = this.latest;
      for (const write of documents) {
        state = state.withChange(write.table, state.getDoc(write.table.name, write.id), write.after);
      }
    }
    const writes = new CommitWriteSet(documents);
    const ts = this.nextTs();
    try {
      this.durabilityHook?.(ts, writes, tx.mutationRecord);
    } catch (error) {
      // Not durable, so not committed: nobody has seen it yet.
      this.end(tx);
      throw error;
    }
    this.latest = state;
    this.latestTsValue = ts;
    this.stats.commits += 1;
    if (this.activeSnapshots.size > 0) this.log.push({ ts, writes });
    this.end(tx);
    this.notify({ ts, writes });
    return { ok: true, ts, writes };
  }

  private nextTs(): bigint {
    const wall = BigInt(Math.floor(wallClockMs())) * 1_000_000n;
    return wall > this.latestTsValue ? wall : this.latestTsValue + 1n;
  }

  private notify(event: CommitEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        // A faulty listener must not undo or block a commit that already happened.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  private pruneLog(): void {
    let oldest: bigint | null = null;
    for (const ts of this.activeSnapshots.values()) if (oldest === null || ts < oldest) oldest = ts;
    if (oldest === null) {
      this.log = [];
      return;
    }
    const keepFrom = this.log.findIndex((entry) => entry.ts > oldest!);
    this.log = keepFrom < 0 ? [] : this.log.slice(keepFrom);
  }
}
