/**
 * `.paginate()`: one page of a query, resumable by cursor.
 *
 * A cursor is a position in the query's index: "after key K", or "end".
 * A page walks from the start cursor until it has `pageSize` results, the
 * range ends, or a read limit is hit (then `pageStatus: "SplitRequired"`).
 * With an end cursor (from the request or from the query journal of an
 * earlier run) it ignores `pageSize` and walks exactly to that cursor, which
 * is how a reactive page keeps its boundaries while documents come and go.
 * Semantics follow `read_page_from_query` / `query_page` in convex-backend
 * crates/isolate/src/environment/udf/async_syscall.rs.
 */
import { convexToJson, type JSONValue } from "convex/values";
import type { Key } from "../storage/btree.ts";
import { CONVEX_LIMITS, LimitError } from "../transactions/limits.ts";
import type { Transaction } from "../transactions/transaction.ts";
import { docJsonText } from "../storage/database.ts";
import { decodeMaybeValue } from "./filter.ts";
import type { QueryPlan } from "./plan.ts";
import { QueryStream, RowsReadLimitError } from "./stream.ts";

/** Convex recommends splitting pages past 3/4 of a hard limit (`soft_data_limit`). */
const softLimit = (hard: number) => Math.floor((hard * 3) / 4);
/** Pages are returned as arrays, capped at 8192 elements; recommend a split past 3/4 of that. */
const SOFT_MAX_PAGE_LENGTH = softLimit(8192);

type CursorPosition = { readonly kind: "after"; readonly key: Key } | { readonly kind: "end" };

export type PageRequest = {
  readonly cursor: string | null;
  readonly endCursor: string | null;
  readonly pageSize: number;
  readonly maximumRowsRead: number | null;
  readonly maximumBytesRead: number | null;
};

export type PageResult = {
  /** Each document as JSON text, ready to splice into the syscall result. */
  readonly pageJson: string[];
  readonly isDone: boolean;
  readonly continueCursor: string;
  readonly splitCursor: string | null;
  readonly pageStatus: "SplitRecommended" | "SplitRequired" | null;
};

export class InvalidCursorError extends Error {
  readonly data: JSONValue = { isConvexSystemError: true, paginationError: "InvalidCursor" };
  constructor() {
    super(
      "InvalidCursor: Tried to run a query starting from a cursor, but it looks like this cursor is from a different query.",
    );
  }
}

function encodeCursor(plan: QueryPlan, position: CursorPosition): string {
  const body =
    position.kind === "end"
      ? { i: plan.index.fullName, o: plan.order, end: true }
      : {
          i: plan.index.fullName,
          o: plan.order,
          k: position.key.map((v) => (v === undefined ? { $undefined: null } : convexToJson(v))),
        };
  return Buffer.from(JSON.stringify(body)).toString("base64url");
}

function decodeCursor(plan: QueryPlan, cursor: string): CursorPosition {
  let body: { i?: unknown; o?: unknown; end?: unknown; k?: unknown };
  try {
    body = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursorError();
  }
  if (body.i !== plan.index.fullName || body.o !== plan.order) throw new InvalidCursorError();
  if (body.end === true) return { kind: "end" };
  if (!Array.isArray(body.k) || body.k.length !== plan.index.keyFields.length) throw new InvalidCursorError();
  return { kind: "after", key: (body.k as JSONValue[]).map(decodeMaybeValue) };
}

export function readPage(tx: Transaction, plan: QueryPlan, request: PageRequest): PageResult {
  if (request.pageSize === 0) throw new Error("Must request at least 1 document while paginating");
  if (request.pageSize > CONVEX_LIMITS.documentsRead) throw new Error(`Requested too many items: ${request.pageSize}`);
  if (request.maximumRowsRead === 0 || request.maximumBytesRead === 0) {
    throw new Error("maximumRowsRead and maximumBytesRead must be greater than 0");
  }
  const start = request.cursor === null ? null : decodeCursor(plan, request.cursor);
  const end = request.endCursor === null ? null : decodeCursor(plan, request.endCursor);
  const hasEnd = end !== null;
  if (start?.kind === "end") {
    return { pageJson: [], isDone: true, continueCursor: encodeCursor(plan, start), splitCursor: null, pageStatus: null };
  }
  const stream = new QueryStream(tx, plan.index, plan.interval, plan.order, plan.operators, {
    startAfter: start?.kind === "after" ? start.key : undefined,
    endAt: end?.kind === "after" ? end.key : undefined,
    // Limits only apply when the page is not pinned by an end cursor: a pinned page must be read whole.
    maximumRowsRead: hasEnd ? undefined : (request.maximumRowsRead ?? undefined),
    trackPositions: true,
  });
  const pageJson: string[] = [];
  let pageStatus: PageResult["pageStatus"] = null;
  while (hasEnd || pageJson.length < request.pageSize) {
    if (!hasEnd && request.maximumBytesRead !== null && stream.bytesRead >= request.maximumBytesRead && stream.rowsRead > 0) {
      pageStatus = "SplitRequired";
      break;
    }
    let doc;
    try {
      doc = stream.next();
    } catch (error) {
      const endsPage = error instanceof RowsReadLimitError || (error instanceof LimitError && error.endsPage);
      if (!endsPage || stream.lastKey === null) throw error;
      pageStatus = "SplitRequired";
      break;
    }
    if (doc === null) break;
    pageJson.push(docJsonText(doc));
  }
  const softRows = softLimit(Math.min(request.maximumRowsRead ?? Infinity, CONVEX_LIMITS.documentsRead));
  const softBytes = softLimit(Math.min(request.maximumBytesRead ?? Infinity, CONVEX_LIMITS.bytesRead));
  if (pageStatus === null && (stream.rowsRead > softRows || stream.bytesRead > softBytes || pageJson.length > SOFT_MAX_PAGE_LENGTH)) {
    pageStatus = "SplitRecommended";
  }
  let position: CursorPosition;
  if (stream.exhausted) position = end ?? { kind: "end" };
  else if (stream.lastKey !== null) position = { kind: "after", key: stream.lastKey };
  else position = start ?? { kind: "end" };
  const positions = stream.positions;
  const split = positions.length > 2 ? positions[Math.floor(positions.length / 2)] : null;
  return {
    pageJson,
    isDone: position.kind === "end",
    continueCursor: encodeCursor(plan, position),
    splitCursor: split === null ? null : encodeCursor(plan, { kind: "after", key: split }),
    pageStatus,
  };
}
