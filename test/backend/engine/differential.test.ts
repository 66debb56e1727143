// @vitest-environment edge-runtime
//
// Differential test: random sequences of writes and reads give the same
// results on the embedded engine as on convex-test (the Convex team's
// in-process mock), run on the same functions (test/fixtures/differential-app).
//
// What is compared after every step: whether it failed, and what it returned
// — documents without `_id` and `_creationTime` (ids and times differ
// between the two backends; documents are named by their `key` field).
// At the end, the whole table.
//
// Where convex-test is known to differ from Convex, the generator stays
// inside the common ground: its `.filter` lt/lte/gt/gte use JavaScript's
// `<` (not Convex's total order across types, where a missing field sorts
// below every value), so those comparisons only meet present fields of the
// literal's own type (guarded with `neq(field, undefined)`), NaN and -0 are
// guarded out too (Convex orders NaN above every number and -0 below 0),
// and strings avoid code points where UTF-16 and UTF-8 order disagree. Index ranges,
// `eq`/`neq` filters and sorting use Convex's order in both, and are
// generated over every type, missing values included.
import { convexTest } from "convex-test";
import { anyApi } from "convex/server";
import { convexToJson, type JSONValue, type Value } from "convex/values";
import fc from "fast-check";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { createEngine, type EmbeddedEngine } from "../../../src/backend/engine/index.ts";
import { executionStorage } from "../../../src/backend/engine/runtime/context.ts";
import type { ReadSpec, WriteSpec } from "../../fixtures/differential-app/ops.ts";
import schema from "../../fixtures/differential-app/schema.ts";

const FUNCTIONS_DIR = fileURLToPath(new URL("../../fixtures/differential-app", import.meta.url));
const modules = import.meta.glob(["../../fixtures/differential-app/**/*.ts"]);

/** Bounded so the suite stays fast: 100 sequences of up to 30 steps. */
const RUNS = 100;
const MAX_STEPS = 30;

// ---- values (small pools, so ties and repeated keys are common) ----

const numberValue = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(-2, -1, 0, 0.5, 1, 2, 3) },
  { weight: 1, arbitrary: fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-300) },
);
const stringValue = fc.constantFrom("", "a", "ab", "b", "B", "é", "z", "zz");
const mixedValue: fc.Arbitrary<Value> = fc.oneof(
  fc.constant(null),
  fc.constantFrom(-1n, 0n, 1n, 2n ** 62n),
  numberValue,
  fc.boolean(),
  stringValue,
  fc.constantFrom([], [0], [255, 1]).map((bytes) => new Uint8Array(bytes).buffer as ArrayBuffer),
  fc.array(fc.constantFrom(0, 1, 2), { maxLength: 2 }),
  fc.record({ x: fc.constantFrom(0, 1) }),
);
const FIELD_VALUES: Record<string, fc.Arbitrary<Value>> = {
  n: numberValue,
  s: stringValue,
  mixed: mixedValue,
  tag: fc.constantFrom("t1", "t2"),
  key: fc.integer({ min: 0, max: 12 }),
};

type Fields = Record<string, Value>;
const docBody: fc.Arbitrary<Fields> = fc.record(
  { n: numberValue, s: stringValue, mixed: mixedValue, tag: FIELD_VALUES.tag },
  { requiredKeys: ["tag"] },
);

// ---- reads ----

const INDEXES: Record<string, readonly string[]> = {
  by_key: ["key"],
  by_n: ["n"],
  by_s_n: ["s", "n"],
  by_mixed: ["mixed"],
  by_tag_mixed_n: ["tag", "mixed", "n"],
};

type Item = ReadSpec["eq"][number];
/** A range value for `field`: usually of its type, sometimes missing, sometimes of another type. */
const itemFor = (field: string): fc.Arbitrary<Item> =>
  fc.oneof(
    { weight: 6, arbitrary: FIELD_VALUES[field].map((value) => ({ value })) },
    { weight: 1, arbitrary: fc.constant({ missing: true as const }) },
    { weight: 1, arbitrary: mixedValue.map((value) => ({ value })) },
  );

const rangeFor = (index: string): fc.Arbitrary<Pick<ReadSpec, "eq" | "lower" | "upper">> => {
  const fields = INDEXES[index];
  return fc.integer({ min: 0, max: fields.length }).chain((eqCount) => {
    const next = fields[eqCount];
    const bound = (ops: ("gt" | "gte" | "lt" | "lte")[]) =>
      next === undefined ? fc.constant(undefined) : fc.option(fc.record({ op: fc.constantFrom(...ops), item: itemFor(next) }), { nil: undefined });
    return fc.record({
      eq: fc.tuple(...fields.slice(0, eqCount).map(itemFor)),
      lower: bound(["gt", "gte"]),
      upper: bound(["lt", "lte"]),
    });
  });
};

