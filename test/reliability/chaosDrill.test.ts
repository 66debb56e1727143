// The fault drill behind `npm run chaos`, run in-process at a tiny scale:
// every planned fault is injected into a live game-night run against
// `csn-rt serve --data`, and nothing the ledger's writers saw acknowledged
// is lost or doubled. Also the drill's plan and flags, which need no backend.
import { describe, expect, test } from "vitest";
import { runChaosDrill } from "../../src/chaos/drill.ts";
import { DEFAULT_DRILL, parseDrillFlags } from "../../src/chaos/drillOptions.ts";
import { drillProblems, formatSummary } from "../../src/chaos/drillSummary.ts";
import { planFaults } from "../../src/chaos/faultPlan.ts";

describe("the fault plan", () => {
  test("a short window gets every fault, the slow consumer judged before the kill, the kill with time left to recover", () => {
    const plan = planFaults(10_000);
    expect(plan.map((p) => p.fault.kind)).toEqual(["slow-consumer", "cut", "lose-answers", "cut", "cut", "slow-consumer-check", "kill"]);
    const kill = plan.find((p) => p.fault.kind === "kill")!;
    expect(kill.atMs).toBeLessThanOrEqual(5_000);
    const lose = plan.find((p) => p.fault.kind === "lose-answers")!;
    // The lost-answers window ends before the next cut is due.
    expect(lose.atMs + (lose.fault as { forMs: number }).forMs).toBeLessThanOrEqual(plan[3].atMs);
  });

  test("a long window leaves 15 s of load after the kill", () => {
    const plan = planFaults(600_000);
    expect(plan.at(-1)).toEqual({ atMs: 585_000, fault: { kind: "kill" } });
  });
});

describe("chaos flags", () => {
  test("defaults need no flags", () => {
    expect(parseDrillFlags({})).toEqual({ ok: true, options: DEFAULT_DRILL });
  });

  test("every bad flag is named at once", () => {
    const parsed = parseDrillFlags({ duration: "soon", viewers: "-3", seed: "1.5", maxRss: "lots" });
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.problems).toHaveLength(4);
    expect(parsed.problems.join("\n")).toMatch(/--duration.*--viewers.*--seed.*--max-rss/s);
  });
});

describe("the drill, tiny", () => {
  test("injects cuts, lost answers, kill -9 with restart and a slow consumer, and loses or doubles nothing", { timeout: 120_000 }, async () => {
    const lines: string[] = [];
    const summary = await runChaosDrill({ loadMs: 10_000, viewers: 20, seed: 11, maxRssMb: DEFAULT_DRILL.maxRssMb }, { env: process.env, log: (line) => lines.push(line) });
    const text = formatSummary(summary);
    console.log(text);

    const injected = summary.injected;
    expect(injected.failed).toEqual([]);
    expect(injected.cuts).toHaveLength(3);
    for (const cut of injected.cuts) expect(cut.connections).toBeGreaterThan(0);
    expect(injected.lostAnswers?.connectionsCut).toBeGreaterThan(0);
    expect(injected.kill?.restartMs).toBeGreaterThan(0);
    expect(injected.slowConsumer?.subscriptions).toBeGreaterThan(0);
    const slow = summary.slowConsumer;
    if (slow === null || "error" in slow) throw new Error(`the slow consumer did not run: ${JSON.stringify(slow)}`);
    expect(slow.pausedMs).toBeGreaterThan(0);

    expect(summary.simulate?.code, JSON.stringify(summary.simulate)).not.toBeNull();
    expect(summary.simulate?.reconnects).toBeGreaterThan(0);
    expect(summary.ledger.resumedAfterRestart).toBe(summary.ledger.writers);
    const findings = summary.ledger.findings!;
    expect(findings.lost).toEqual([]);
    expect(findings.duplicated).toEqual([]);
    expect(findings.acknowledged.joins).toBeGreaterThan(0);
    expect(summary.memory.peakMb).toBeGreaterThan(0);
    expect(drillProblems(summary)).toEqual([]);

    for (const label of ["connection cuts", "lost answers", "kill -9 + restart", "slow consumer", "peak RSS", "lost                 0", "doubled              0"]) {
      expect(text).toContain(label);
    }
    expect(text).toMatch(/^PASS/m);
  });
});
