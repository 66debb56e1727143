// Reading a report someone hands us: every way it can be wrong (missing,
// not JSON, not a report, another schema version) becomes one CliError
// sentence with a hint, never a stack trace.
import { readFile } from "node:fs/promises";
import { CliError } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import { parseReport, type Report } from "../metrics/report.ts";
import { fileProblem } from "./fileProblem.ts";

const HINT = "pass a JSON report written by csn-rt simulate (they are written under reports/)";

/** `path` is resolved; `shownAs` is how the user wrote it, used in messages. */
export async function readReport(path: string, shownAs = path): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new CliError(`cannot read ${shownAs}: ${fileProblem(error)}`, ExitCode.badUsage, HINT);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CliError(`${shownAs} is not JSON (${detail})`, ExitCode.badUsage, HINT);
  }
  const parsed = parseReport(json);
  if (!parsed.ok) {
    throw new CliError(`${shownAs} is not a csn-rt report: ${parsed.errors.join("; ")}`, ExitCode.badUsage, HINT);
  }
  return parsed.report;
}
