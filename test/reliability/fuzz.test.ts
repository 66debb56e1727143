// Property-based fuzzing of EVERY public function of convex/ (found by
// loading the folder, so a function added later is fuzzed too) through the
// official clients, over the sync WebSocket and over HTTP, as anonymous,
// signed-in and moderator callers, with arguments of the right shape and
// hostile content and of the wrong shape. Every call must answer — a result
// that matches the function's `returns` validator (checked by convex-helpers,
// not by the backend's own code) or an error that is an expected refusal,
// an argument validation error or another error the backend reports — and
// never an uncaught exception from the app, a hang or a contained server
// error. The database's invariants are checked along the way and at the end.
//
// FUZZ_RUNS and FUZZ_SEED widen or replay a run:
//   FUZZ_RUNS=20000 FUZZ_SEED=7 npx vitest run test/reliability/fuzz.test.ts
import fc from "fast-check";
import { convexToJson, type Value } from "convex/values";
import { makeFunctionReference } from "convex/server";
import type { ConvexClient, ConvexHttpClient } from "convex/browser";
import { validate } from "convex-helpers/validators";
import { beforeAll, describe, expect, test } from "vitest";
import { loadModules, type RegisteredFunction } from "../../src/backend/engine/runtime/modules.ts";
import type { MintRequest } from "../../src/load/tokens.ts";
import { argsFor, validatorOf, type Ids } from "./support/arbitraries.ts";
import { CONVEX_DIR, seedContent, seedGames, useReliability } from "./support/harness.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
/** A call not answered this long has hung: the backend answers in milliseconds. */
const CALL_TIMEOUT_MS = 10_000;
/** Invariants are checked this often during the run, not only at its end. */
const CHECK_EVERY = 200;

const t = useReliability();

const CALLERS: (MintRequest | null)[] = [null, { subject: "fuzz-alice" }, { subject: "fuzz-bob" }, { subject: "fuzz-mod", permissions: ["write:chat"] }];
type Outcome = "result" | "refusal" | "validation" | "backend error" | "unencodable";

let functions: RegisteredFunction[] = [];
let ids: Ids = {};
let knownStrings: string[] = [];
const ws: ConvexClient[] = [];
const http: ConvexHttpClient[] = [];
const tally = new Map<string, Map<Outcome, number>>();
/** Distinct "other" errors the backend answered with, for a person to review. */
const backendErrors = new Map<string, number>();

beforeAll(async () => {
  const modules = await loadModules(CONVEX_DIR);
  functions = [...modules.functions.values()].filter((f) => f.visibility === "public").sort((a, b) => a.path.localeCompare(b.path));
  const admin = t.admin();
  const [g1, g2] = await admin.mutation(seedGames, { count: 2 });
  await admin.mutation(seedGames, { count: 1, status: "ended" });
  const [c1] = await admin.mutation(seedContent, { count: 2, durationSeconds: 1000 });
  for (const caller of CALLERS) {
    ws.push(await t.client(caller));
    http.push(await t.http(caller));
  }
  // Something of every table to point ids at.
  const alice = ws[1];
  await alice.mutation(makeFunctionReference<"mutation">("liveSessions:joinStream"), { gameId: g1, deviceType: "web" });
  await ws[2].mutation(makeFunctionReference<"mutation">("liveSessions:joinStream"), { gameId: g2, deviceType: "tv" });
  await alice.mutation(makeFunctionReference<"mutation">("chat:sendMessage"), { gameId: g1, message: "hello" });
  await alice.mutation(makeFunctionReference<"mutation">("watchProgress:updateProgress"), { contentId: c1, positionSeconds: 10, durationSeconds: 1000 });
  const rows = await t.everything();
  ids = Object.fromEntries(Object.entries(rows).map(([table, docs]) => [table, (docs as { _id: string }[]).map((d) => d._id)]));
  knownStrings = (rows.live_stream_sessions as { session_id: string }[]).map((s) => s.session_id);
}, 60_000);

function count(path: string, outcome: Outcome): void {
  const perFunction = tally.get(path) ?? new Map<Outcome, number>();
  perFunction.set(outcome, (perFunction.get(outcome) ?? 0) + 1);
  tally.set(path, perFunction);
}

/** What an error from the official client says about the backend's answer; throws for a bug. */
function classify(error: unknown, where: string): Outcome {
  if (!(error instanceof Error)) throw new Error(`${where}: rejected with a non-Error ${String(error)}`);
  const data = (error as { data?: { kind?: unknown } }).data;
  if (typeof data?.kind === "string") return "refusal";
  if (/timed out after/.test(error.message)) throw new Error(`${where}: ${error.message}`);
  // A JavaScript error the app did not mean to throw is a bug, however it is reported.
  if (/Uncaught (TypeError|RangeError|ReferenceError|SyntaxError|URIError|EvalError|AggregateError|InternalError)/.test(error.message)) {
    throw new Error(`${where}: the app threw: ${error.message.slice(0, 500)}`);
  }
  if (/ArgumentValidationError|does not match validator|extra field|missing the required field/i.test(error.message)) return "validation";
  // Anything else the backend reported (a limit, a refused database call the app let through): an answer, kept for review.
  const line = error.message.split("\n").find((l) => !/Server Error|^\s*Called by/.test(l)) ?? error.message;
  backendErrors.set(line.slice(0, 160), (backendErrors.get(line.slice(0, 160)) ?? 0) + 1);
  return "backend error";
}

