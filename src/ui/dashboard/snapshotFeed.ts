// Where the run's outputs land for the live dashboard: the latest snapshot
// (with when it arrived), finished phase lines and a notice. Pushing only
// stores; the dashboard reads the feed on its own timer, so nothing renders
// per snapshot, let alone per event (STYLE 4).
import type { RunSnapshot } from "../../load/coordinator.ts";

export type ReceivedSnapshot = { snapshot: RunSnapshot; receivedAtMs: number };

export class SnapshotFeed {
  private last: ReceivedSnapshot | null = null;
  private readonly lines: string[] = [];
  private noticeLine: string | null = null;

  constructor(private readonly now: () => number = Date.now) {}

  push(snapshot: RunSnapshot): void {
    this.last = { snapshot, receivedAtMs: this.now() };
  }

  log(line: string): void {
    this.lines.push(line);
  }

  notify(line: string): void {
    this.noticeLine = line;
  }

  latest(): ReceivedSnapshot | null {
    return this.last;
  }

  phases(): readonly string[] {
    return this.lines;
  }

  notice(): string | null {
    return this.noticeLine;
  }
}
