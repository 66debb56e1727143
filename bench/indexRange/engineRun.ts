// Part (d), our side: the embedded engine in this process (no network),
// running bench:range through Engine.runQuery — args validation, the
// function, index range reads and read-set recording included.
import { fileURLToPath } from "node:url";
import type { JSONValue } from "convex/values";
import { createEngine } from "../../src/backend/engine/index.ts";
import { measureRanges, seedDocuments } from "./measure.ts";

const APP = fileURLToPath(new URL("../app", import.meta.url));

const engine = await createEngine({ functionsDir: APP, clock: "real" });
const unwrap = (outcome: { ok: boolean; value?: JSONValue; errorMessage?: string }) => {
  if (!outcome.ok) throw new Error(outcome.errorMessage);
  return outcome.value;
};
await seedDocuments(async (from, count) => {
  unwrap((await engine.runMutation("bench:seedDocs", { from, count }, { kind: "admin" })).outcome);
});
const results = await measureRanges(
  async (lo, hi) => unwrap((await engine.runQuery("bench:range", { lo, hi }, { kind: "anonymous" })).outcome) as { rows: number },
);
await engine.close();
process.stdout.write(`${JSON.stringify(results)}\n`);
