// One run through the planned steps (plan.ts): each session's actions over
// its own connection at their planned moments, a check after every minute
// (check.ts), and what was found, as metrics and notes for the report.
import pLimit from "p-limit";
import type { httpAdminApi } from "../load/adminApi.ts";
import type { HealthSample, HealthSampler } from "../load/generatorHealth.ts";
import type { MetricsRecorder } from "../metrics/recorder.ts";
import { RunMetrics } from "../metrics/runMetrics.ts";
import type { VerifyProgress } from "../ui/verifyOutput.ts";
import type { VerifyConfig } from "./config.ts";
import { runCheck } from "./check.ts";
import { observeGames } from "./observe.ts";
import { STALE_JOIN_BATCH, type Action, type SessionPlan, type Step } from "./plan.ts";
import type { VerifierClock } from "./timeSource.ts";
import { newTruth, recordContact, type SessionTruth } from "./truth.ts";
import type { CallOutcome, VerifierViewers } from "./viewers.ts";

export type LifecycleIo = { signal: AbortSignal; log(line: string): void; progress(progress: VerifyProgress): void };

/** Mutations of one step in flight at once. */
const STEP_CONCURRENCY = 256;
/** Real time: a step begun this late did not happen as planned (the generator fell behind). */
const LATE_STEP_MS = 10_000;
/** Real time: slack for cron jitter and request time when judging a session's state. */
const REAL_TOLERANCE_MS = 5_000;
/** Beyond the planned length, how long a real-time run may overrun before it is stopped. */
const REAL_OVERRUN_MS = 5 * 60_000;
/** A virtual-clock run is stopped if it takes longer than this in wall time (it normally takes seconds). */
const VIRTUAL_WALL_LIMIT_MS = 30 * 60_000;
/** Messages kept per kind for the report's notes. */
const SAMPLES_KEPT = 5;

const DEVICE_TYPES = ["web", "ios", "android", "tv"] as const;

export type PlayOutcome = { metrics: RunMetrics; healthSamples: HealthSample[]; partial: boolean; notes: string[] };

/** Holds each session's truth while the steps play, and what the checks found. */
export class LifecycleRun {
  private readonly truths = new Map<string, SessionTruth>();
  private readonly bySession = new Map<number, SessionTruth>();
  private readonly metrics = new RunMetrics(60_000);
  private readonly samples = { early: [] as string[], late: [] as string[], counts: [] as string[], errors: new Map<string, number>() };
  private readonly limit = pLimit(STEP_CONCURRENCY);
  private t0 = 0;
  private checks = 0;
  private violations = 0;
  private activeSeen = 0;
  private rejoined = 0;
  private staleJoined = 0;
  /** Minute of the first check at which every bulk stale session was inactive. */
  private staleAllRetiredAt: number | null = null;

  constructor(
    private readonly config: VerifyConfig,
    private readonly io: LifecycleIo,
    private readonly admin: ReturnType<typeof httpAdminApi>,
    private readonly gameIds: readonly string[],
    private readonly sessions: readonly SessionPlan[],
    private readonly viewers: VerifierViewers,
    private readonly clock: VerifierClock,
    private readonly recorder: MetricsRecorder,
  ) {}

