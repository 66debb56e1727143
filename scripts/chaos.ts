// `npm run chaos`: the fault drill (src/chaos/drill.ts) — game-night plus
// ledger writers against `csn-rt serve --data` while connections are cut,
// answers lost, the backend killed with SIGKILL and restarted, and a
// consumer stops reading. Prints what was injected, survived and lost.
//
//   npm run chaos                                   60 s load window, 300 viewers
//   npm run chaos -- --duration 2m --viewers 500 --seed 7 --max-rss 2048
//
// Exit 0: nothing acknowledged was lost or doubled and the backend's memory
// stayed under --max-rss (MiB). 1: otherwise. 2: bad flags.
import { parseArgs } from "node:util";
import { runChaosDrill } from "../src/chaos/drill.ts";
import { DEFAULT_DRILL, parseDrillFlags } from "../src/chaos/drillOptions.ts";
import { drillProblems, formatSummary } from "../src/chaos/drillSummary.ts";

const USAGE = `usage: npm run chaos -- [--duration 60s] [--viewers ${DEFAULT_DRILL.viewers}] [--seed ${DEFAULT_DRILL.seed}] [--max-rss ${DEFAULT_DRILL.maxRssMb}]`;

function usageError(problems: string[]): never {
  process.stderr.write(`${problems.map((p) => `chaos: ${p}`).join("\n")}\n${USAGE}\n`);
  process.exit(2);
}

const { values } = (() => {
  try {
    return parseArgs({
      options: {
        duration: { type: "string" },
        viewers: { type: "string" },
        seed: { type: "string" },
        "max-rss": { type: "string" },
        help: { type: "boolean", default: false },
      },
    });
  } catch (error) {
    return usageError([(error as Error).message]);
  }
})();
if (values.help) {
  process.stdout.write(`${USAGE}\n`);
  process.exit(0);
}
const parsed = parseDrillFlags({ duration: values.duration, viewers: values.viewers, seed: values.seed, maxRss: values["max-rss"] });
if (!parsed.ok) usageError(parsed.problems);

// First Ctrl-C: skip the rest of the drill, stop everything, report. Second: leave now.
const stop = new AbortController();
let killAll: () => void = () => {};
process.on("SIGINT", () => {
  if (stop.signal.aborted) process.exit(130);
  process.stderr.write("chaos: stopping (Ctrl-C again to quit at once)\n");
  stop.abort();
});
process.on("SIGTERM", () => stop.abort());
// However the process ends, no backend or simulate is left running.
process.on("exit", () => killAll());

const summary = await runChaosDrill(parsed.options, {
  env: process.env,
  log: (line) => process.stderr.write(`${line}\n`),
  signal: stop.signal,
  onKillSwitch: (kill) => (killAll = kill),
});
process.stdout.write(`\n${formatSummary(summary)}\n`);
process.exit(drillProblems(summary).length === 0 ? 0 : 1);
