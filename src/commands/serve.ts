// `csn-rt serve`: the embedded Convex-compatible backend on loopback, for
// running scenarios (and the official client, and apps) without a Convex
// account. Prints CONVEX_URL=… once it accepts connections.
import { Command, Option } from "commander";
import { accessSync, constants, existsSync, statSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { DataFileError, guardLoopsIn, startBackend } from "../backend/index.ts";
import { AuthConfigError } from "../backend/auth/index.ts";
import { PortInUseError } from "../backend/server/index.ts";
import { CliError, usageErrors } from "../errors.ts";
import { ExitCode } from "../exitCodes.ts";
import type { CommandContext } from "./context.ts";
import { parseNumber } from "./optionParsers.ts";
import { runAction } from "./runAction.ts";

const DEFAULT_FUNCTIONS_DIR = fileURLToPath(new URL("../../convex", import.meta.url));
// Convex's own local backend listens on 3210; keeping it lets apps' CONVEX_URL stay the same.
const DEFAULT_PORT = 3210;

type ServeFlags = { functions: string; port: string; host: string; data?: string; clock: "real" | "virtual"; adminKey?: string };

export function serveCommand(): Command {
  return new Command("serve")
    .description("run the embedded Convex-compatible backend (loads a convex/ folder unmodified)")
    .option("--functions <dir>", "the Convex functions folder to load", DEFAULT_FUNCTIONS_DIR)
    .option("--port <port>", "port to listen on (0 picks a free one)", String(DEFAULT_PORT))
    .option("--host <host>", "interface to listen on (loopback by default)", "127.0.0.1")
    .option("--data <file>", "persist every committed write to this file (restart resumes from it)")
    .addOption(new Option("--clock <mode>", "real time, or virtual time advanced by an admin endpoint").choices(["real", "virtual"]).default("real"))
    .option("--admin-key <key>", "use this admin key instead of generating one (also CSN_RT_ADMIN_KEY)")
    .action(runAction((ctx, flags: ServeFlags) => serve(ctx, flags)));
}

async function serve(ctx: CommandContext, flags: ServeFlags): Promise<ExitCode> {
  const problems: string[] = [];
  const port = parseNumber("--port", flags.port);
  if (!port.ok) problems.push(port.error);
  else if (!Number.isInteger(port.value) || port.value < 0 || port.value > 65535) problems.push(`--port must be a whole number from 0 to 65535, got ${flags.port}`);
  const functionsDir = resolve(ctx.cwd, flags.functions);
  if (!existsSync(functionsDir)) problems.push(`--functions ${functionsDir} does not exist; point it at a Convex functions folder`);
  const dataFile = flags.data === undefined ? undefined : resolve(ctx.cwd, flags.data);
  if (dataFile !== undefined) problems.push(...dataFileProblems(dataFile));
  if (problems.length > 0) throw usageErrors(problems, "csn-rt serve --help");

  // Before the folder's modules load: a function stuck in a loop must be stoppable.
  guardLoopsIn(functionsDir);
  let backend;
  try {
    backend = await startBackend({
      functionsDir,
      host: flags.host,
      port: port.ok ? port.value : DEFAULT_PORT,
      clock: flags.clock,
      dataFile,
      adminKey: flags.adminKey ?? ctx.env.CSN_RT_ADMIN_KEY,
      onInternalError: (error) => ctx.stderr.write(`internal error (contained): ${(error as Error).message ?? error}\n`),
    });
  } catch (error) {
    if (error instanceof PortInUseError) throw new CliError(error.message, ExitCode.badUsage, "pick another --port, or --port 0 for a free one");
    if (error instanceof DataFileError) throw new CliError(error.message, ExitCode.badUsage, error.hint);
    if (error instanceof AuthConfigError) throw new CliError(error.message, ExitCode.badUsage, "fix auth.config.ts or the environment it reads");
    throw new CliError(`could not start the backend: ${(error as Error).message}`, ExitCode.error);
  }
  ctx.stdout.write(`CONVEX_URL=${backend.url}\nCONVEX_ADMIN_KEY=${backend.adminKey}\n`);
  ctx.stderr.write(`csn-rt serve: ${functionsDir} on ${backend.url} (clock: ${flags.clock}); Ctrl-C to stop\n`);
  const data = backend.engine.dataFile;
  if (data !== null) {
    const what = data.created ? "created" : `restored ${data.documents} documents in ${Math.round(data.restoreMs)} ms from`;
    ctx.stderr.write(`csn-rt serve: data ${what} ${data.path}; every acknowledged write is on disk\n`);
  } else {
    ctx.stderr.write("csn-rt serve: data in memory only (use --data FILE to keep it across restarts)\n");
  }

  await new Promise<void>((done) => {
    const stop = () => done();
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
  ctx.stderr.write("csn-rt serve: shutting down\n");
  await backend.close();
  return ExitCode.pass;
}

/** `--data` checked before anything starts: SQLite needs the file and its directory writable (it adds FILE-wal there). */
function dataFileProblems(file: string): string[] {
  const dir = dirname(file);
  if (!existsSync(dir)) return [`--data ${file}: the directory ${dir} does not exist; create it first (mkdir -p ${dir})`];
  if (!statSync(dir).isDirectory()) return [`--data ${file}: ${dir} is not a directory`];
  if (existsSync(file)) {
    const stat = statSync(file);
    if (stat.isDirectory()) return [`--data ${file} is a directory; give a file path, e.g. --data ${resolve(file, "csn-rt.db")}`];
    if (!stat.isFile()) return [`--data ${file} is not a regular file`];
    if (!canAccess(file, constants.R_OK | constants.W_OK)) return [`--data ${file} is not readable and writable by this user`];
  }
  if (!canAccess(dir, constants.W_OK)) return [`--data ${file}: the directory ${dir} is not writable (the data file and its write-ahead log live there)`];
  return [];
}

function canAccess(path: string, mode: number): boolean {
  try {
    accessSync(path, mode);
    return true;
  } catch {
    return false;
  }
}
