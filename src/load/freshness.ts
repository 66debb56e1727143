// How quickly a change of the viewer count reaches the screens that show it.
// A count is just a number: a join and a leave in the same second publish
// the number it already was, and a publication read at the server's latest
// timestamp may not yet include a join committed a moment before that
// timestamp. So the backend says what each change and each publication is:
// a join or leave returns the change it made, {shard, version}, and the
// publication a probe subscribes to lists the shard versions it includes
// (convex/lib/viewerCounts.ts). A change reached a probe with the first
// publication whose covers[shard] >= version. Latency is from the change's
// intended time.
import type { CountChange } from "../../convex/lib/viewerCounts.ts";
import type { MetricsRecorder } from "../metrics/recorder.ts";
import type { LatencyMetric } from "../metrics/metricNames.ts";
import type { ClientKind } from "./virtualClient.ts";

type Change = { version: number; intendedUs: number };
type Sighting = { covers: readonly number[]; atUs: number };

// Publications a probe remembers, newest last: a change whose mutation
// answered only after a probe already showed it is timed from these. About
// one publication a second, so a mutation answered this many seconds late is
// no longer timed at all.
const SIGHTINGS_KEPT = 16;

export class FreshnessProbe {
  /** The publications this probe received, oldest first; the first one it ever got stays first until dropped for space. */
  readonly sightings: Sighting[] = [];
  constructor(readonly kind: ClientKind) {}

  get latest(): Sighting | undefined {
    return this.sightings[this.sightings.length - 1];
  }
}

/** One game's changes made by this process, and the probes watching that game's publications. */
export class FreshnessTracker {
  /** Per shard, the changes sorted by version. */
  private readonly changes = new Map<number, Change[]>();
  private readonly probes: FreshnessProbe[] = [];

  constructor(
    private readonly metric: LatencyMetric,
    private readonly metrics: MetricsRecorder,
  ) {}

  addProbe(kind: ClientKind): FreshnessProbe {
    const probe = new FreshnessProbe(kind);
    this.probes.push(probe);
    return probe;
  }

  /** A change this process made, intended at `intendedUs`. */
  changed(change: CountChange, intendedUs: number): void {
    // Mutations answer out of order across clients; keep each shard's list sorted.
    const list = this.changes.get(change.shard) ?? [];
    this.changes.set(change.shard, list);
    list.splice(this.firstAbove(list, change.version), 0, { version: change.version, intendedUs });
    for (const probe of this.probes) {
      const latest = probe.latest;
      // Not on that screen yet: observed() times it when it is.
      if (latest === undefined || latest.covers[change.shard] < change.version) continue;
      const first = probe.sightings.findIndex((s) => s.covers[change.shard] >= change.version);
      // In the probe's first result (not its to see), or older than what it remembers (unknown): not timed.
      if (first > 0) this.metrics.record(this.metric, probe.sightings[first].atUs - intendedUs, probe.kind);
    }
  }

  /**
   * A probe received a publication covering `covers` at `receivedAtUs`: every
   * change past its previous publication and within these covers reached it
   * now. The changes in a probe's first publication are not its to see.
   */
  observed(probe: FreshnessProbe, covers: readonly number[], receivedAtUs: number): void {
    const previous = probe.latest;
    probe.sightings.push({ covers, atUs: receivedAtUs });
    if (probe.sightings.length > SIGHTINGS_KEPT) probe.sightings.shift();
    if (previous === undefined) return;
    for (const [shard, list] of this.changes) {
      const upTo = covers[shard] ?? 0;
      for (let i = this.firstAbove(list, previous.covers[shard] ?? 0); i < list.length && list[i].version <= upTo; i++) {
        this.metrics.record(this.metric, receivedAtUs - list[i].intendedUs, probe.kind);
      }
    }
  }

  private firstAbove(list: Change[], version: number): number {
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid].version <= version) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
