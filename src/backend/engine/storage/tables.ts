// The tables a deployment knows: their numbers (which are baked into ids),
// their indexes, and their schema validators. Tables named in the schema
// get numbers up front; other tables are created by their first insert, as
// in Convex. A data file's tables keep the numbers they were given when the
// file was written (ids stored in documents point at them), whatever order
// the schema lists tables in today.
import type { ValidatorJSON } from "convex/values";
import { tableNumberOfId } from "../values/ids.ts";
import type { IdResolver } from "../validation/validator.ts";
import { systemIndexes, userIndex, type IndexDefinition } from "./indexKeys.ts";

export type TableInfo = {
  readonly name: string;
  readonly number: number;
  readonly isSystem: boolean;
  readonly indexes: readonly IndexDefinition[];
  readonly indexByName: ReadonlyMap<string, IndexDefinition>;
  /** The schema's document validator, enforced on writes; null when not enforced. */
  readonly documentValidator: ValidatorJSON | null;
};

export type SchemaTable = {
  readonly name: string;
  readonly indexes: readonly { readonly name: string; readonly fields: readonly string[] }[];
  readonly documentType: ValidatorJSON | null;
};

export type SchemaInfo = {
  readonly tables: readonly SchemaTable[];
  readonly schemaValidation: boolean;
};

/** A table's name and number as a data file recorded them. */
export type KnownTable = { readonly name: string; readonly number: number };

/** Convex numbers user tables from 10001; system tables live below. */
const FIRST_USER_TABLE_NUMBER = 10001;

export const SCHEDULED_FUNCTIONS_TABLE = "_scheduled_functions";
const SYSTEM_TABLES: readonly [string, number][] = [[SCHEDULED_FUNCTIONS_TABLE, 1]];

const TABLE_NAME = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;

export class TableRegistry {
  private readonly byName = new Map<string, TableInfo>();
  private readonly byNumberMap = new Map<number, TableInfo>();
  private nextNumber = FIRST_USER_TABLE_NUMBER;

  /**
   * `known`: tables a data file already numbered. They keep their numbers;
   * schema tables it does not know are numbered after the highest of them.
   */
  constructor(schema: SchemaInfo | null, known: readonly KnownTable[] = []) {
    for (const [name, number] of SYSTEM_TABLES) this.add(name, number, true, [], null);
    const knownNumbers = new Map<string, number>();
    for (const table of known) {
      if (this.byName.has(table.name) || table.number < FIRST_USER_TABLE_NUMBER) continue;
      knownNumbers.set(table.name, table.number);
      this.nextNumber = Math.max(this.nextNumber, table.number + 1);
    }
    for (const table of schema?.tables ?? []) {
      this.add(
        table.name,
        knownNumbers.get(table.name) ?? this.nextNumber++,
        false,
        table.indexes.map((index) => userIndex(table.name, index.name, index.fields)),
        schema?.schemaValidation ? table.documentType : null,
      );
      knownNumbers.delete(table.name);
    }
    // Tables created by a first insert (not in the schema): no user indexes, no validator.
    for (const [name, number] of knownNumbers) this.add(name, number, false, [], null);
  }

  /** Every table, system tables included. */
  all(): IterableIterator<TableInfo> {
    return this.byName.values();
  }

  private add(
    name: string,
    number: number,
    isSystem: boolean,
    userIndexes: IndexDefinition[],
    documentValidator: ValidatorJSON | null,
  ): TableInfo {
    const indexes = [...systemIndexes(name), ...userIndexes];
    const info: TableInfo = {
      name,
      number,
      isSystem,
      indexes,
      indexByName: new Map(indexes.map((index) => [index.name, index])),
      documentValidator,
    };
    this.byName.set(name, info);
    this.byNumberMap.set(number, info);
    return info;
  }

  get(name: string): TableInfo | undefined {
    return this.byName.get(name);
  }

  byNumber(number: number): TableInfo | undefined {
    return this.byNumberMap.get(number);
  }

  /** The table a document is being inserted into, created on first use. */
  getOrCreate(name: string): TableInfo {
    const existing = this.byName.get(name);
    if (existing) return existing;
    if (!TABLE_NAME.test(name)) {
      throw new Error(
        `Invalid table name: "${name}". Identifiers must start with a letter and can only contain letters, digits, and underscores.`,
      );
    }
    return this.add(name, this.nextNumber++, false, [], null);
  }

  /** The table an id belongs to, or undefined for malformed ids and unknown tables. */
  tableOfId(id: string): TableInfo | undefined {
    const number = tableNumberOfId(id);
    return number === null ? undefined : this.byNumberMap.get(number);
  }

  readonly resolveId: IdResolver = (id) => {
    const info = this.tableOfId(id);
    return info ? { table: info.name, isSystem: info.isSystem } : null;
  };

  /**
   * An index by its full name ("table.index"). Tables that do not exist yet
   * still have `by_id` and `by_creation_time` (queries on them return nothing).
   */
  findIndex(fullName: string): IndexDefinition | undefined {
    const dot = fullName.lastIndexOf(".");
    if (dot < 0) return undefined;
    const table = fullName.slice(0, dot);
    const name = fullName.slice(dot + 1);
    const info = this.byName.get(table);
    if (info) return info.indexByName.get(name);
    return systemIndexes(table).find((index) => index.name === name);
  }
}
