// Manual check of the live dashboard without a backend: feeds a synthetic
// run (one snapshot a second, a latency spike at 8 s, a generator stall at
// 12 s) into the real startDashboard, wired like `simulate` wires it.
//   npx tsx test/ui/support/dashboardDemo.tsx [seconds]
// q or Ctrl-C stops early; the dashboard unmounts and a "partial" line prints.
import { setTimeout as sleep } from "node:timers/promises";
import { parseThresholds } from "../../../src/metrics/thresholds.ts";
import { startDashboard } from "../../../src/ui/dashboard/startDashboard.tsx";
import { healthy, spreadMs, SyntheticRun } from "./syntheticRun.ts";

const seconds = Number(process.argv[2] ?? 20);
const { thresholds } = parseThresholds(["mutation_to_subscription p99<500ms", "chat_send p99<100ms", "heartbeat p99<50ms", "deliveries_lost == 0", "mutation_errors == 0"]);
const controller = new AbortController();
const output = startDashboard({
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  scenario: "chat-burst (synthetic)",
  thresholds,
  onStop: () => {
    if (controller.signal.aborted) process.exit(1);
    output.notice("stopping: closing connections and writing the partial report (Ctrl-C again to quit at once)");
    controller.abort();
  },
});
output.log("starting the embedded backend…");
output.log("seeding chat-burst…");

const run = new SyntheticRun();
for (let s = 0; s < seconds && !controller.signal.aborted; s++) {
  await sleep(1000, undefined, { signal: controller.signal }).catch(() => {});
  const spike = s === 8 ? 8 : 1;
  run.second({ observedUs: spreadMs(40).map((us) => us * spike + 5_000 * (s % 3)), chatSendUs: spreadMs(20), sent: 5, dropped: s === 12 ? 3 : 0 });
  output.progress(run.snapshot({ plannedMs: seconds * 1000, latestHealth: [healthy(s === 12 ? { lagP99Ms: 120, cpuPercent: 97 } : {})] }));
}
await output.close();
process.stdout.write(controller.signal.aborted ? "stopped early: status partial\n" : "finished\n");