function withTimeout<T>(promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${CALL_TIMEOUT_MS} ms`)), CALL_TIMEOUT_MS))),
  ]).finally(() => clearTimeout(timer));
}

type Call = { fn: RegisteredFunction; args: Record<string, Value>; caller: number; via: "ws" | "http" };

async function callOnce(call: Call): Promise<void> {
  const { fn, args } = call;
  const where = `${fn.path} via ${call.via} as ${CALLERS[call.caller]?.subject ?? "anonymous"} with ${describeArgs(args)}`;
  try {
    convexToJson(args as Value);
  } catch {
    // Not a Convex value (e.g. a field name starting with "$"): the client library refuses it before sending.
    return count(fn.path, "unencodable");
  }
  const ref = makeFunctionReference<typeof fn.kind>(fn.path) as never;
  const client = call.via === "ws" ? ws[call.caller] : http[call.caller];
  const run = (): Promise<unknown> =>
    fn.kind === "query" ? client.query(ref, args as never) : fn.kind === "mutation" ? client.mutation(ref, args as never) : client.action(ref, args as never);
  let value: unknown;
  try {
    value = await withTimeout(run());
  } catch (error) {
    return count(fn.path, classify(error, where));
  }
  if (fn.returns !== null && !validate(validatorOf(fn.returns), value)) {
    throw new Error(`${where}: the result does not match the returns validator: ${JSON.stringify(convexToJson(value as Value)).slice(0, 300)}`);
  }
  count(fn.path, "result");
}

function describeArgs(args: Record<string, Value>): string {
  try {
    const text = JSON.stringify(convexToJson(args as Value));
    return text.length > 300 ? `${text.slice(0, 300)}… (${text.length} chars)` : text;
  } catch {
    return "(unencodable args)";
  }
}

async function expectInvariants(): Promise<void> {
  const { violations } = await t.invariants();
  expect(violations).toEqual([]);
  expect(t.internalErrors).toEqual([]);
}

describe("fuzzing every public function", () => {
  test("every call answers with a valid result or a reported error, and every invariant holds", { timeout: 240_000 }, async () => {
    expect(functions.map((f) => f.path)).toEqual(expect.arrayContaining(["chat:sendMessage", "liveSessions:joinStream", "watchProgress:updateProgress"]));
    const call = fc.constantFrom(...functions).chain((fn) =>
      fc.record({ fn: fc.constant(fn), args: argsFor(fn.args, ids, knownStrings), caller: fc.nat(CALLERS.length - 1), via: fc.constantFrom("ws" as const, "http" as const) }),
    );
    let calls = 0;
    await fc.assert(
      fc.asyncProperty(call, async (c) => {
        await callOnce(c);
        if (++calls % CHECK_EVERY === 0) await expectInvariants();
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: true },
    );
    await expectInvariants();

    // Every function was reached, and with both outcomes where both are possible.
    expect([...tally.keys()].sort()).toEqual(functions.map((f) => f.path));
    const total = (outcome: Outcome) => [...tally.values()].reduce((sum, m) => sum + (m.get(outcome) ?? 0), 0);
    for (const outcome of ["result", "refusal", "validation"] as const) expect(total(outcome)).toBeGreaterThan(0);
    const lines = [...tally].map(([path, m]) => `  ${path.padEnd(32)} ${[...m].map(([o, n]) => `${o} ${n}`).join(", ")}`);
    const others = [...backendErrors].map(([message, n]) => `  ${n}× ${message}`);
    console.log(`fuzz: ${calls} calls, seed ${SEED}, over ${functions.length} public functions\n${lines.join("\n")}\nother backend errors:\n${others.join("\n") || "  none"}`);
  });

  test("raw HTTP requests of any shape get a 2xx-4xx answer in JSON, never a 5xx", { timeout: 120_000 }, async () => {
    const paths = [...functions.map((f) => f.path), "seed:createGames", "audit:everything", "nope:nothing", "", ":", "chat", "chat:sendMessage:extra"];
    const token = await t.tokens.mint({ subject: "fuzz-raw" });
    const body = fc.oneof(
      fc.record({ path: fc.constantFrom(...paths), args: fc.oneof(fc.jsonValue(), fc.dictionary(fc.string(), fc.jsonValue())), format: fc.constantFrom("json", "convex_encoded_json", undefined, 7) }).map((b) => JSON.stringify(b)),
      fc.jsonValue().map((j) => JSON.stringify(j)),
      fc.string(),
    );
    const request = fc.record({
      endpoint: fc.constantFrom("query", "mutation", "action", "query_ts", "query_at_ts"),
      body,
      authorization: fc.constantFrom(undefined, `Bearer ${token}`, "Bearer not.a.jwt", `Bearer ${token.slice(0, -3)}abc`, "Convex wrong-admin-key", "Basic eA=="),
    });
    let sent = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        const response = await fetch(`${t.url}/api/${r.endpoint}`, {
          method: "POST",
          headers: { "content-type": "application/json", ...(r.authorization ? { authorization: r.authorization } : {}) },
          body: r.body,
          signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
        });
        const text = await response.text();
        sent += 1;
        expect([200, 400, 401, 404, 413], `${r.endpoint} ${r.body.slice(0, 200)} → ${response.status} ${text.slice(0, 200)}`).toContain(response.status);
        const json = JSON.parse(text) as { status?: string; message?: string };
        if (response.status === 200 && r.endpoint !== "query_ts") expect(["success", "error"]).toContain(json.status);
      }),
      { numRuns: Math.ceil(RUNS / 2), seed: SEED, endOnFailure: true },
    );
    await expectInvariants();
    console.log(`fuzz: ${sent} raw HTTP requests`);
  });
});
