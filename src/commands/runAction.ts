// Every command's action runs through here: build the context once, run,
// turn a thrown CliError (or anything else) into its message and exit code.
// Commands return their exit code instead of calling process.exit, so open
// handles are closed by the command itself and tests can call actions.
import { reportError } from "../errors.ts";
import type { ExitCode } from "../exitCodes.ts";
import { processContext, type CommandContext } from "./context.ts";

export function runAction<Args extends unknown[]>(
  action: (ctx: CommandContext, ...args: Args) => Promise<ExitCode>,
): (...args: Args) => Promise<void> {
  return async (...args: Args) => {
    const verbose = process.argv.includes("--verbose");
    const ctx = processContext({ verbose });
    try {
      process.exitCode = await action(ctx, ...args);
    } catch (error) {
      process.exitCode = reportError(error, ctx);
    }
  };
}
