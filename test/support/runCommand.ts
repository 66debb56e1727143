// Runs a command action the way runAction does — a thrown CliError becomes
// its printed message and exit code — but against a memory context.
import { reportError } from "../../src/errors.ts";
import type { MemoryContext } from "./memoryContext.ts";

export async function runCommand(ctx: MemoryContext, action: (ctx: MemoryContext) => Promise<number>): Promise<number> {
  try {
    return await action(ctx);
  } catch (error) {
    return reportError(error, ctx);
  }
}
