// Writing a command's output file. The content goes to a temporary file
// beside the target and is renamed over it, so a failure (full disk, Ctrl-C)
// never leaves a half-written report that a later `compare` would trip on.
import { randomBytes } from "node:crypto";
import { rename, rm, writeFile } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import { fileProblem } from "./fileProblem.ts";

/** `path` is resolved; `shownAs` is how the user wrote it, used in messages. */
export async function writeOutputFile(path: string, content: string, shownAs = path): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString("hex")}.tmp`);
  try {
    await writeFile(temporary, content, "utf8");
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    throw new CliError(
      `cannot write ${shownAs}: ${fileProblem(error)}`,
      ExitCode.badUsage,
      "choose an output path in an existing, writable directory with -o",
    );
  }
}
