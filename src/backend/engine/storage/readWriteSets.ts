// What a transaction read and what a commit wrote, precise enough to answer
// "can this commit have changed that result?" with no false negatives and
// few false positives.
//
// A read set is a list of index intervals (a `db.get` is the one-key interval
// on `by_id`; a query is the part of its index range it actually walked, so a
// `take(5)` covers only up to its fifth document) plus the tables whose
// document count was read. A write set lists, for every index of every table
// a commit touched, the old and the new key of each changed document. They
// intersect when some written key lies in some read interval of the same
// index, or when a counted table gained or lost documents.
import type { ReadSet, WriteSet } from "../../contracts.ts";
import type { Key } from "./btree.ts";
import type { StoredDoc } from "./database.ts";
import { indexKey, intervalContains, type Interval } from "./indexKeys.ts";
import type { TableInfo } from "./tables.ts";

/** A read interval that a query widens as it walks further. */
export type ReadRange = { interval: Interval };

export class TransactionReadSet implements ReadSet {
  private readonly ranges = new Map<string, ReadRange[]>();
  private readonly countedTables = new Set<string>();

  /** Records a read of `interval` on an index; the returned range may be widened later. */
  record(indexFullName: string, interval: Interval): ReadRange {
    const range: ReadRange = { interval };
    const list = this.ranges.get(indexFullName);
    if (list) list.push(range);
    else this.ranges.set(indexFullName, [range]);
    return range;
  }

  recordCount(table: string): void {
    this.countedTables.add(table);
  }

  /** Adds everything `other` read (a nested function's reads belong to its caller). */
  absorb(other: TransactionReadSet): void {
    for (const [index, list] of other.ranges) {
      for (const range of list) this.record(index, range.interval);
    }
    for (const table of other.countedTables) this.countedTables.add(table);
  }

  intersects(writes: WriteSet): boolean {
    if (!(writes instanceof CommitWriteSet)) return !writes.isEmpty;
    return this.conflictingTable(writes) !== null;
  }

  /** The table of some write that lies in this read set (for OCC error messages), or null. */
  conflictingTable(writes: CommitWriteSet): string | null {
    for (const table of writes.countChangedTables) {
      if (this.countedTables.has(table)) return table;
    }
    for (const [index, ranges] of this.ranges) {
      const keys = writes.keysByIndex.get(index);
      if (keys === undefined) continue;
      for (const key of keys) {
        for (const range of ranges) {
          if (intervalContains(range.interval, key)) return index.slice(0, index.lastIndexOf("."));
        }
      }
    }
    return null;
  }
}

/** One written document: its version before and after the commit (null: absent). */
export type DocumentWrite = {
  readonly table: TableInfo;
  readonly id: string;
  readonly before: StoredDoc | null;
  readonly after: StoredDoc | null;
};

export class CommitWriteSet implements WriteSet {
  /** For each index ("table.index") the keys the commit removed or added. */
  readonly keysByIndex = new Map<string, Key[]>();
  /** Tables that gained or lost documents (what `count()` depends on). */
  readonly countChangedTables = new Set<string>();

  constructor(readonly documents: readonly DocumentWrite[]) {
    for (const write of documents) {
      if ((write.before === null) !== (write.after === null)) this.countChangedTables.add(write.table.name);
      for (const index of write.table.indexes) {
        let keys = this.keysByIndex.get(index.fullName);
        if (keys === undefined) {
          keys = [];
          this.keysByIndex.set(index.fullName, keys);
        }
        if (write.before) keys.push(indexKey(index, write.before.value));
        if (write.after) keys.push(indexKey(index, write.after.value));
      }
    }
  }

  get isEmpty(): boolean {
    return this.documents.length === 0;
  }
}
