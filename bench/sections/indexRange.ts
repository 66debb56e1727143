// (d) The same index-range query over 10,000 documents on our engine and on
// convex-test, each in its own Node process (both install a global `Convex`
// syscall object, so they cannot share one) and run one after the other so
// they never compete for a core.
import { runScript } from "../support/processes.ts";
import type { RangeResults } from "../indexRange/measure.ts";

export async function measureIndexRange(): Promise<{ engine: RangeResults; convexTest: RangeResults }> {
  const engine = await runScript<RangeResults>("indexRange/engineRun.ts");
  const convexTest = await runScript<RangeResults>("indexRange/convexTestRun.ts");
  return { engine, convexTest };
}
