// Reads convex/schema.ts (what `defineSchema` exports) into the tables,
// indexes and validators the engine enforces, rejecting index definitions
// real Convex would reject, with its wording
// (convex-backend crates/common/src/bootstrap_model/index/index_validation_error.rs).
import { existsSync } from "node:fs";
import path from "node:path";
import type { ValidatorJSON } from "convex/values";
import type { SchemaInfo, SchemaTable } from "../storage/tables.ts";
import { importModule } from "./modules.ts";

/** https://docs.convex.dev/production/state/limits "Indexes per table: 32". */
const MAX_INDEXES_PER_TABLE = 32;
/** "Fields per index: 16". */
const MAX_INDEX_FIELDS = 16;
/** "Index name length: 64 characters"; identifiers start with a letter. */
const IDENTIFIER = /^[a-zA-Z][a-zA-Z0-9_]{0,63}$/;

type ExportedSchema = {
  tables: { tableName: string; indexes: { indexDescriptor: string; fields: string[] }[]; documentType: ValidatorJSON | null }[];
  schemaValidation: boolean;
};

/** Whether a document matching `validator` can have the (dotted) field `fieldPath`. */
function canContainField(validator: ValidatorJSON | null, fieldPath: string[]): boolean {
  if (validator === null || fieldPath.length === 0) return true;
  switch (validator.type) {
    case "any":
      return true;
    case "object": {
      const field = validator.value[fieldPath[0]];
      return field !== undefined && canContainField(field.fieldType, fieldPath.slice(1));
    }
    case "union":
      return validator.value.some((member) => canContainField(member, fieldPath));
    case "record":
      return true;
    default:
      return false;
  }
}

function checkTable(table: ExportedSchema["tables"][number], schemaValidation: boolean): void {
  const { tableName } = table;
  if (!IDENTIFIER.test(tableName)) {
    throw new Error(
      `Invalid table name: "${tableName}". Identifiers must start with a letter and can only contain letters, digits, and underscores.`,
    );
  }
  if (table.indexes.length > MAX_INDEXES_PER_TABLE) {
    throw new Error(`Table "${tableName}" cannot have more than ${MAX_INDEXES_PER_TABLE} indexes.`);
  }
  const names = new Set<string>();
  const fieldSets = new Map<string, string>();
  for (const { indexDescriptor: name, fields } of table.indexes) {
    if (name.startsWith("_") || name === "by_id" || name === "by_creation_time") {
      throw new Error(
        `In table "${tableName}" cannot name an index "${name}" because the name is reserved. Indexes may not start with an underscore or be named "by_id" or "by_creation_time".`,
      );
    }
    if (!IDENTIFIER.test(name)) {
      throw new Error(
        `Invalid index name: "${name}". Identifiers must be 64 characters or less, start with a letter, and only contain letters, digits, underscores.`,
      );
    }
    if (names.has(name)) throw new Error(`Table "${tableName}" has two or more definitions of index "${name}".`);
    names.add(name);
    if (fields.length === 0) throw new Error(`In table "${tableName}" index "${name}" must have at least one field.`);
    if (fields.length > MAX_INDEX_FIELDS) throw new Error(`Indexes may have up to ${MAX_INDEX_FIELDS} fields.`);
    const seen = new Set<string>();
    for (const field of fields) {
      if (field === "_id") throw new Error("`_id` is not a valid index field. To load documents by ID, use `db.get(id)`.");
      if (field === "_creationTime") {
        throw new Error(
          "`_creationTime` is automatically added to the end of each index. It should not be added explicitly in the index definition. See https://docs.convex.dev/using/indexes for more details.",
        );
      }
      if (field.startsWith("_")) throw new Error("Reserved fields (starting with `_`) are not allowed in indexes.");
      if (seen.has(field)) throw new Error(`Duplicate field ${field}. Index fields must be unique within an index.`);
      seen.add(field);
      if (schemaValidation && !canContainField(table.documentType, field.split("."))) {
        throw new Error(
          `In table "${tableName}" the index "${name}" is invalid because it references the field ${field} that does not exist.`,
        );
      }
    }
    const signature = fields.join("\u0000");
    const twin = fieldSets.get(signature);
    if (twin !== undefined) {
      throw new Error(
        `In table "${tableName}" index "${twin}" and index "${name}" have the same fields. Indexes must be unique within a table.`,
      );
    }
    fieldSets.set(signature, name);
  }
}

/** The schema of a functions folder, or null when it has none (no validation, no user indexes). */
export async function loadSchema(functionsDir: string): Promise<SchemaInfo | null> {
  const file = ["schema.ts", "schema.js"].map((f) => path.join(functionsDir, f)).find((f) => existsSync(f));
  if (file === undefined) return null;
  const definition = (await importModule(file)).default as { export?: () => string } | undefined;
  if (typeof definition?.export !== "function") {
    throw new Error(`${file} must default-export the result of defineSchema(...)`);
  }
  return schemaFromExport(definition.export());
}

/** Parses and checks what `defineSchema(...).export()` returns. */
export function schemaFromExport(json: string): SchemaInfo {
  const exported = JSON.parse(json) as ExportedSchema;
  for (const table of exported.tables) checkTable(table, exported.schemaValidation);
  const tables: SchemaTable[] = exported.tables.map((table) => ({
    name: table.tableName,
    indexes: table.indexes.map((index) => ({ name: index.indexDescriptor, fields: index.fields })),
    documentType: table.documentType?.type === "any" ? null : (table.documentType ?? null),
  }));
  return { tables, schemaValidation: exported.schemaValidation };
}
