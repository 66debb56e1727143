// End to end, as a person sees it: `simulate` in a real terminal (a detached
// tmux pane of fixed size) draws the live dashboard; pressing q stops the
// run, the dashboard gives way to the summary, and the partial report is
// written. Needs tmux and the embedded backend (`csn-rt serve`).
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

const CLI = fileURLToPath(new URL("../../bin/csn-rt", import.meta.url));
// A private tmux server, so the test neither sees nor disturbs anyone's sessions.
const SOCKET = `csn-rt-ui-test-${process.pid}`;
const SESSION = "dashboard";
const COLUMNS = 100;
const ROWS = 50;
// Starting the backend, seeding and connecting take seconds on a busy machine.
const DASHBOARD_TIMEOUT_MS = 90_000;
const EXIT_TIMEOUT_MS = 60_000;

function skipReason(): string | undefined {
  if (spawnSync("tmux", ["-V"]).status !== 0) return "tmux is not installed (apt-get install -y tmux)";
  // An unknown sub-command's --help prints the program's help and exits 0, so look at what was printed.
  const serve = spawnSync(process.execPath, [CLI, "serve", "--help"], { encoding: "utf8", timeout: 60_000 });
  if (serve.status !== 0 || !serve.stdout.includes("csn-rt serve")) return "`csn-rt serve` (the embedded backend simulate starts) is not available yet";
  return undefined;
}

const tmux = (...args: string[]) => execFileSync("tmux", ["-L", SOCKET, "-f", "/dev/null", ...args], { encoding: "utf8" });
/** The pane as text, with its scrollback; `escapes` keeps the colours. */
const capture = (escapes = false) => tmux("capture-pane", "-p", "-J", "-S", "-500", "-t", SESSION, ...(escapes ? ["-e"] : []));
const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;

async function waitFor(what: string, timeoutMs: number, ready: (pane: string) => boolean): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let pane = "";
  while (Date.now() < deadline) {
    pane = capture();
    if (ready(pane)) return pane;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}; the pane shows:\n${pane}`);
}

let socketPath: string | undefined;
afterAll(() => {
  spawnSync("tmux", ["-L", SOCKET, "kill-server"]);
  // kill-server leaves the socket file behind.
  if (socketPath) rmSync(socketPath, { force: true });
});

describe("simulate in a terminal", () => {
  test("the dashboard shows the run live; q stops it cleanly and the partial report is written", { timeout: DASHBOARD_TIMEOUT_MS + EXIT_TIMEOUT_MS + 30_000 }, async (ctx) => {
    const reason = skipReason();
    if (reason) ctx.skip(reason);

    const reportPath = join(mkdtempSync(join(tmpdir(), "csn-rt-dashboard-")), "report.json");
    const args = ["simulate", "chat-burst", "--viewers", "20", "--writers", "5", "--chat-rate", "5", "--duration", "6s", "--ramp", "2s", "--grace", "1s", "--workers", "1", "--official-clients", "1", "--report", reportPath];
    // CI would turn the dashboard off (and Ink's CI mode draws only a final frame).
    const command = `env -u CI -u CONTINUOUS_INTEGRATION -u NODE_OPTIONS ${[process.execPath, CLI, ...args].map(quote).join(" ")}; echo "[exit $?]"`;
    tmux("new-session", "-d", "-s", SESSION, "-x", String(COLUMNS), "-y", String(ROWS));
    socketPath = tmux("display-message", "-p", "-t", SESSION, "#{socket_path}").trim();
    tmux("set-option", "-t", SESSION, "remain-on-exit", "on");
    tmux("respawn-pane", "-k", "-t", SESSION, command);

    const live = await waitFor("the dashboard with latencies and thresholds", DASHBOARD_TIMEOUT_MS, (pane) =>
      /viewers \d+ \/ \d+ connected/.test(pane) && /mutation → subscription last 10 s\s+\d/.test(pane) && /[✔✘] (pass|FAIL)\s+mutation_to_subscription p99<500ms/.test(pane),
    );
    expect(live).toContain("csn-rt simulate · chat-burst");
    expect(live).toContain("q stop");
    expect(live).toMatch(/\d\d:\d\d \/ 00:09 [█░]+ \d\d:\d\d left/);
    expect(live).toMatch(/viewers \d+ \/ 20 connected\s+send rate [\d.]+\/s of [\d.]+\/s scheduled/);
    expect(live).toMatch(/mutation → subscription p99 per second · last \d+ s · peak [\d.]+ (µs|ms|s) · limit 500 ms/);
    expect(live).toMatch(/deliveries lost \d+ · duplicated \d+ · out of order \d+\s+errors \d+ · reconnects \d+/);
    expect(live).toMatch(/thresholds \(as they stand now\)/);
    expect(live).toMatch(/generator 1 process · event-loop lag p99 \d+ ms · cpu \d+ % · dropped \d+/);
    // The threshold marks carry colour: green for pass, red for FAIL.
    expect(capture(true)).toMatch(/\u001b\[3[12]m[✔✘] (pass|FAIL)/);

    tmux("send-keys", "-t", SESSION, "q");
    const after = await waitFor("simulate to exit", EXIT_TIMEOUT_MS, (pane) => /\[exit \d+\]/.test(pane));

    // A run stopped early is inconclusive (exit code 3), never a pass.
    expect(after).toContain("[exit 3]");
    expect(after).toContain("stopping: closing connections and writing the partial report");
    expect(after).toContain("chat-burst: PARTIAL run");
    expect(after).toContain("verdict: INCONCLUSIVE");
    // The dashboard unmounted before the summary: one frame left on screen, above it.
    expect(after.split("csn-rt simulate · chat-burst")).toHaveLength(2);
    expect(after.indexOf("thresholds (as they stand now)")).toBeLessThan(after.indexOf("chat-burst: PARTIAL run"));
    const report = JSON.parse(readFileSync(reportPath, "utf8")) as { status: string; verdict: string };
    expect(report.status).toBe("partial");
    expect(report.verdict).toBe("inconclusive");
  });
});