type Filter = NonNullable<ReadSpec["filter"]>;
/** Field values where JavaScript's `<` and Convex's order disagree: missing (lowest in Convex), NaN (highest) and -0 (below 0). */
const JS_ORDER_GUARDS: Item[] = [{ missing: true }, { value: Number.NaN }, { value: -0 }];
const ORDERED: Record<string, fc.Arbitrary<Value>> = { n: FIELD_VALUES.n.filter((n) => !Number.isNaN(n) && !Object.is(n, -0)), s: stringValue, key: FIELD_VALUES.key, tag: FIELD_VALUES.tag };
const comparison: fc.Arbitrary<Filter> = fc.oneof(
  // eq / neq: Convex's order in both backends, over any field, any type, or a missing value.
  fc.constantFrom("n", "s", "mixed", "tag", "nope").chain((field) =>
    fc.record({ op: fc.constantFrom("eq" as const, "neq" as const), field: fc.constant(field), item: itemFor(field === "nope" ? "mixed" : field) }),
  ),
  // lt / gt: only present fields against a literal of their own type (see the file comment).
  fc.constantFrom("n", "s", "key", "tag").chain((field) =>
    fc
      .record({ op: fc.constantFrom("lt" as const, "lte" as const, "gt" as const, "gte" as const), value: ORDERED[field] })
      .map(({ op, value }): Filter => ({
        op: "and",
        of: [...JS_ORDER_GUARDS.map((item) => ({ op: "neq" as const, field, item })), { op, field, item: { value } }],
      })),
  ),
);
const filter: fc.Arbitrary<Filter> = fc.letrec<{ f: Filter }>((tie) => ({
  f: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    comparison,
    fc.record({ op: fc.constantFrom("and" as const, "or" as const), of: fc.array(tie("f"), { minLength: 1, maxLength: 3 }) }),
    fc.record({ op: fc.constant("not" as const), of: tie("f") }),
  ),
})).f;

const readSpec: fc.Arbitrary<ReadSpec> = fc
  .constantFrom<string | null>(null, ...Object.keys(INDEXES))
  .chain((index) =>
    fc.record({
      index: fc.constant(index),
      range: index === null ? fc.constant({ eq: [] }) : rangeFor(index),
      order: fc.constantFrom("asc" as const, "desc" as const),
      filter: fc.option(filter, { nil: undefined, freq: 3 }),
      limit: fc.oneof(
        fc.constant({ kind: "collect" as const }),
        fc.integer({ min: 0, max: 4 }).map((n) => ({ kind: "take" as const, n })),
        fc.constant({ kind: "first" as const }),
        fc.constant({ kind: "unique" as const }),
      ),
    }),
  )
  .map(({ range, ...rest }) => stripUndefined({ ...rest, ...range }) as ReadSpec);

// ---- writes, on documents named by position among those written so far ----

type AbstractWrite =
  | { kind: "insert"; body: Fields }
  | { kind: "patch"; pick: number; set: Fields; unset: string[] }
  | { kind: "replace"; pick: number; body: Fields }
  | { kind: "delete"; pick: number };

const abstractWrite: fc.Arbitrary<AbstractWrite> = fc.oneof(
  { weight: 4, arbitrary: docBody.map((body) => ({ kind: "insert" as const, body })) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("patch" as const),
      pick: fc.nat(),
      set: fc.record({ n: numberValue, s: stringValue, mixed: mixedValue, tag: FIELD_VALUES.tag }, { requiredKeys: [] }),
      unset: fc.subarray(["n", "s", "mixed"]),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("replace" as const), pick: fc.nat(), body: docBody }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }) },
);

type Step =
  | { kind: "mutation"; writes: AbstractWrite[]; read?: ReadSpec }
  | { kind: "query"; read: ReadSpec }
  | { kind: "paginate"; read: ReadSpec; numItems: number };
/** Enough documents in one mutation to split B+tree nodes (64 entries) inside a transaction. */
const bulkInsert = fc.array(docBody, { minLength: 40, maxLength: 100 }).map((bodies) => bodies.map((body): AbstractWrite => ({ kind: "insert", body })));

