// What `simulate` shows while a run is under way, chosen by the command:
// the live dashboard (a terminal), plain progress lines (CI, pipes,
// --no-tui), or nothing but notices (--quiet, --json). Every one of them
// receives the same calls, and close() is awaited before the summary prints.
import type { RunSnapshot } from "../load/coordinator.ts";

export type RunOutput = {
  /** A finished step ("seeding chat-burst…") or a load process's log line. */
  log(line: string): void;
  /** The coordinator's once-per-interval snapshot. */
  progress(snapshot: RunSnapshot): void;
  /** Something the user must see even in quiet mode ("stopping: …"). */
  notice(line: string): void;
  /** Leaves the terminal ready for the summary. */
  close(): Promise<void>;
};
