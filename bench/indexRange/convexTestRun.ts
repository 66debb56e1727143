// Part (d), the reference: convex-test (the official in-memory mock of a
// Convex backend) running the very same module and schema, in plain Node
// under tsx like our side. convexTest() normally gets its modules from
// Vite's import.meta.glob; here the map is written out, with a placeholder
// `_generated` entry it uses only to find the functions folder's root.
import { fileURLToPath } from "node:url";
import { convexTest } from "convex-test";
import { anyApi } from "convex/server";
import schema from "../app/schema.ts";
import { measureRanges, seedDocuments } from "./measure.ts";

const APP = fileURLToPath(new URL("../app", import.meta.url));
const modules: Record<string, () => Promise<unknown>> = {
  [`${APP}/_generated/api.js`]: async () => ({}),
  [`${APP}/schema.ts`]: () => import("../app/schema.ts"),
  [`${APP}/bench.ts`]: () => import("../app/bench.ts"),
};

const t = convexTest(schema, modules);
await seedDocuments(async (from, count) => {
  await t.mutation(anyApi.bench.seedDocs, { from, count });
});
const results = await measureRanges(async (lo, hi) => (await t.query(anyApi.bench.range, { lo, hi })) as { rows: number });
process.stdout.write(`${JSON.stringify(results)}\n`);