const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("mutation" as const), writes: bulkInsert, read: fc.option(readSpec, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("paginate" as const), read: readSpec, numItems: fc.constantFrom(1, 2, 3, 10, 40) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("mutation" as const), writes: fc.array(abstractWrite, { minLength: 1, maxLength: 3 }), read: fc.option(readSpec, { nil: undefined, freq: 2 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("query" as const), read: readSpec }) },
);

function stripUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// ---- the two backends ----

type Outcome = { ok: true; value: JSONValue } | { ok: false; error: string };

interface Backend {
  mutation(args: Record<string, Value>): Promise<Outcome>;
  query(args: Record<string, Value>): Promise<Outcome>;
}

/** The embedded engine, called as the server calls it: convexToJson args in, JSON out. */
function embedded(engine: EmbeddedEngine): Backend {
  const caller = { kind: "anonymous" } as const;
  const outcome = (o: { ok: true; value: JSONValue } | { ok: false; errorMessage: string }): Outcome =>
    o.ok ? { ok: true, value: o.value } : { ok: false, error: o.errorMessage };
  return {
    mutation: async (args) => outcome((await engine.runMutation("ops:apply", convexToJson(args), caller)).outcome),
    query: async (args) => outcome((await engine.runQuery("ops:read", convexToJson(args), caller)).outcome),
  };
}

function mock(t: ReturnType<typeof convexTest>): Backend {
  const call = (run: () => Promise<Value>): Promise<Outcome> =>
    run().then(
      (value) => ({ ok: true, value: convexToJson(value) }),
      (error: Error) => ({ ok: false, error: error.message }),
    );
  return {
    mutation: (args) => call(() => t.mutation(anyApi.ops.apply, args)),
    query: (args) => call(() => t.query(anyApi.ops.read, args)),
  };
}

/**
 * Both backends call the one `globalThis.Convex` that convex/server talks to.
 * Route each syscall to the engine when it comes from one of the engine's
 * functions (its AsyncLocalStorage knows), to convex-test otherwise.
 */
function shareConvexGlobal(ours: ConvexGlobal, theirs: ConvexGlobal): void {
  const pick = () => (executionStorage.getStore() !== undefined ? ours : theirs);
  (globalThis as unknown as { Convex: ConvexGlobal }).Convex = {
    syscall: (op, args) => pick().syscall(op, args),
    asyncSyscall: (op, args) => pick().asyncSyscall(op, args),
    jsSyscall: (op, args) => pick().jsSyscall(op, args),
  };
}
type ConvexGlobal = {
  syscall(op: string, args: string): string;
  asyncSyscall(op: string, args: string): Promise<string>;
  jsSyscall(op: string, args: unknown): unknown;
};
const convexGlobal = () => (globalThis as unknown as { Convex: ConvexGlobal }).Convex;

/**
 * Turns abstract writes into concrete ones for one backend. Writes name a
 * document by position among the keys written so far — committed ones and
 * those inserted earlier in the same mutation — so later writes in a
 * mutation often touch what it just inserted. Deleted documents keep their
 * last id: writes to them must fail alike.
 */
class KeyTracker {
  private readonly keys: number[] = [];
  private readonly ids: [Map<number, string>, Map<number, string>] = [new Map(), new Map()];
  private nextKey = 0;

  /** Both backends' versions of one mutation's writes, and the keys its inserts use. */
  concrete(writes: AbstractWrite[]): { keys: number[]; sides: [WriteSpec[], WriteSpec[]] } {
    const keys: number[] = [];
    const sides: [WriteSpec[], WriteSpec[]] = [[], []];
    for (const write of writes) {
      const visible = [...this.keys, ...keys];
      if (write.kind === "insert" || visible.length === 0) {
        const key = this.nextKey++;
        keys.push(key);
        const body = write.kind === "insert" || write.kind === "replace" ? write.body : { tag: "t1" };
        for (const side of sides) side.push({ kind: "insert", doc: { ...body, key } });
        continue;
      }
      const key = visible[write.pick % visible.length];
      sides.forEach((side, i) => {
        const staleId = this.ids[i].get(key);
        const named = { key, ...(staleId === undefined ? {} : { staleId }) };
        if (write.kind === "patch") side.push({ kind: "patch", ...named, set: write.set, unset: write.unset });
        else if (write.kind === "replace") side.push({ kind: "replace", ...named, doc: { ...write.body, key } });
        else side.push({ kind: "delete", ...named });
      });
    }
    return { keys, sides };
  }

  /** Documents ever inserted (an upper bound on what a read can return). */
  get written(): number {
    return this.keys.length;
  }

