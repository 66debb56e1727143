// Turns the query a function built (query_impl.ts's SerializedQuery) into a
// plan: which index, which interval, which order, which operators.
import type { JSONValue } from "convex/values";
import { BY_CREATION_TIME, FULL_INTERVAL, type IndexDefinition, type Interval } from "../storage/indexKeys.ts";
import type { TableRegistry } from "../storage/tables.ts";
import { compileFilter } from "./filter.ts";
import { compileIndexRange, type RangeExpression } from "./indexRange.ts";
import type { Order, QueryOperator } from "./stream.ts";

/** Mirrors query_impl.ts: `MAX_QUERY_OPERATORS`. */
const MAX_QUERY_OPERATORS = 256;

export type SerializedQuery = {
  readonly source:
    | { readonly type: "FullTableScan"; readonly tableName: string; readonly order: Order | null }
    | {
        readonly type: "IndexRange";
        readonly indexName: string;
        readonly range: readonly RangeExpression[];
        readonly order: Order | null;
      }
    | { readonly type: "Search"; readonly indexName: string };
  readonly operators: readonly ({ readonly filter: JSONValue } | { readonly limit: number })[];
};

export type QueryPlan = {
  readonly index: IndexDefinition;
  readonly interval: Interval;
  readonly order: Order;
  readonly operators: readonly QueryOperator[];
};

export function planQuery(query: SerializedQuery, registry: TableRegistry): QueryPlan {
  const { source } = query;
  if (query.operators.length > MAX_QUERY_OPERATORS) {
    throw new Error(`Can't construct query with more than ${MAX_QUERY_OPERATORS} operators`);
  }
  const operators: QueryOperator[] = query.operators.map((op) =>
    "filter" in op ? { kind: "filter", test: compileFilter(op.filter) } : { kind: "limit", n: op.limit },
  );
  if (source.type === "Search") {
    throw new Error(
      `Search index ${source.indexName} cannot be queried: the embedded backend does not implement full text search.`,
    );
  }
  if (source.type === "FullTableScan") {
    const index = registry.findIndex(`${source.tableName}.${BY_CREATION_TIME}`)!;
    return { index, interval: FULL_INTERVAL, order: source.order ?? "asc", operators };
  }
  const index = registry.findIndex(source.indexName);
  if (index === undefined) throw new Error(`Index ${source.indexName} not found.`);
  return { index, interval: compileIndexRange(index, source.range), order: source.order ?? "asc", operators };
}
