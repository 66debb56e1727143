// game-night: the realistic mix — viewers heartbeating and watching the
// count, a chat audience with bursts and moderation, and users syncing watch
// progress across devices, all at once against the same games.
import { chatBurst, type ChatSeed } from "./chatBurst.ts";
import { progressSync, type ProgressSeed } from "./progressSync.ts";
import { viewers, type ViewersSeed } from "./viewers.ts";
import { NO_GAUGES, sumGauges, type Gauges, type Scenario, type ScenarioRuntime } from "./scenario.ts";
import { seedUsers } from "./common.ts";

export type GameNightSeed = { viewers: ViewersSeed; chat: ChatSeed; progress: ProgressSeed };

const PARTS = [viewers, chatBurst, progressSync] as const;

export const gameNight: Scenario<GameNightSeed> = {
  name: "game-night",
  description: "everything at once: heartbeating viewers, a chat burst with moderation, and multi-device progress sync",
  defaults: { viewers: 500, games: 2, chatRate: 50, writers: 50, burstMs: 10_000, burstPauseMs: 5_000, users: 2_000, updaters: 50, durationMs: 60_000, rampMs: 15_000 },
  // The union of the parts' targets (the same metric appears once).
  thresholds: [...new Set(PARTS.flatMap((p) => p.thresholds))],

  validate: (config) => PARTS.flatMap((p) => p.validate(config)),

  targetConnections: (config) => PARTS.reduce((sum, p) => sum + p.targetConnections(config), 0),

  async prepare(admin, config, log, scope) {
    // The viewers and the chat audience share one set of games: the viewers' (with their check of the deployment).
    const { gameIds } = await viewers.prepare(admin, config, log, scope);
    await seedUsers(admin, "sim-writer-", config.games * config.writers, log, scope);
    const progress = await progressSync.prepare(admin, config, log, scope);
    return { viewers: { gameIds }, chat: { gameIds }, progress };
  },

  async run(rt) {
    // Each part reports its own gauges; the process reports their sum.
    const gauges: Gauges[] = PARTS.map(() => ({ ...NO_GAUGES }));
    const publish = () => rt.gauge(sumGauges(gauges));
    const part = <Seed>(index: number, seed: Seed): ScenarioRuntime<Seed> => ({
      ...rt,
      seed,
      gauge: (update) => {
        Object.assign(gauges[index], update);
        publish();
      },
    });
    await Promise.all([
      viewers.run(part(0, rt.seed.viewers)),
      chatBurst.run(part(1, rt.seed.chat)),
      progressSync.run(part(2, rt.seed.progress)),
    ]);
  },
};
