// The scenario registry: adding a scenario means one new file and one line here.
import { chatBurst } from "./chatBurst.ts";
import type { Scenario } from "./scenario.ts";

export const SCENARIOS: readonly Scenario<any>[] = [chatBurst];

export function findScenario(name: string): Scenario<unknown> | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
