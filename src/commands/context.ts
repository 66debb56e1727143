// The only bridge between process globals and the rest of csn-rt (STYLE 9):
// a command builds one CommandContext from process.* and passes it down.
// Everything below the command layer writes through `stdout`/`stderr` and
// reads `env`, so tests drive commands with in-memory streams.
import type { Writable } from "node:stream";

export type CommandContext = {
  readonly stdout: Writable & { isTTY?: boolean; columns?: number };
  readonly stderr: Writable;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Set by --verbose: show stack traces of unexpected errors. */
  readonly verbose: boolean;
};

export function processContext(options: { verbose?: boolean } = {}): CommandContext {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    cwd: process.cwd(),
    verbose: options.verbose ?? false,
  };
}
