/**
 * A running `db.query(...)`: walks one index interval in order, applies the
 * query's filter and limit operators in sequence, and keeps the read set
 * exact by recording only the part of the interval it has walked so far.
 *
 * Walk state: not started → walking (last scanned key L) → exhausted.
 * Recorded read range: nothing; then [start, L]; then [start, end of range].
 * Optional cursors narrow the walk for pagination: `startAfter` (exclusive)
 * and `endAt` (inclusive), both full index keys.
 */
import { TreeCursor, type Key } from "../storage/btree.ts";
import type { StoredDoc } from "../storage/database.ts";
import { aboveLower, belowUpper, type Bound, type IndexDefinition, type Interval } from "../storage/indexKeys.ts";
import type { ReadRange } from "../storage/readWriteSets.ts";
import type { Transaction } from "../transactions/transaction.ts";
import { indexKey } from "../storage/indexKeys.ts";

export type Order = "asc" | "desc";

export type QueryOperator =
  | { readonly kind: "filter"; readonly test: (doc: StoredDoc["value"]) => boolean }
  | { readonly kind: "limit"; readonly n: number };

export type StreamOptions = {
  readonly startAfter?: Key;
  readonly endAt?: Key;
  /** Stop (with a pagination-limit error) after scanning this many documents. */
  readonly maximumRowsRead?: number;
  /** Remember every scanned position (paginate uses them for `splitCursor`). */
  readonly trackPositions?: boolean;
};

export class RowsReadLimitError extends Error {
  constructor(rows: number) {
    super(`Query scanned too many documents (fetched ${rows}).`);
  }
}

export class QueryStream {
  private cursor: TreeCursor<StoredDoc> | null | undefined;
  private range: ReadRange | null = null;
  private readonly limitCounts: number[];
  private readonly startBound: Bound | null;
  private readonly endBound: Bound | null;
  lastKey: Key | null = null;
  exhausted = false;
  rowsRead = 0;
  bytesRead = 0;
  readonly positions: Key[] = [];

  constructor(
    private readonly tx: Transaction,
    readonly index: IndexDefinition,
    private readonly interval: Interval,
    readonly order: Order,
    private readonly operators: readonly QueryOperator[],
    private readonly options: StreamOptions = {},
  ) {
    this.limitCounts = operators.map(() => 0);
    this.startBound = options.startAfter ? { key: options.startAfter, inclusive: false } : null;
    this.endBound = options.endAt ? { key: options.endAt, inclusive: true } : null;
    tx.counters.recordIndexRange();
  }

  private open(): TreeCursor<StoredDoc> | null {
    // The cursor walks nodes the transaction might otherwise update in place.
    this.tx.freeze();
    const tree = this.tx.state.tree(this.index.table, this.index.name);
    if (tree === undefined) return null;
    const { interval, startBound } = this;
    return this.order === "asc"
      ? new TreeCursor(tree, false, (k) => aboveLower(k, interval.lower) && aboveLower(k, startBound))
      : new TreeCursor(tree, true, (k) => belowUpper(k, interval.upper) && belowUpper(k, startBound));
  }

  private inRange(key: Key): boolean {
    return this.order === "asc"
      ? belowUpper(key, this.interval.upper) && belowUpper(key, this.endBound)
      : aboveLower(key, this.interval.lower) && aboveLower(key, this.endBound);
  }

  /** The interval walked so far, from the start of the walk to `reachedKey` (or the end). */
  private walkedInterval(): Interval {
    const reached: Bound | null = this.exhausted ? null : { key: this.lastKey!, inclusive: true };
    if (this.order === "asc") {
      return {
        lower: this.startBound ?? this.interval.lower,
        upper: this.exhausted ? (this.endBound ?? this.interval.upper) : reached,
      };
    }
    return {
      lower: this.exhausted ? (this.endBound ?? this.interval.lower) : reached,
      upper: this.startBound ?? this.interval.upper,
    };
  }

  private recordWalk(): void {
    const interval = this.walkedInterval();
    if (this.range) this.range.interval = interval;
    else this.range = this.tx.readSet.record(this.index.fullName, interval);
  }

  private limitReached(): boolean {
    return this.operators.some((op, i) => op.kind === "limit" && this.limitCounts[i] >= op.n);
  }

  /** The next document passing every operator, or null when the query is done. */
  next(): StoredDoc | null {
    if (this.exhausted || this.limitReached()) return null;
    if (this.cursor === undefined) this.cursor = this.open();
    for (;;) {
      if (this.options.maximumRowsRead !== undefined && this.rowsRead >= this.options.maximumRowsRead) {
        throw new RowsReadLimitError(this.rowsRead);
      }
      const entry = this.cursor?.next() ?? null;
      if (entry === null || !this.inRange(entry.key)) {
        this.exhausted = true;
        this.recordWalk();
        return null;
      }
      this.lastKey = entry.key;
      if (this.options.trackPositions) this.positions.push(entry.key);
      this.rowsRead += 1;
      this.recordWalk();
      this.tx.counters.recordDocumentRead(entry.value.size);
      this.bytesRead += entry.value.size;
      if (this.passes(entry.value)) return entry.value;
      if (this.limitReached()) return null;
    }
  }

  private passes(doc: StoredDoc): boolean {
    for (let i = 0; i < this.operators.length; i++) {
      const op = this.operators[i];
      if (op.kind === "filter") {
        if (!op.test(doc.value)) return false;
      } else {
        this.limitCounts[i] += 1;
      }
    }
    return true;
  }
}

/** The key `doc` has in `index` (cursors are positions in an index). */
export function keyOf(index: IndexDefinition, doc: StoredDoc): Key {
  return indexKey(index, doc.value);
}