  async play(steps: readonly Step[], health: HealthSampler): Promise<PlayOutcome> {
    const config = this.config;
    const totalMs = config.minutes * 60_000;
    const healthSamples: HealthSample[] = [];
    this.t0 = this.clock.now();
    const wallStart = Date.now();
    const wallLimit = wallStart + (this.clock.mode === "real" ? totalMs + REAL_OVERRUN_MS : VIRTUAL_WALL_LIMIT_MS);
    this.io.log(
      this.clock.mode === "virtual"
        ? `playing ${config.minutes} simulated minutes on the virtual clock…`
        : `playing ${config.minutes} minutes in real time (until about ${new Date(wallStart + totalMs).toLocaleTimeString()})…`,
    );
    let partial = false;
    const notes: string[] = [];
    for (const step of steps) {
      if (this.io.signal.aborted) {
        partial = true;
        notes.push("stopped early by the user; later minutes were not checked");
        break;
      }
      if (Date.now() > wallLimit) {
        partial = true;
        notes.push(`stopped: the run overran its time limit at ${(step.atMs / 60_000).toFixed(1)} minutes`);
        break;
      }
      await this.clock.until(this.t0 + step.atMs, this.io.signal);
      if (this.io.signal.aborted) continue;
      // Joins, heartbeats and comebacks first; leaves and drops last (a session's last beat precedes its drop).
      await this.runActions(step, step.actions.filter((a) => a.kind !== "leave" && a.kind !== "drop"));
      await this.runActions(step, step.actions.filter((a) => a.kind === "leave" || a.kind === "drop"));
      if (step.check) {
        await this.check(step.atMs);
        const sample = health.sample();
        healthSamples.push(sample);
        this.metrics.absorb(this.recorder.flush(step.atMs / 60_000 - 1));
      }
      this.io.progress({
        doneMs: step.atMs,
        totalMs,
        wallElapsedMs: Date.now() - wallStart,
        clock: this.clock.mode,
        activeSessions: this.activeSeen,
        checks: this.checks,
        violations: this.violations,
      });
    }
    this.metrics.absorb(this.recorder.flush(Math.ceil(totalMs / 60_000)));
    this.metrics.count("reconnects", this.viewers.reconnects);
    notes.push(...this.summaryNotes(Date.now() - wallStart));
    return { metrics: this.metrics, healthSamples, partial, notes };
  }

  private async runActions(step: Step, actions: readonly Action[]): Promise<void> {
    await Promise.all(actions.map((action) => this.limit(() => this.act(step, action))));
  }

  private async act(step: Step, action: Action): Promise<void> {
    if (this.clock.mode === "real" && this.clock.now() - (this.t0 + step.atMs) > LATE_STEP_MS) this.recorder.add("dropped_arrivals");
    switch (action.kind) {
      case "join":
        return this.join(this.sessions[action.session]);
      case "heartbeat":
        return this.heartbeat(this.sessions[action.session]);
      case "leave":
        return this.leave(this.sessions[action.session]);
      case "drop":
        return this.viewers.drop(action.session);
      case "return":
        return this.comeBack(this.sessions[action.session]);
      case "joinStale":
        return this.joinStale(action.from, action.count);
      default:
        action satisfies never;
    }
  }

  /** A mutation on session `s`'s own connection, timed and counted. */
  private async call(s: SessionPlan, path: string, args: Record<string, string>, metric?: "join_duration_us" | "heartbeat_duration_us") {
    const sentMs = this.clock.now();
    const started = performance.now();
    this.recorder.add("mutations_sent");
    const outcome = await this.viewers.call(s.index, path, args);
    if (metric && outcome.ok) this.recorder.record(metric, Math.round((performance.now() - started) * 1000), "lean");
    return { outcome, sentMs, ackMs: this.clock.now() };
  }

  private joinArgs(s: SessionPlan): Record<string, string> {
    return { gameId: this.gameIds[s.game], deviceType: DEVICE_TYPES[s.index % DEVICE_TYPES.length], sessionId: s.sessionId };
  }

  private async join(s: SessionPlan): Promise<void> {
    const { outcome, sentMs, ackMs } = await this.call(s, "liveSessions:joinStream", this.joinArgs(s), "join_duration_us");
    if (!outcome.ok) return this.error(`joinStream: ${outcome.message}`);
    const truth = newTruth(s.sessionId, s.game, s.index, sentMs, ackMs);
    this.truths.set(s.sessionId, truth);
    this.bySession.set(s.index, truth);
  }

  /** A heartbeat the plan says is healthy; a refusal means cleanup counted a live viewer out. */
  private async heartbeat(s: SessionPlan): Promise<void> {
    const truth = this.bySession.get(s.index);
    if (truth === undefined) return; // its join failed (already counted)
    const { outcome, sentMs, ackMs } = await this.call(s, "liveSessions:heartbeat", { sessionId: s.sessionId }, "heartbeat_duration_us");
    if (outcome.ok) return recordContact(truth, sentMs, ackMs);
    if (outcome.kind !== "SessionInactive") return this.error(`heartbeat: ${outcome.message}`);
    this.flagEarly(truth, `${s.sessionId}: heartbeat refused as SessionInactive ${((sentMs - truth.lastContactSentMs) / 1000).toFixed(0)} s after its last one`);
    await this.rejoin(s, truth);
  }

