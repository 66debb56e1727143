// The loop guard: instrumentLoops puts a check into every loop turn and
// catch clause without changing what the code computes or where its lines
// are, and checkRunningTime throws only for a function past its limit.
import vm from "node:vm";
import { describe, expect, it } from "vitest";
import {
  checkRunningTime,
  executionStorage,
  newRunState,
  type ExecutionContext,
} from "../../../src/backend/engine/runtime/context.ts";
import { FunctionTimeoutError } from "../../../src/backend/engine/runtime/errors.ts";
import { instrumentLoops } from "../../../src/backend/engine/runtime/loopGuard/instrumentLoops.ts";
import { LOOP_CHECK_GLOBAL } from "../../../src/backend/engine/runtime/loopGuard/loopCheckGlobal.ts";

/** Runs `source` (a script whose last statement is its result) with a counting check installed. */
function runCounting(source: string): { result: unknown; checks: number } {
  let checks = 0;
  const sandbox = { [LOOP_CHECK_GLOBAL]: () => void checks++ };
  const result: unknown = vm.runInNewContext(source, sandbox);
  return { result, checks };
}

describe("instrumentLoops", () => {
  const loops: [string, string, number][] = [
    ["while", "let i = 0; while (i < 5) i++; i", 5],
    ["do-while", "let i = 0; do i++; while (i < 4); i", 4],
    ["for", "let s = 0; for (let i = 0; i < 6; i++) s += i; s", 6],
    ["for-in", "let keys = ''; for (const k in { a: 1, b: 2, c: 3 }) keys += k; keys", 3],
    ["for-of", "let s = 0; for (const x of [1, 2, 3]) { s += x; } s", 3],
    ["empty body", "let i = 0; for (; i < 7; i++); i", 7],
    ["nested, ending together", "let n = 0; for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) n++; n", 3 + 3 * 2],
    ["labelled continue", "let n = 0; outer: for (let i = 0; i < 3; i++) { for (let j = 0; j < 9; j++) { if (j === 1) continue outer; n++; } } n", 3 + 3 * 2],
    ["break", "let i = 0; while (true) { if (++i === 4) break; } i", 4],
    ["generator", "function* g() { let i = 0; while (i < 3) yield i++; } let s = 0; for (const x of g()) s += x; s", 3 + 3],
  ];

  it.each(loops)("checks every loop turn (%s) and computes the same", (_kind, source, expectedChecks) => {
    const original = vm.runInNewContext(source) as unknown;
    const { result, checks } = runCounting(instrumentLoops(source));
    expect(result).toEqual(original);
    expect(checks).toBe(expectedChecks);
  });

  it("checks on entering a catch clause, so a catch inside the loop cannot swallow the timeout", () => {
    const source = "let caught = 0; try { JSON.parse('{'); } catch (e) { caught++; } try { 1; } catch { caught++; } caught";
    expect(runCounting(instrumentLoops(source))).toEqual({ result: 1, checks: 1 });
  });

  it("a check that throws ends a loop that catches everything", () => {
    const source = "for (;;) { try { JSON.parse('{'); } catch { } }";
    let calls = 0;
    const sandbox = {
      [LOOP_CHECK_GLOBAL]: () => {
        if (++calls === 50) throw new Error("out of time");
      },
    };
    expect(() => vm.runInNewContext(instrumentLoops(source), sandbox)).toThrow("out of time");
    expect(calls).toBe(50);
  });

  it("keeps every line where it was, so stack traces still point at the source", () => {
    const source = ["const a = 1;", "for (const x of [1]) {", "  throw new Error('line 3');", "}"].join("\n");
    const instrumented = instrumentLoops(source);
    expect(instrumented.split("\n")).toHaveLength(4);
    const error = (() => {
      try {
        runCounting(instrumented);
      } catch (thrown) {
        return thrown as Error;
      }
      throw new Error("expected a throw");
    })();
    expect(error.stack).toMatch(/evalmachine\.<anonymous>:3:/);
  });

  it("runs without the engine's check installed (a module imported outside the backend)", () => {
    expect(vm.runInNewContext(instrumentLoops("let i = 0; while (i < 3) i++; i"))).toBe(3);
  });

  it("leaves code without loops or catch clauses, and code that does not parse, as it is", () => {
    expect(instrumentLoops("export const f = (x) => x + 1;")).toBe("export const f = (x) => x + 1;");
    expect(instrumentLoops("while (")).toBe("while (");
  });

  it("keeps a hashbang line first, and parses module syntax", () => {
    const instrumented = instrumentLoops("#!/usr/bin/env node\nimport x from 'y';\nexport function f() { for (;;) break; }");
    expect(instrumented.split("\n")[0]).toBe("#!/usr/bin/env node");
    expect(instrumented.split("\n")[1]).toMatch(/^function __csnRtLoopCheck\$\(\)/);
    expect(instrumented).toContain("for (;;) {__csnRtLoopCheck$();break;}");
  });
});

describe("checkRunningTime", () => {
  function contextWithLimit(timeoutMs: number, startedMsAgo: number): ExecutionContext {
    const run = { ...newRunState(timeoutMs), startedAt: performance.now() - startedMsAgo };
    return { run } as unknown as ExecutionContext;
  }

  /** Calls the check until it throws (at most 1,000 times); returns what it threw, or null. */
  function checkRepeatedly(): unknown {
    for (let i = 0; i < 1000; i++) {
      try {
        checkRunningTime();
      } catch (thrown) {
        return thrown;
      }
    }
    return null;
  }

  it("throws the timeout once the running function is past its limit, and makes it the run's fatal error", () => {
    const ctx = contextWithLimit(1000, 1500);
    const thrown = executionStorage.run(ctx, checkRepeatedly);
    expect(thrown).toBeInstanceOf(FunctionTimeoutError);
    expect((thrown as Error).message).toBe("Function execution timed out (maximum duration: 1s)");
    expect(ctx.run.fatal).toBe(thrown);
  });

  it("does not count time spent in syscalls", () => {
    const ctx = contextWithLimit(1000, 1500);
    ctx.run.syscallMs = 1000;
    expect(executionStorage.run(ctx, checkRepeatedly)).toBeNull();
  });

  it("never throws within the limit or outside any function", () => {
    expect(executionStorage.run(contextWithLimit(1000, 0), checkRepeatedly)).toBeNull();
    expect(checkRepeatedly()).toBeNull();
  });
});
