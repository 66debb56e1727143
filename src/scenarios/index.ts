// The scenario registry: adding a scenario means one new file and one line here.
import { chatBurst } from "./chatBurst.ts";
import { gameNight } from "./gameNight.ts";
import { progressSync } from "./progressSync.ts";
import { viewers } from "./viewers.ts";
import type { Scenario } from "./scenario.ts";

export const SCENARIOS: readonly Scenario<any>[] = [viewers, chatBurst, progressSync, gameNight];

export function findScenario(name: string): Scenario<unknown> | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
