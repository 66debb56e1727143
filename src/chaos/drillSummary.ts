// What a drill found, and the plain text a person reads at the end of
// `npm run chaos`: what was injected, what was survived, what was lost or
// doubled. drillProblems() is the verdict: no problems, exit 0.
import { ExitCode } from "../exitCodes.ts";
import type { LedgerFindings } from "./ledger.ts";
import type { DrillOptions } from "./drillOptions.ts";
import type { RssFindings } from "./rssSampler.ts";
import type { SlowConsumerOutcome } from "./slowConsumer.ts";

export type InjectedFaults = {
  /** Plain cuts: when (ms into the load window) and how many connections each cut. */
  cuts: { atMs: number; connections: number }[];
  /** The window in which answers were thrown away; it ended by cutting every connection. */
  lostAnswers: { atMs: number; forMs: number; connectionsCut: number } | null;
  /** SIGKILL, then `serve --data` on the same file: how long until it listened again. */
  kill: { atMs: number; restartMs: number } | null;
  slowConsumer: { atMs: number; query: string; subscriptions: number } | null;
  /** Faults that could not be injected, each a sentence. */
  failed: string[];
  /** How late the latest step started against its plan (a loaded machine). */
  maxLateMs: number;
};

export type SimulateFindings = {
  /** null: killed or never finished. */
  code: number | null;
  verdict: string | null;
  /** Why simulate's verdict is what it is (latency targets under faults, an unhealthy generator…). */
  verdictReasons: string[];
  status: string | null;
  reconnects: number;
  outages: number;
  outageMs: number;
  /** Subscription deliveries simulate's viewers received after the restart (its clients resumed). */
  deliveriesAfterRestart: number | null;
  deliveriesLost: number;
  problems: string[];
};

export type DrillSummary = {
  options: DrillOptions;
  /** Wall time of the whole drill, setup and checks included. */
  wallMs: number;
  stoppedEarly: boolean;
  injected: InjectedFaults;
  simulate: SimulateFindings | null;
  ledger: { writers: number; resumedAfterRestart: number; findings: LedgerFindings | null; error: string | null };
  slowConsumer: SlowConsumerOutcome | { error: string } | null;
  memory: RssFindings & { limitMb: number; atSlowConsumerCheckMb: number | null };
  proxy: { accepted: number; dropped: number };
  /** "internal error (contained)" lines the backend printed: each is a bug it survived. */
  backendInternalErrors: number;
};

/** simulate's exit codes for a run that finished: pass, inconclusive, threshold failed (src/exitCodes.ts). */
const SIMULATE_FINISHED: readonly number[] = [ExitCode.pass, ExitCode.inconclusive, ExitCode.thresholdFailed];

/** Every reason the drill failed, each a sentence; none means it passed. */
export function drillProblems(s: DrillSummary): string[] {
  const problems: string[] = [];
  if (s.stoppedEarly) problems.push("the drill was stopped before it finished");
  problems.push(...s.injected.failed);
  const findings = s.ledger.findings;
  if (findings === null) problems.push(`the ledger could not be checked${s.ledger.error ? `: ${s.ledger.error}` : ""}`);
  else {
    if (findings.lost.length > 0) problems.push(`${findings.lost.length} acknowledged write(s) were lost`);
    if (findings.duplicated.length > 0) problems.push(`${findings.duplicated.length} write(s) were applied more than once`);
  }
  if (s.injected.kill !== null && s.ledger.resumedAfterRestart < s.ledger.writers) {
    problems.push(`${s.ledger.writers - s.ledger.resumedAfterRestart} of ${s.ledger.writers} ledger writers never wrote again after the restart`);
  }
  if (s.memory.peakMb === null) problems.push("the backend's memory could not be read (needs Linux /proc)");
  else if (s.memory.peakMb > s.memory.limitMb) problems.push(`the backend's RSS reached ${mb(s.memory.peakMb)}, above the ${s.memory.limitMb} MiB limit`);
  // Its verdict under faults is reported, not judged (latency targets are not the point); a crash is.
  const sim = s.simulate;
  if (sim === null || sim.code === null) problems.push("simulate did not finish its run");
  else if (!SIMULATE_FINISHED.includes(sim.code)) problems.push(`simulate failed (exit ${sim.code}): ${sim.problems.join("; ") || "see its output"}`);
  return problems;
}

