// A transaction: reads at one snapshot (plus its own writes), records what it
// read and wrote, and counts against Convex's limits. It never touches the
// shared database; the committer applies its writes (see committer.ts).
import type { JSONValue, Value } from "convex/values";
import { checkDocument, withoutSystemFields, SYSTEM_FIELDS, type DocumentValue } from "../values/documents.ts";
import { decodeId } from "../values/ids.ts";
import { validationError } from "../validation/validator.ts";
import type { Owner } from "../storage/btree.ts";
import type { DbState, StoredDoc } from "../storage/database.ts";
import { BY_ID } from "../storage/indexKeys.ts";
import { TransactionReadSet, type DocumentWrite } from "../storage/readWriteSets.ts";
import type { TableInfo, TableRegistry } from "../storage/tables.ts";
import { TransactionCounters } from "./limits.ts";

/** Hands out ids and creation times; shared by all transactions of an engine. */
export type DocumentAllocator = {
  newId(table: TableInfo): string;
  /** Milliseconds, strictly increasing across the deployment. */
  nextCreationTime(): number;
};

/**
 * What a mutation run under an idempotency key commits along with its writes:
 * the key and the result the client is owed. Persistence stores both in the
 * same durable write (see persistence/dataFile.ts), so after a crash a
 * re-sent request finds its result exactly when its writes survived.
 */
export type MutationRecord = { readonly key: string; readonly value: JSONValue };

type PendingWrite = { table: TableInfo; before: StoredDoc | null; after: StoredDoc | null };

/** A point the transaction can roll back to (a failed nested mutation undoes its writes). */
export type Savepoint = { readonly state: DbState; readonly writes: ReadonlyMap<string, PendingWrite> };

export class Transaction {
  /** Snapshot plus this transaction's own writes. */
  state: DbState;
  readonly readSet = new TransactionReadSet();
  readonly counters = new TransactionCounters();
  private writes = new Map<string, PendingWrite>();
  /** Token for in-place updates of nodes this transaction created (see storage/btree.ts). */
  private owner: Owner = {};
  /** Set once committed or abandoned; a write after that is a bug, and fails loudly. */
  finished = false;
  /** Set by the runner right before commit for a mutation with an idempotency key. */
  mutationRecord: MutationRecord | null = null;

  constructor(
    readonly registry: TableRegistry,
    readonly snapshot: DbState,
    readonly snapshotTs: bigint,
    private readonly allocator: DocumentAllocator,
  ) {
    this.state = snapshot;
  }

  documentWrites(): DocumentWrite[] {
    const out: DocumentWrite[] = [];
    for (const [id, write] of this.writes) {
      if (write.before === null && write.after === null) continue; // inserted, then deleted
      out.push({ table: write.table, id, before: write.before, after: write.after });
    }
    return out;
  }

  /** Makes the current state immutable: from now on, writes copy what they change. */
  freeze(): void {
    this.owner = {};
  }

  savepoint(): Savepoint {
    this.freeze();
    return { state: this.state, writes: new Map(this.writes) };
  }

  rollback(savepoint: Savepoint): void {
    this.state = savepoint.state;
    this.writes = new Map(savepoint.writes);
  }

  /**
   * Resolves an id to its table for `method` ("db.get", "db.patch", …).
   * Returns undefined for well-formed ids of tables that do not exist.
   */
  tableOfId(id: unknown, method: string, expectedTable: string | undefined): TableInfo | undefined {
    if (typeof id !== "string" || decodeId(id) === null) {
      const length = typeof id === "string" ? id.length : 0;
      throw new Error(`Invalid argument \`id\` for \`${method}\`: Unable to decode ID: Invalid ID length ${length}`);
    }
    const table = this.registry.tableOfId(id);
    if (table && expectedTable !== undefined && expectedTable !== table.name) {
      throw new Error(
        `Invalid argument \`id\` for \`${method}\`: expected to be an Id<"${expectedTable}">, got Id<"${table.name}"> instead.`,
      );
    }
    return table;
  }