  committed(keys: number[], inserted: [JSONValue, JSONValue]): void {
    this.keys.push(...keys);
    keys.forEach((key, i) => {
      this.ids[0].set(key, (inserted[0] as string[])[i]);
      this.ids[1].set(key, (inserted[1] as string[])[i]);
    });
  }
}

const WHOLE_TABLE: ReadSpec = { index: "by_key", eq: [], order: "asc", limit: { kind: "collect" } };

async function runSequence(steps: Step[]): Promise<void> {
  const t = convexTest(schema, modules);
  await t.run(async () => null); // installs convex-test's global
  const theirs = convexGlobal();
  const engine = await createEngine({ functionsDir: FUNCTIONS_DIR, clock: "virtual" });
  shareConvexGlobal(convexGlobal(), theirs);
  const backends = [embedded(engine), mock(t)] as const;
  const tracker = new KeyTracker();
  try {
    for (const [i, s] of steps.entries()) {
      const where = `step ${i}: ${JSON.stringify(convexToJson(s as unknown as Value))}`;
      if (s.kind === "paginate") {
        const [ours, theirsOut] = await Promise.all(backends.map((b) => allPages(b, s.read, s.numItems, tracker.written)));
        compare(ours, theirsOut, where);
        continue;
      }
      if (s.kind === "query") {
        const [ours, theirsOut] = await Promise.all(backends.map((b) => b.query({ spec: s.read as unknown as Value })));
        compare(ours, theirsOut, where);
        continue;
      }
      const { keys, sides } = tracker.concrete(s.writes);
      const outcomes = await Promise.all(
        backends.map((b, side) => b.mutation(stripUndefined({ writes: sides[side] as unknown as Value, read: s.read as unknown as Value }))),
      );
      compare(
        outcomes[0].ok ? { ok: true, value: (outcomes[0].value as { read: JSONValue }).read } : outcomes[0],
        outcomes[1].ok ? { ok: true, value: (outcomes[1].value as { read: JSONValue }).read } : outcomes[1],
        where,
      );
      if (outcomes[0].ok && outcomes[1].ok) {
        tracker.committed(keys, [(outcomes[0].value as { inserted: JSONValue }).inserted, (outcomes[1].value as { inserted: JSONValue }).inserted]);
      }
    }
    const [ours, theirsOut] = await Promise.all(backends.map((b) => b.query({ spec: WHOLE_TABLE as unknown as Value })));
    compare(ours, theirsOut, "the whole table at the end");
  } finally {
    await engine.close();
  }
}

/**
 * Every page of a paginated read, cursor by cursor (cursors are each
 * backend's own). A trailing empty page is dropped: Convex's `queryPage`
 * stops reading at `numItems` results without looking further, so when
 * exactly that many remain it answers `isDone: false` and the next page is
 * empty (the engine does the same); convex-test looks ahead and ends a page
 * earlier.
 */
async function allPages(backend: Backend, read: ReadSpec, numItems: number, documents: number): Promise<Outcome> {
  const pages: JSONValue[] = [];
  let cursor: string | null = null;
  // Every page but the last holds at least one document.
  const maxPages = documents + 2;
  for (let i = 0; i < maxPages; i++) {
    const spec = { ...read, limit: { kind: "paginate", numItems, cursor } };
    const outcome = await backend.query({ spec: spec as unknown as Value });
    if (!outcome.ok) return outcome;
    const { page, isDone, continueCursor } = outcome.value as { page: JSONValue; isDone: boolean; continueCursor: string };
    if (!(isDone && (page as JSONValue[]).length === 0 && pages.length > 0)) pages.push(page);
    if (isDone) return { ok: true, value: pages };
    cursor = continueCursor;
  }
  return { ok: false, error: `not done after ${maxPages} pages` };
}

function compare(ours: Outcome, theirs: Outcome, where: string): void {
  // convexToJson form on both sides: NaN, -0, int64 and bytes compare exactly.
  const shape = (o: Outcome) => (o.ok ? { ok: true, value: o.value } : { ok: false });
  // Error wording differs (the engine follows Convex's; convex-test has its own): only failing is compared.
  expect(shape(ours), `${where}\n  engine: ${JSON.stringify(ours)}\n  convex-test: ${JSON.stringify(theirs)}`).toEqual(shape(theirs));
}

describe("the engine and convex-test", () => {
  it("agree on random writes and index-range reads", { timeout: 60_000 }, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: MAX_STEPS, size: "max" }), (steps) => runSequence(steps)),
      { numRuns: RUNS },
    );
  });
});