  private async leave(s: SessionPlan): Promise<void> {
    const truth = this.bySession.get(s.index);
    if (truth === undefined) return;
    const { outcome } = await this.call(s, "liveSessions:leaveStream", { sessionId: s.sessionId });
    if (!outcome.ok) return this.error(`leaveStream: ${outcome.message}`);
    truth.left = true;
  }

  /**
   * Back after losing the connection: a new socket, then a heartbeat. Back
   * within 2 minutes it must be accepted; back after more than 3 minutes it
   * must be refused (the session was retired) and a re-join with the same
   * sessionId counts the viewer in again.
   */
  private async comeBack(s: SessionPlan): Promise<void> {
    const truth = this.bySession.get(s.index);
    if (truth === undefined) return;
    try {
      await this.viewers.connect(s.index, s.subject);
    } catch (error) {
      return this.error(`reconnecting: ${(error as Error).message}`);
    }
    const { outcome, sentMs, ackMs } = await this.call(s, "liveSessions:heartbeat", { sessionId: s.sessionId }, "heartbeat_duration_us");
    const silentMs = sentMs - truth.lastContactAckMs;
    if (outcome.ok) {
      if (s.fate === "dropLong") this.flagLate(truth, `${s.sessionId}: heartbeat accepted ${(silentMs / 1000).toFixed(0)} s after the last one (should have been retired by 3 min)`);
      return recordContact(truth, sentMs, ackMs);
    }
    if (outcome.kind !== "SessionInactive") return this.error(`heartbeat after reconnecting: ${outcome.message}`);
    if (s.fate === "dropShort") this.flagEarly(truth, `${s.sessionId}: retired although it came back ${(silentMs / 1000).toFixed(0)} s after its last heartbeat`);
    await this.rejoin(s, truth);
  }

  private async rejoin(s: SessionPlan, truth: SessionTruth): Promise<void> {
    const { outcome, sentMs, ackMs } = await this.call(s, "liveSessions:joinStream", this.joinArgs(s), "join_duration_us");
    if (!outcome.ok) return this.error(`joinStream again with the same sessionId: ${outcome.message}`);
    recordContact(truth, sentMs, ackMs);
    this.rejoined += 1;
  }

  private async joinStale(from: number, count: number): Promise<void> {
    const lane = Math.floor(from / STALE_JOIN_BATCH);
    await Promise.all(
      Array.from({ length: count }, async (_, i) => {
        const game = (from + i) % this.gameIds.length;
        const sentMs = this.clock.now();
        this.recorder.add("mutations_sent");
        const outcome: CallOutcome = await this.viewers.sharedCall(lane, "liveSessions:joinStream", { gameId: this.gameIds[game], deviceType: "web" });
        if (!outcome.ok) return this.error(`joinStream (stale): ${outcome.message}`);
        const sessionId = (outcome.value as { sessionId: string }).sessionId;
        this.truths.set(sessionId, newTruth(sessionId, game, null, sentMs, this.clock.now()));
        this.staleJoined += 1;
      }),
    );
    this.recorder.add("stale_sessions", count);
  }

