// Convex's per-transaction limits and the exact messages real Convex gives
// when one is exceeded. Numbers: https://docs.convex.dev/production/state/limits
// (section "Transactions" and "Execution time and scheduling"), which match the
// knobs in convex-backend crates/common/src/knobs.rs; wording from
// crates/database/src/reads.rs, writes.rs and crates/model/src/scheduled_jobs.
import { formatBytesExact } from "../values/documents.ts";

const MiB = 1 << 20;

export type TransactionLimits = {
  /** "Documents scanned: 32,000" — documents skipped by `filter` count too. */
  readonly documentsRead: number;
  /** "Data read: 16 MiB". */
  readonly bytesRead: number;
  /** "Index ranges read: 4,096" — the number of `db.get` and `db.query` calls. */
  readonly indexRangesRead: number;
  /** "Documents written: 16,000". */
  readonly documentsWritten: number;
  /** "Data written: 16 MiB". */
  readonly bytesWritten: number;
  /** "Scheduled functions: 1000" per mutation. */
  readonly functionsScheduled: number;
  /** "Total size of all scheduled function arguments scheduled in a single mutation: 16 MiB". */
  readonly scheduledArgsBytes: number;
};

export const CONVEX_LIMITS: TransactionLimits = {
  documentsRead: 32_000,
  bytesRead: 16 * MiB,
  indexRangesRead: 4096,
  documentsWritten: 16_000,
  bytesWritten: 16 * MiB,
  functionsScheduled: 1000,
  scheduledArgsBytes: 16 * MiB,
};

/** "Function return value size: 16 MiB" and "Function argument size: 16 MiB". */
export const MAX_FUNCTION_VALUE_BYTES = 16 * MiB;

const OVER_LIMIT_HELP =
  "Consider using smaller limits in your queries, paginating your queries, or using indexed queries with a selective index range expressions.";

/**
 * A limit was exceeded. Like in Convex it fails the whole function even if
 * user code catches it, and inside `paginate` some of them end the page early
 * (`pageStatus: "SplitRequired"`) instead of failing.
 */
export class LimitError extends Error {
  constructor(
    message: string,
    /** Convex's "pagination limit" errors end a page instead of failing it. */
    readonly endsPage: boolean,
  ) {
    super(message);
    this.name = "LimitError";
  }
}

/** Running totals for one transaction, checked against the limits as they grow. */
export class TransactionCounters {
  documentsRead = 0;
  bytesRead = 0;
  indexRangesRead = 0;
  documentsWritten = 0;
  bytesWritten = 0;
  functionsScheduled = 0;
  scheduledArgsBytes = 0;

  constructor(readonly limits: TransactionLimits = CONVEX_LIMITS) {}

  recordDocumentRead(bytes: number): void {
    this.documentsRead += 1;
    this.bytesRead += bytes;
    if (this.documentsRead > this.limits.documentsRead) {
      throw new LimitError(
        `Too many documents read in a single function execution (limit: ${this.limits.documentsRead}). ${OVER_LIMIT_HELP}`,
        true,
      );
    }
    if (this.bytesRead > this.limits.bytesRead) {
      throw new LimitError(
        `Too many bytes read in a single function execution (limit: ${this.limits.bytesRead} bytes). ${OVER_LIMIT_HELP}`,
        true,
      );
    }
  }

  recordIndexRange(): void {
    this.indexRangesRead += 1;
    if (this.indexRangesRead > this.limits.indexRangesRead) {
      throw new LimitError(
        `Too many reads in a single function execution (limit: ${this.limits.indexRangesRead}). ${OVER_LIMIT_HELP}`,
        true,
      );
    }
  }

  recordWrite(bytes: number): void {
    this.documentsWritten += 1;
    this.bytesWritten += bytes;
    if (this.documentsWritten > this.limits.documentsWritten) {
      throw new LimitError(
        `Too many writes in a single function execution (limit: ${this.limits.documentsWritten})`,
        false,
      );
    }
    if (this.bytesWritten > this.limits.bytesWritten) {
      throw new LimitError(
        `Too many bytes written in a single function execution (limit: ${formatBytesExact(this.limits.bytesWritten)})`,
        false,
      );
    }
  }

  recordScheduled(argsBytes: number): void {
    if (this.functionsScheduled >= this.limits.functionsScheduled) {
      throw new LimitError(
        `Too many functions scheduled by this mutation (limit: ${this.limits.functionsScheduled})`,
        false,
      );
    }
    if (this.scheduledArgsBytes + argsBytes > this.limits.scheduledArgsBytes) {
      throw new LimitError(
        `Too large total size of the arguments of scheduled functions from this mutation (limit: ${this.limits.scheduledArgsBytes} bytes)`,
        false,
      );
    }
    this.functionsScheduled += 1;
    this.scheduledArgsBytes += argsBytes;
  }
}
