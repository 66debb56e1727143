// Rebuilds the in-memory database from a data file: every stored document
// goes into every index of its table, each index sorted once and built
// bottom-up (indexes are not stored; they are derived, so a schema that adds
// an index gets it filled on the next start).
// Each document is checked on the way in — its id, its table, and the
// current schema — so a damaged or incompatible file stops the start with
// a DataFileError instead of serving half a database.
import { jsonToConvex, type JSONValue } from "convex/values";
import { DbState, type StoredDoc } from "../storage/database.ts";
import type { TableInfo, TableRegistry } from "../storage/tables.ts";
import { validationError } from "../validation/validator.ts";
import { withoutSystemFields, type DocumentValue } from "../values/documents.ts";
import { tableNumberOfId } from "../values/ids.ts";
import { DataFileError } from "./DataFileError.ts";
import type { DataFile } from "./dataFile.ts";

export type RestoredDatabase = {
  readonly state: DbState;
  readonly documents: number;
  /** The greatest committed ts in the file; new commits must come after it. */
  readonly latestTs: bigint;
  /** The engine clock at the last commit (a virtual clock resumes from here). */
  readonly clockMs: number;
  /** The greatest `_creationTime` stored; new documents are created after it. */
  readonly maxCreationTime: number;
};

const CORRUPT_HINT = "restore the file from a copy, or start with a new --data file; csn-rt will not start from a damaged file";

/**
 * `schema`: the current schema as JSON text. Stored documents are checked
 * against it unless the file records that they already were (every commit
 * is validated when it happens, so an unchanged schema needs no second pass).
 */
export function restoreDatabase(file: DataFile, registry: TableRegistry, schema: string): RestoredDatabase {
  const validate = file.checkedSchema() !== schema;
  for (const known of file.tables()) {
    const info = registry.get(known.name);
    if (info === undefined || info.number !== known.number) {
      throw new DataFileError(
        `the data file ${file.path} numbers table "${known.name}" ${known.number}, which this backend cannot honour`,
        CORRUPT_HINT,
      );
    }
  }
  const head = file.head();
  if (file.maxDocumentTs() > head.latestTs) {
    throw new DataFileError(`the data file ${file.path} holds documents newer than its latest commit`, CORRUPT_HINT);
  }
  const byTable = new Map<TableInfo, StoredDoc[]>();
  let documents = 0;
  let maxCreationTime = 0;
  for (const [tableNumber, size, text] of file.documents()) {
    const value = parseDocument(text, file.path);
    const id = value._id as string;
    const table = registry.byNumber(tableNumber);
    if (table === undefined || tableNumberOfId(id) !== tableNumber) {
      throw new DataFileError(`the data file ${file.path} holds document ${id}, whose id does not belong to its table (${tableNumber})`, CORRUPT_HINT);
    }
    if (validate && table.documentValidator) {
      const problem = validationError(table.documentValidator, withoutSystemFields(value), registry.resolveId);
      if (problem) {
        throw new DataFileError(
          `document ${id} in table "${table.name}" (from the data file ${file.path}) does not match the current schema: ${problem}`,
          "change schema.ts so the stored documents still fit (e.g. make the new field optional), or start with a new --data file",
        );
      }
    }
    let docs = byTable.get(table);
    if (docs === undefined) byTable.set(table, (docs = []));
    docs.push({ id, table: table.name, value, size });
    documents += 1;
    if ((value._creationTime as number) > maxCreationTime) maxCreationTime = value._creationTime as number;
  }
  let state: DbState;
  try {
    state = DbState.build(byTable);
  } catch (error) {
    throw new DataFileError(`the data file ${file.path} is inconsistent: ${(error as Error).message}`, CORRUPT_HINT);
  }
  if (validate) file.recordCheckedSchema(schema);
  return { state, documents, latestTs: head.latestTs, clockMs: head.clockMs, maxCreationTime };
}

/**
 * A stored value back into a document. convexToJson changes only int64,
 * bytes and special floats, all written as objects with a "$" key; text
 * without `"$` holds none of them, so JSON.parse alone already gives the
 * document (most documents, and about half the cost of a restart).
 */
function parseDocument(text: string, path: string): DocumentValue {
  let value: unknown;
  try {
    const json = JSON.parse(text) as JSONValue;
    value = text.includes('"$') ? jsonToConvex(json) : json;
  } catch (error) {
    throw new DataFileError(`the data file ${path} holds an unreadable document (${(error as Error).message}): ${text.slice(0, 80)}`, CORRUPT_HINT);
  }
  const doc = value as DocumentValue;
  if (doc === null || typeof doc !== "object" || Array.isArray(doc) || typeof doc._id !== "string" || typeof doc._creationTime !== "number") {
    throw new DataFileError(`the data file ${path} holds a malformed document: ${text.slice(0, 80)}`, CORRUPT_HINT);
  }
  return doc;
}