  private async check(atMs: number): Promise<void> {
    const fromMs = this.clock.now();
    const started = performance.now();
    const observed = await observeGames(this.admin, this.gameIds);
    this.recorder.record("state_check_us", Math.round((performance.now() - started) * 1000));
    const toMs = this.clock.now();
    const findings = runCheck(this.truths.values(), observed, { fromMs, toMs, toleranceMs: this.clock.mode === "real" ? REAL_TOLERANCE_MS : 0 });
    this.checks += 1;
    this.recorder.add("session_checks", findings.sessionsChecked);
    this.recorder.add("count_checks", findings.countsChecked);
    this.recorder.add("sessions_retired", findings.retired);
    this.recorder.add("sessions_retired_early", findings.retiredEarly.length);
    this.recorder.add("sessions_retired_late", findings.retiredLate.length);
    this.recorder.add("count_mismatches", findings.countMismatches.length);
    this.violations += findings.retiredEarly.length + findings.retiredLate.length + findings.countMismatches.length;
    keep(this.samples.early, findings.retiredEarly.map((m) => `minute ${atMs / 60_000}: ${m}`));
    keep(this.samples.late, findings.retiredLate.map((m) => `minute ${atMs / 60_000}: ${m}`));
    keep(this.samples.counts, findings.countMismatches.map((m) => `minute ${atMs / 60_000}: ${m}`));
    this.activeSeen = observed.reduce((sum, game) => sum + [...game.sessions.values()].filter((s) => s.active).length, 0);
    if (this.staleAllRetiredAt === null && this.staleJoined > 0) {
      const staleActive = [...this.truths.values()].filter((t) => t.session === null && observed[t.game]?.sessions.get(t.sessionId)?.active !== false).length;
      if (staleActive === 0) this.staleAllRetiredAt = atMs / 60_000;
    }
  }

  private flagEarly(truth: SessionTruth, message: string): void {
    if (truth.flaggedEarly) return;
    truth.flaggedEarly = true;
    this.recorder.add("sessions_retired_early");
    this.violations += 1;
    keep(this.samples.early, [message]);
  }

  private flagLate(truth: SessionTruth, message: string): void {
    if (truth.flaggedLate) return;
    truth.flaggedLate = true;
    this.recorder.add("sessions_retired_late");
    this.violations += 1;
    keep(this.samples.late, [message]);
  }

  private error(message: string): void {
    this.recorder.add("mutation_errors");
    const errors = this.samples.errors;
    if (errors.has(message) || errors.size < SAMPLES_KEPT) errors.set(message, (errors.get(message) ?? 0) + 1);
  }

  private summaryNotes(wallMs: number): string[] {
    const config = this.config;
    const fates = new Map<string, number>();
    for (const s of this.sessions) fates.set(s.fate, (fates.get(s.fate) ?? 0) + 1);
    const n = (fate: string) => (fates.get(fate) ?? 0).toLocaleString("en-US");
    const notes = [
      `lifecycle: ${n("heartbeat")} kept heartbeating, ${n("crash")} crashed, ${n("leave")} left, ${n("dropShort")} lost their connection for under 2 min, ${n("dropLong")} for over 3 min (${this.rejoined} re-joined with the same sessionId); ${config.stale.toLocaleString("en-US")} more joined together and never heartbeat`,
      this.clock.mode === "virtual"
        ? `${config.minutes} simulated minutes on the virtual clock took ${(wallMs / 1000).toFixed(1)} s of wall time`
        : `${config.minutes} minutes in real time took ${(wallMs / 60_000).toFixed(1)} min of wall time`,
    ];
    const slowest = this.metrics.histogram("clock_advance_us")?.maxValue;
    if (slowest !== undefined) notes.push(`slowest virtual-clock step (it runs the crons and the cleanup chain they schedule): ${(slowest / 1000).toFixed(0)} ms`);
    if (this.staleJoined > 0) {
      notes.push(
        this.staleAllRetiredAt === null
          ? `NOT all ${this.staleJoined.toLocaleString("en-US")} stale sessions were retired by the end`
          : `all ${this.staleJoined.toLocaleString("en-US")} stale sessions were inactive at the minute-${this.staleAllRetiredAt} check (silent since minute 0; the limit is 3 minutes)`,
      );
    }
    notes.push(...this.samples.early.map((m) => `retired early: ${m}`));
    notes.push(...this.samples.late.map((m) => `retired late: ${m}`));
    notes.push(...this.samples.counts.map((m) => `count mismatch: ${m}`));
    for (const [message, count] of this.samples.errors) notes.push(`error (${count}×): ${message}`);
    return notes;
  }
}

function keep(into: string[], messages: readonly string[]): void {
  for (const m of messages) if (into.length < SAMPLES_KEPT) into.push(m);
}
