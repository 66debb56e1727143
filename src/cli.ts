// The csn-rt command line: this file only registers commands. Each command
// lives in its own module under src/commands/ and owns its option parsing.
import { Command } from "commander";
import { ExitCode } from "./exitCodes.ts";
import { readFileSync } from "node:fs";
import { keysCommand } from "./commands/keys.ts";
import { serveCommand } from "./commands/serve.ts";
import { simulateCommand } from "./commands/simulate.ts";
import { reportCommand } from "./commands/report.ts";
import { verifyCleanupCommand } from "./commands/verifyCleanup.ts";

const { version } = JSON.parse(
  readFileSync(new URL("../package.json", import.meta.url), "utf8"),
) as { version: string };

const program = new Command()
  .name("csn-rt")
  .description(
    "Load tests and simulations for CSN's real-time Convex backend:\n" +
      "virtual viewers, chat bursts and multi-device progress writes, measured\n" +
      "against the CSN latency targets.",
  )
  .version(version, "-V, --version", "print the csn-rt version")
  .option("--verbose", "show stack traces of unexpected errors")
  .showHelpAfterError("(run csn-rt --help for usage)");

// Commands register here, one module each under src/commands/.
program.addCommand(simulateCommand());
program.addCommand(serveCommand());
program.addCommand(keysCommand());
program.addCommand(reportCommand());
program.addCommand(verifyCleanupCommand());

// Commander exits 1 on a usage error (unknown option, bad choice, missing
// argument); csn-rt's contract says 2 (src/exitCodes.ts). Help and --version stay 0.
const usageExit = (command: Command): void => {
  command.exitOverride((error) => process.exit(error.exitCode === 0 ? ExitCode.pass : ExitCode.badUsage));
  command.commands.forEach(usageExit);
};
usageExit(program);

await program.parseAsync(process.argv);