  /** Reads one document by id, recording the point read. */
  getDocument(table: TableInfo, id: string): StoredDoc | null {
    this.counters.recordIndexRange();
    this.readSet.record(`${table.name}.${BY_ID}`, { lower: { key: [id], inclusive: true }, upper: { key: [id], inclusive: true } });
    const doc = this.state.getDoc(table.name, id);
    if (doc) this.counters.recordDocumentRead(doc.size);
    return doc;
  }

  /**
   * `system` writes (the scheduler's own bookkeeping) are not counted against
   * the user write limits, as in Convex.
   */
  insert(tableName: string, body: DocumentValue, system = false): string {
    for (const field of SYSTEM_FIELDS) {
      if (field in body) throw new Error(`Field '${field}' is a system field and cannot be set on insert`);
    }
    const table = this.registry.getOrCreate(tableName);
    const id = this.allocator.newId(table);
    const value: DocumentValue = { ...body, _id: id, _creationTime: this.allocator.nextCreationTime() };
    this.write(table, id, null, value, system);
    return id;
  }

  /** `db.patch`: shallow merge, where an `undefined` field removes that field. */
  patch(table: TableInfo, id: string, changes: Record<string, Value | undefined>, system = false): void {
    const current = this.existing(table, id, "Update");
    const value: Record<string, Value | undefined> = { ...current.value };
    for (const [field, fieldValue] of Object.entries(changes)) {
      if (SYSTEM_FIELDS.has(field)) {
        checkSystemFieldUnchanged(field, fieldValue, current.value);
        continue;
      }
      if (fieldValue === undefined) delete value[field];
      else value[field] = fieldValue;
    }
    this.write(table, id, current, value as DocumentValue, system);
  }

  replace(table: TableInfo, id: string, replacement: DocumentValue): void {
    const current = this.existing(table, id, "Replace");
    const value: DocumentValue = {};
    for (const [field, fieldValue] of Object.entries(replacement)) {
      if (SYSTEM_FIELDS.has(field)) checkSystemFieldUnchanged(field, fieldValue, current.value);
      else value[field] = fieldValue;
    }
    value._id = current.value._id;
    value._creationTime = current.value._creationTime;
    this.write(table, id, current, value);
  }

  delete(table: TableInfo, id: string): void {
    const current = this.existing(table, id, "Delete");
    this.counters.recordWrite(0);
    this.applyWrite(table, id, current, null);
  }

  private existing(table: TableInfo, id: string, verb: string): StoredDoc {
    const doc = this.getDocument(table, id);
    if (doc === null) throw new Error(`${verb} on nonexistent document ID ${id}`);
    return doc;
  }

  private write(table: TableInfo, id: string, before: StoredDoc | null, value: DocumentValue, system = false): void {
    const size = checkDocument(value);
    if (table.documentValidator) {
      const problem = validationError(table.documentValidator, withoutSystemFields(value), this.registry.resolveId);
      if (problem) {
        throw new Error(
          `Failed to insert or update a document in table "${table.name}" because it does not match the schema: ${problem}`,
        );
      }
    }
    if (!system) this.counters.recordWrite(size);
    this.applyWrite(table, id, before, { id, table: table.name, value, size });
  }

  private applyWrite(table: TableInfo, id: string, current: StoredDoc | null, after: StoredDoc | null): void {
    if (this.finished) throw new Error("This transaction has already ended.");
    const pending = this.writes.get(id);
    this.writes.set(id, { table, before: pending ? pending.before : current, after });
    this.state = this.state.withChange(table, current, after, this.owner);
  }
}

function checkSystemFieldUnchanged(field: string, value: Value | undefined, current: DocumentValue): void {
  if (value === undefined || value === current[field]) return;
  if (field === "_id") {
    throw new Error(`Provided \`_id\` field value "${String(value)}" does not match the document ID "${String(current._id)}"`);
  }
  throw new Error(
    `Provided \`_creationTime\` field value ${String(value)} does not match the document's creation time ${String(current._creationTime)}`,
  );
}
