// (b) and (c): mutation → subscription latency on passive receivers. One
// lean writer (src/load/sync/leanClient.ts) sets a cell to a fresh nonce;
// N raw subscribers (support/rawSubscriber.ts) watch bench:read of that
// cell. A sample is the time from just before mutation() until the LAST of
// the N receivers has a frame carrying the nonce. An update some receiver
// never sees within the wait is a lost sample, and its missing receivers are
// lost deliveries — counted, never averaged away.
import { randomBytes } from "node:crypto";
import { LeanClient } from "../../src/load/sync/leanClient.ts";
import { cpuSecondsOf } from "../support/processes.ts";
import { openSubscribers, RawSubscriber } from "../support/rawSubscriber.ts";
import { microsBetween, sample, type Budget, type Probe, type Sampled } from "../support/timing.ts";

// Far above the 100 ms target: a sample this late is counted as lost, not waited for.
const DELIVERY_WAIT_MS = 5_000;
// Connects in flight at once while opening receivers.
const CONNECT_CONCURRENCY = 100;
const FIRST_RESULT_TIMEOUT_MS = 30_000;

export type Server = { readonly url: string; readonly pid: number };

export type Fanout = {
  readonly probe: Probe;
  /** Receivers that missed an update, summed over lost samples. */
  lostDeliveries(): number;
  close(): Promise<void>;
};

export async function openFanout(server: Server, receivers: number): Promise<Fanout> {
  const { url } = server;
  const cell = `fanout-${receivers}-${randomBytes(4).toString("hex")}`;
  const writer = new LeanClient({ url, token: null, epochMicros: () => Math.round((performance.timeOrigin + performance.now()) * 1000) });
  let subscribers: RawSubscriber[] = [];
  const close = async () => {
    for (const subscriber of subscribers) subscriber.close();
    await writer.close();
  };
  try {
    await writer.mutation("bench:bump", { name: cell, value: "initial" });
    subscribers = await openSubscribers(receivers, CONNECT_CONCURRENCY, () =>
      RawSubscriber.open(url, "bench:read", { name: cell }, FIRST_RESULT_TIMEOUT_MS),
    );
  } catch (error) {
    await close();
    throw error;
  }

  // One probe state shared by every receiver: the nonce looked for, and who has seen it.
  let marker = Buffer.alloc(0);
  let iteration = -1;
  let remaining = 0;
  let lastSeenAt = 0;
  let allSeen: () => void = () => {};
  let lostDeliveries = 0;
  const seenIn = new Int32Array(receivers).fill(-1);
  subscribers.forEach((subscriber, index) => {
    subscriber.onFrame = (frame) => {
      if (seenIn[index] === iteration || !frame.includes(marker)) return;
      seenIn[index] = iteration;
      if (--remaining === 0) {
        lastSeenAt = performance.now();
        allSeen();
      }
    };
  });

  const probe: Probe = async (index) => {
    const nonce = `${cell}-${index}-${randomBytes(3).toString("hex")}`;
    marker = Buffer.from(`"${nonce}"`);
    iteration = index;
    remaining = receivers;
    let timer: NodeJS.Timeout | undefined;
    const delivered = new Promise<boolean>((resolve) => {
      allSeen = () => resolve(true);
      timer = setTimeout(() => resolve(false), DELIVERY_WAIT_MS);
    });
    const started = performance.now();
    const written = writer.mutation("bench:bump", { name: cell, value: nonce });
    const complete = await delivered;
    clearTimeout(timer);
    await written;
    if (complete) return microsBetween(started, lastSeenAt);
    lostDeliveries += remaining;
    return null;
  };
  return { probe, lostDeliveries: () => lostDeliveries, close };
}

export type FanoutResult = Sampled & {
  readonly receivers: number;
  readonly lostDeliveries: number;
  /** Cores' worth of CPU each side used while sampling: shows which side was the bottleneck. */
  readonly serverCores: number;
  readonly loadSideCores: number;
};

/** A fan-out measured on its own, with the CPU both processes spent meanwhile. */
export async function measureFanout(server: Server, receivers: number, budget: Budget): Promise<FanoutResult> {
  const fanout = await openFanout(server, receivers);
  try {
    const wallStarted = performance.now();
    const serverCpuStarted = await cpuSecondsOf(server.pid);
    const loadCpuStarted = process.cpuUsage();
    const sampled = await sample(budget, fanout.probe);
    const wallSeconds = (performance.now() - wallStarted) / 1000;
    const loadCpu = process.cpuUsage(loadCpuStarted);
    return {
      ...sampled,
      receivers,
      lostDeliveries: fanout.lostDeliveries(),
      serverCores: ((await cpuSecondsOf(server.pid)) - serverCpuStarted) / wallSeconds,
      loadSideCores: (loadCpu.user + loadCpu.system) / 1e6 / wallSeconds,
    };
  } finally {
    await fanout.close();
  }
}
