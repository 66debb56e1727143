// Plain progress for pipes, CI and --no-tui: log lines as they come and one
// progress line every PROGRESS_EVERY_MS of run time, all on stderr so stdout
// keeps only the summary (or the --json report).
import type { Writable } from "node:stream";
import { progressLine, PROGRESS_EVERY_MS } from "./plainProgress.ts";
import type { RunOutput } from "./runOutput.ts";

export function plainOutput(stderr: Writable): RunOutput {
  let lastProgressAt = 0;
  return {
    log: (line) => void stderr.write(`${line}\n`),
    progress: (snapshot) => {
      if (snapshot.elapsedMs - lastProgressAt < PROGRESS_EVERY_MS) return;
      lastProgressAt = snapshot.elapsedMs;
      stderr.write(`${progressLine(snapshot)}\n`);
    },
    // A blank line first: a notice usually follows a ^C echoed by the terminal.
    notice: (line) => void stderr.write(`\n${line}\n`),
    close: async () => {},
  };
}
