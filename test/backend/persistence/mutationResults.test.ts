// Exactly once across a crash: a mutation run under an idempotency key (the
// sync server's sessionId:requestId) commits its result together with its
// documents, so the same request re-sent to the next engine on the file is
// answered from the file instead of running again.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { JSONValue } from "convex/values";
import type { MutationRun } from "../../../src/backend/contracts.ts";
import type { EmbeddedEngine } from "../../../src/backend/engine/index.ts";
import { DataFile, MUTATION_RESULT_TTL_MS } from "../../../src/backend/engine/persistence/dataFile.ts";
import { CommitWriteSet } from "../../../src/backend/engine/storage/readWriteSets.ts";
import { crashDataFile, openEngine, tempDir } from "./harness.ts";

const anonymous = { kind: "anonymous" } as const;
let tmp: ReturnType<typeof tempDir>;
const engines: EmbeddedEngine[] = [];

beforeEach(() => {
  tmp = tempDir();
});

afterEach(async () => {
  for (const engine of engines.splice(0)) await engine.close();
  tmp.cleanup();
});

async function open(): Promise<EmbeddedEngine> {
  const engine = await openEngine(tmp.file());
  engines.push(engine);
  return engine;
}

function valueOf(run: MutationRun): JSONValue {
  if (!run.outcome.ok) throw new Error(run.outcome.errorMessage);
  return run.outcome.value;
}

async function noteCount(engine: EmbeddedEngine): Promise<number> {
  const run = await engine.runQuery("notes:all", {}, anonymous);
  return (valueOf({ outcome: run.outcome, ts: run.ts }) as unknown[]).length;
}

describe("mutation results kept with their commit", () => {
  it("answers a request re-sent after a crash from the file, without running it again", async () => {
    const first = await open();
    const key = "3f0a6a52-5d0c-4bd4-9d7c-4c2f3a1e9b10:7";
    const original = await first.runMutation("notes:insert", { owner: "o", body: "once" }, anonymous, { idempotencyKey: key });
    crashDataFile(first);

    const second = await open();
    const again = await second.runMutation("notes:insert", { owner: "o", body: "once" }, anonymous, { idempotencyKey: key });
    expect(valueOf(again)).toBe(valueOf(original));
    expect(again.ts).toBe(original.ts);
    expect(await noteCount(second)).toBe(1);

    // Another key, or no key, is a new request.
    await second.runMutation("notes:insert", { owner: "o", body: "twice" }, anonymous, { idempotencyKey: `${key}0` });
    await second.runMutation("notes:insert", { owner: "o", body: "thrice" }, anonymous);
    expect(await noteCount(second)).toBe(3);
  });

  it("runs concurrent calls with one key once", async () => {
    const engine = await open();
    const runs = await Promise.all(
      Array.from({ length: 5 }, () => engine.runMutation("notes:insert", { owner: "o", body: "x" }, anonymous, { idempotencyKey: "s:1" })),
    );
    expect(new Set(runs.map(valueOf)).size).toBe(1);
    expect(await noteCount(engine)).toBe(1);
  });

  it("does not remember a failed mutation: it wrote nothing, so running it again is safe", async () => {
    const first = await open();
    const failed = await first.runMutation("notes:patch", { id: "not-an-id" }, anonymous, { idempotencyKey: "s:2" });
    expect(failed.outcome.ok).toBe(false);
    crashDataFile(first);
    const second = await open();
    expect((await second.runMutation("notes:patch", { id: "not-an-id" }, anonymous, { idempotencyKey: "s:2" })).outcome.ok).toBe(false);
  });

  it("ignores the key on an engine without a data file (the server's in-memory log covers one process)", async () => {
    const { createEngine } = await import("../../../src/backend/engine/index.ts");
    const { APP } = await import("./harness.ts");
    const engine = await createEngine({ functionsDir: APP, clock: "virtual" });
    engines.push(engine);
    await engine.runMutation("notes:insert", { owner: "o", body: "a" }, anonymous, { idempotencyKey: "s:3" });
    await engine.runMutation("notes:insert", { owner: "o", body: "a" }, anonymous, { idempotencyKey: "s:3" });
    expect(await noteCount(engine)).toBe(2);
  });
});

describe("result retention", () => {
  it("keeps results for the TTL of uptime, then prunes them, and opens files written before the table existed", () => {
    let now = 1_000_000;
    const file = DataFile.open(tmp.file("results.db"), { now: () => now });
    const empty = new CommitWriteSet([]);
    file.writeCommit(10n, empty, 0, { key: "a:0", value: { sessionId: "x" } });
    expect(file.mutationResult("a:0")).toEqual({ ts: 10n, value: { sessionId: "x" } });
    expect(file.mutationResult("a:1")).toBeNull();

    now += MUTATION_RESULT_TTL_MS - 1;
    file.writeCommit(11n, empty, 0, { key: "a:1", value: null });
    expect(file.mutationResultCount()).toBe(2);
    now += 2;
    file.writeCommit(12n, empty, 0, { key: "a:2", value: 1 });
    expect(file.mutationResult("a:0")).toBeNull();
    expect(file.mutationResultCount()).toBe(2);
    file.close();

    // A restart long after: results survive until the new process has been up for the TTL.
    now += 60 * MUTATION_RESULT_TTL_MS;
    const reopened = DataFile.open(tmp.file("results.db"), { now: () => now });
    reopened.writeCommit(13n, empty, 0, { key: "b:0", value: 2 });
    expect(reopened.mutationResult("a:2")).toEqual({ ts: 12n, value: 1 });
    reopened.close();
  });
});
