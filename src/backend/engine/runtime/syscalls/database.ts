// The `ctx.db` syscalls (database_impl.ts and query_impl.ts in convex/server).
import { jsonToConvex, type JSONValue, type Value } from "convex/values";
import { docJsonText } from "../../storage/database.ts";
import type { TableInfo, TableRegistry } from "../../storage/tables.ts";
import type { Transaction } from "../../transactions/transaction.ts";
import type { DocumentValue } from "../../values/documents.ts";
import { decodeMaybeValue } from "../../query/filter.ts";
import { readPage } from "../../query/paginate.ts";
import { planQuery, type SerializedQuery } from "../../query/plan.ts";
import { QueryStream } from "../../query/stream.ts";
import type { ExecutionContext } from "../context.ts";
import type { AsyncHandler, SyncHandler } from "./handlers.ts";

type Args = Record<string, unknown>;

export function requireTransaction(ctx: ExecutionContext): Transaction {
  if (ctx.tx === null) throw new Error("The database is not available in actions: use ctx.runQuery or ctx.runMutation.");
  return ctx.tx;
}

function requireWritable(ctx: ExecutionContext): Transaction {
  const tx = requireTransaction(ctx);
  if (ctx.readOnly) throw new Error("Queries cannot write to the database: this operation is only allowed in mutations.");
  return tx;
}

function systemTableGuard(table: TableInfo, expectSystem: boolean): void {
  if (expectSystem && !table.isSystem) throw new Error("User tables cannot be accessed with db.system.");
  if (!expectSystem && table.isSystem) throw new Error("System tables can only be accessed with db.system.");
}

function asObject(json: unknown, method: string): DocumentValue {
  const value = jsonToConvex(json as JSONValue);
  if (value === null || typeof value !== "object" || Array.isArray(value) || value instanceof ArrayBuffer) {
    throw new Error(`Invalid argument \`value\` for \`${method}\`: Value must be an Object`);
  }
  return value as DocumentValue;
}

/** A patch: like an object, except `{$undefined: null}` at the top level removes that field. */
function asPatch(json: unknown): Record<string, Value | undefined> {
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new Error("Invalid argument `value` for `db.patch`: Value must be an Object");
  }
  const out: Record<string, Value | undefined> = {};
  for (const [field, value] of Object.entries(json as Record<string, JSONValue>)) out[field] = decodeMaybeValue(value);
  return out;
}

/** The table of a document a function writes to, checked like Convex checks it. */
function writeTarget(tx: Transaction, args: Args, method: string): TableInfo {
  const table = tx.tableOfId(args.id, method, (args.table as string | undefined) ?? undefined);
  if (table === undefined) throw new Error(`${method === "db.delete" ? "Delete" : "Update"} on nonexistent document ID ${String(args.id)}`);
  systemTableGuard(table, false);
  return table;
}

export function databaseSyscalls(registry: TableRegistry): { sync: Record<string, SyncHandler>; async: Record<string, AsyncHandler> } {
  const sync: Record<string, SyncHandler> = {
    "1.0/queryStream": (ctx, args) => {
      const tx = requireTransaction(ctx);
      const plan = planQuery(args.query as SerializedQuery, registry);
      const queryId = ctx.nextQueryId++;
      ctx.queries.set(queryId, new QueryStream(tx, plan.index, plan.interval, plan.order, plan.operators));
      return JSON.stringify({ queryId });
    },
    "1.0/queryCleanup": (ctx, args) => {
      ctx.queries.delete(args.queryId as number);
      return "{}";
    },
    "1.0/db/normalizeId": (_ctx, args) => {
      const info = registry.get(args.table as string);
      const owner = registry.tableOfId(args.idString as string);
      const id = info !== undefined && owner === info ? (args.idString as string) : null;
      return JSON.stringify({ id });
    },
  };

  const async: Record<string, AsyncHandler> = {
    "1.0/get": (ctx, args) => {
      const tx = requireTransaction(ctx);
      const isSystem = args.isSystem === true;
      const table = tx.tableOfId(args.id, isSystem ? "db.system.get" : "db.get", (args.table as string | undefined) ?? undefined);
      if (table === undefined) return "null";
      systemTableGuard(table, isSystem);
      const doc = tx.getDocument(table, args.id as string);
      return doc === null ? "null" : docJsonText(doc, ctx.readOnly);
    },
    "1.0/queryStreamNext": (ctx, args) => {
      const stream = ctx.queries.get(args.queryId as number);
      if (stream === undefined) throw new Error("This query is closed and can't emit any more values.");
      const doc = stream.next();
      return doc === null ? '{"value":null,"done":true}' : `{"value":${docJsonText(doc, ctx.readOnly)},"done":false}`;
    },
    "1.0/queryPage": (ctx, args) => {
      const tx = requireTransaction(ctx);
      if (ctx.pagination.used) {
        throw new Error(
          "This query or mutation function ran multiple paginated queries. Convex only supports a single paginated query in each function.",
        );
      }
      ctx.pagination.used = true;
      const plan = planQuery(args.query as SerializedQuery, registry);
      const page = readPage(tx, plan, {
        cursor: (args.cursor as string | null | undefined) ?? null,
        endCursor: (args.endCursor as string | null | undefined) ?? ctx.pagination.previousEndCursor,
        pageSize: args.pageSize as number,
        maximumRowsRead: (args.maximumRowsRead as number | null | undefined) ?? null,
        maximumBytesRead: (args.maximumBytesRead as number | null | undefined) ?? null,
      });
      ctx.pagination.endCursor = page.continueCursor;
      return `{"page":[${page.pageJson.join(",")}],"isDone":${page.isDone},"continueCursor":${JSON.stringify(page.continueCursor)},"splitCursor":${JSON.stringify(page.splitCursor)},"pageStatus":${JSON.stringify(page.pageStatus)}}`;
    },
    "1.0/count": (ctx, args) => {
      const tx = requireTransaction(ctx);
      tx.counters.recordIndexRange();
      tx.readSet.recordCount(args.table as string);
      return JSON.stringify(tx.state.count(args.table as string));
    },
    "1.0/insert": (ctx, args) => {
      const tx = requireWritable(ctx);
      const table = args.table as string;
      if (typeof table !== "string" || table.startsWith("_")) throw new Error("System tables (prefixed with `_`) are read-only.");
      return JSON.stringify({ _id: tx.insert(table, asObject(args.value, "db.insert")) });
    },
    "1.0/shallowMerge": (ctx, args) => {
      const tx = requireWritable(ctx);
      tx.patch(writeTarget(tx, args, "db.patch"), args.id as string, asPatch(args.value));
      return "null";
    },
    "1.0/replace": (ctx, args) => {
      const tx = requireWritable(ctx);
      tx.replace(writeTarget(tx, args, "db.replace"), args.id as string, asObject(args.value, "db.replace"));
      return "null";
    },
    "1.0/remove": (ctx, args) => {
      const tx = requireWritable(ctx);
      tx.delete(writeTarget(tx, args, "db.delete"), args.id as string);
      return "null";
    },
  };
  return { sync, async };
}
