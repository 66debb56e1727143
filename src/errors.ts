// Errors are values with an exit code and a hint (STYLE 8). Layers below the
// command layer throw or return a CliError; only the command layer prints it
// and exits. A CliError's message is a sentence for a person; the stack is
// shown only with --verbose.
import { ExitCode } from "./exitCodes.ts";
import type { CommandContext } from "./commands/context.ts";

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.badUsage,
    /** What to type or do instead. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/** Several validation problems reported at once ("--viewers must be…", "--chat-rate must be…"). */
export function usageErrors(problems: readonly string[], hint?: string): CliError {
  return new CliError(problems.join("\n"), ExitCode.badUsage, hint);
}

/** Prints an error the way every command does and returns the exit code to use. */
export function reportError(error: unknown, ctx: Pick<CommandContext, "stderr" | "verbose">): ExitCode {
  if (error instanceof CliError) {
    ctx.stderr.write(`csn-rt: ${error.message.replace(/\n/g, "\ncsn-rt: ")}\n`);
    if (error.hint) ctx.stderr.write(`hint: ${error.hint}\n`);
    if (ctx.verbose && error.stack) ctx.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  ctx.stderr.write(`csn-rt: unexpected error: ${message}\n`);
  if (ctx.verbose && error instanceof Error && error.stack) ctx.stderr.write(`${error.stack}\n`);
  else ctx.stderr.write("hint: run again with --verbose for the stack trace\n");
  return ExitCode.error;
}