export function formatSummary(s: DrillSummary): string {
  const i = s.injected;
  const lines: string[] = [];
  lines.push(`chaos drill: ${sec(s.options.loadMs)} of game-night (${s.options.viewers} viewers, seed ${s.options.seed}) against csn-rt serve --data behind a loopback TCP proxy; ${sec(s.wallMs)} in all`);
  lines.push("", "injected");
  const cutAll = i.cuts.map((c) => `${sec(c.atMs)} (${c.connections})`).join(", ");
  lines.push(row("connection cuts", i.cuts.length === 0 ? "none" : `${i.cuts.length}, at ${cutAll} — connections cut in each`));
  lines.push(row("lost answers", i.lostAnswers === null ? "none" : `${sec(i.lostAnswers.forMs)} from ${sec(i.lostAnswers.atMs)}: requests delivered, answers thrown away; then ${i.lostAnswers.connectionsCut} connections cut`));
  lines.push(row("kill -9 + restart", i.kill === null ? "none" : `SIGKILL at ${sec(i.kill.atMs)}; listening again on the same data file ${sec(i.kill.restartMs)} later`));
  lines.push(row("slow consumer", i.slowConsumer === null ? "none" : `${i.slowConsumer.subscriptions}× ${i.slowConsumer.query}, its socket unread from ${sec(i.slowConsumer.atMs)}`));
  lines.push(row("through the proxy", `${s.proxy.accepted} connections accepted, ${s.proxy.dropped} cut`));
  if (i.maxLateMs > 1_000) lines.push(row("schedule", `steps ran up to ${sec(i.maxLateMs)} late (a loaded machine)`));
  for (const failure of i.failed) lines.push(row("NOT injected", failure));

  lines.push("", "survived");
  lines.push(row("simulate", describeSimulate(s.simulate)));
  lines.push(row("ledger writers", i.kill === null ? `${s.ledger.writers} writing; no restart to come back from` : `${s.ledger.resumedAfterRestart} of ${s.ledger.writers} wrote again after the restart`));
  const judged = s.slowConsumer === null && i.slowConsumer !== null ? "subscribed, but the drill stopped before it was judged" : describeSlowConsumer(s.slowConsumer);
  lines.push(row("slow consumer", judged));
  lines.push(row("backend errors", `${s.backendInternalErrors} internal errors contained (logged by serve)`));
  const m = s.memory;
  const atCheck = m.atSlowConsumerCheckMb === null ? "" : `; ${mb(m.atSlowConsumerCheckMb)} when the slow consumer was judged`;
  lines.push(row("backend memory", m.peakMb === null ? "not measured" : `peak RSS ${mb(m.peakMb)} at ${sec(m.peakAtMs ?? 0)} (limit ${m.limitMb} MiB)${atCheck}; ${m.samples} samples`));

  lines.push("", "lost or doubled (ledger: every acknowledged write checked in the database)");
  const f = s.ledger.findings;
  if (f === null) lines.push(row("not checked", s.ledger.error ?? "the drill stopped before the check"));
  else {
    const acked = f.acknowledged;
    lines.push(row("acknowledged", `${acked.joins} joins, ${acked.progress} progress updates, ${acked.messages} chat messages`));
    lines.push(row("lost", String(f.lost.length)));
    lines.push(row("doubled", String(f.duplicated.length)));
    lines.push(row("writes that failed", `${f.failed.length} (not acknowledged, so neither lost nor doubled)`));
    for (const line of [...f.lost, ...f.duplicated, ...f.failed].slice(0, 10)) lines.push(`    ${line}`);
  }

  const problems = drillProblems(s);
  lines.push("", problems.length === 0 ? `PASS: nothing acknowledged was lost or doubled, and the backend stayed under ${m.limitMb} MiB` : `FAIL: ${problems.join("; ")}`);
  return lines.join("\n");
}

function describeSimulate(sim: SimulateFindings | null): string {
  if (sim === null) return "did not run";
  if (sim.code === null || sim.verdict === null) return `no verdict: ${sim.problems.join("; ") || "it did not finish"}`;
  const after = sim.deliveriesAfterRestart === null ? "" : `, ${sim.deliveriesAfterRestart} deliveries after the restart`;
  const why = sim.verdictReasons.length === 0 ? "" : ` — ${sim.verdictReasons.slice(0, 2).join("; ")}`;
  return [
    `verdict ${sim.verdict} (exit ${sim.code}, run ${sim.status})${why}`,
    `${sim.reconnects} reconnects and ${sim.outages} outage(s) totalling ${sec(sim.outageMs)} counted in its report${after}`,
    `${sim.deliveriesLost} updates its viewers never saw (simulate's delivery count; writes are checked by the ledger below)`,
  ].join(`\n${" ".repeat(23)}`);
}

function describeSlowConsumer(outcome: DrillSummary["slowConsumer"]): string {
  if (outcome === null) return "not started";
  if ("error" in outcome) return `could not run: ${outcome.error}`;
  const missed = `unread for ${sec(outcome.pausedMs)} while its reading twin got ${outcome.twin.transitions} updates (${size(outcome.twin.bytes)})`;
  const after = `${outcome.afterResume.transitions} updates (${size(outcome.afterResume.bytes)})`;
  if (outcome.closed !== null) {
    const how = outcome.closed.code === 1008 ? `closed by the server (1008 ${outcome.closed.reason})` : `closed by the server (code ${outcome.closed.code}${outcome.closed.reason ? ` ${outcome.closed.reason}` : ""})`;
    return `${how}; ${missed}; on reading again it got ${after} before the close`;
  }
  if (outcome.caughtUpMs === null) return `${missed}; on reading again it got ${after} and had not caught up when the drill moved on`;
  const coalesced = outcome.afterResume.transitions < outcome.twin.transitions;
  const verdict = coalesced ? "the server had coalesced the rest into the latest state" : "the backlog had fit in the socket buffers";
  return `${missed}; on reading again it caught up in ${sec(outcome.caughtUpMs)} with ${after}: ${verdict}`;
}

function row(label: string, text: string): string {
  return `  ${label.padEnd(20)} ${text}`;
}

function sec(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

function size(bytes: number): string {
  return bytes < 2 ** 20 ? `${Math.round(bytes / 1024)} KiB` : mb(bytes / 2 ** 20);
}

function mb(value: number): string {
  return `${value.toFixed(1)} MiB`;
}
