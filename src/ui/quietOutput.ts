// --quiet and --json: nothing while the run goes, except notices the user
// must see (on stderr, so a --json report on stdout stays parseable).
import type { Writable } from "node:stream";
import type { RunOutput } from "./runOutput.ts";

export function quietOutput(stderr: Writable): RunOutput {
  return {
    log: () => {},
    progress: () => {},
    notice: (line) => void stderr.write(`\n${line}\n`),
    close: async () => {},
  };
}
