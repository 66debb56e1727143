// Commits that landed while query runs were in flight. A run that started
// at latest ts S0 returns a result computed at some snapshot S >= S0; every
// commit after S that touched its read set makes that result stale, and such
// commits may have arrived before the run returned. So while any run is in
// flight the hub keeps the commits after the oldest run's start, and a
// finishing run checks its read set against the ones after its snapshot.
import type { CommitEvent, ReadSet } from "../contracts.ts";

export class CommitWindow {
  private commits: CommitEvent[] = [];
  /** Start ts of each run in flight (a multiset: runs may share a start). */
  private readonly openStarts = new Map<bigint, number>();

  /** A run starts: keep every commit after `startTs` until it ends. */
  open(startTs: bigint): void {
    this.openStarts.set(startTs, (this.openStarts.get(startTs) ?? 0) + 1);
  }

  /** A run ended: commits no open run can need are dropped. */
  close(startTs: bigint): void {
    const count = this.openStarts.get(startTs) ?? 0;
    if (count <= 1) this.openStarts.delete(startTs);
    else this.openStarts.set(startTs, count - 1);
    this.trim();
  }

  record(commit: CommitEvent): void {
    if (this.openStarts.size > 0) this.commits.push(commit);
  }

  /**
   * The ts of the first recorded commit after `snapshotTs` whose writes
   * intersect `readSet` (any commit when the read set is unknown), or null.
   */
  firstInvalidation(snapshotTs: bigint, readSet: ReadSet | null): bigint | null {
    for (const commit of this.commits) {
      if (commit.ts <= snapshotTs) continue;
      if (readSet === null || intersects(readSet, commit)) return commit.ts;
    }
    return null;
  }

  private trim(): void {
    if (this.openStarts.size === 0) {
      this.commits = [];
      return;
    }
    let oldest: bigint | null = null;
    for (const start of this.openStarts.keys()) if (oldest === null || start < oldest) oldest = start;
    let drop = 0;
    while (drop < this.commits.length && this.commits[drop].ts <= oldest!) drop += 1;
    if (drop > 0) this.commits = this.commits.slice(drop);
  }
}

/** A read set that throws is treated as touched: re-running is always safe, missing an update is not. */
export function intersects(readSet: ReadSet, commit: CommitEvent): boolean {
  try {
    return readSet.intersects(commit.writes);
  } catch {
    return true;
  }
}
