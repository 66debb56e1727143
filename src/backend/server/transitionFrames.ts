// One Transition frame for many connections. A fan-out sends one new result
// to thousands of viewers, and nearly all of them are in the same state: the
// same last-sent version, the same query id, the same end version. Building
// that frame (and its end StateVersion) once per distinct state instead of
// once per viewer keeps a fan-out's garbage from growing with the audience —
// and every young-generation collection it would have caused is a pause
// that each heartbeat in flight waits for.
//
// Only single-modification Transitions are shared; anything else (several
// queries changed, removals) is rare enough to build per connection.
import { encodeTransitionFrame, type StateVersion } from "../../protocol/sync/index.ts";

export type SharedTransition = {
  readonly start: StateVersion;
  readonly end: StateVersion;
  readonly modification: string;
  readonly frame: string;
};

// A slice of fan-out meets a few distinct states at most (the viewers who sent
// a mutation since the last Transition are a step ahead); more would only
// lengthen the search.
const REMEMBERED = 4;
// Larger results (a long chat history page) are built per connection rather
// than kept alive here until four other frames push them out.
const MAX_REMEMBERED_CHARS = 64 * 1024;

export class TransitionFrames {
  private readonly recent: (SharedTransition | null)[] = new Array<SharedTransition | null>(REMEMBERED).fill(null);
  private oldest = 0;

  /** The Transition from `start` to (querySet, identity, endTs) carrying `modification`, built once for every connection asking for the same. */
  single(start: StateVersion, querySet: number, identity: number, endTs: bigint, modification: string): SharedTransition {
    for (const shared of this.recent) {
      if (
        shared !== null &&
        shared.end.ts === endTs &&
        shared.end.querySet === querySet &&
        shared.end.identity === identity &&
        sameVersion(shared.start, start) &&
        shared.modification === modification
      ) {
        return shared;
      }
    }
    const end: StateVersion = { querySet, identity, ts: endTs };
    const built: SharedTransition = { start, end, modification, frame: encodeTransitionFrame(start, end, [modification]) };
    if (modification.length > MAX_REMEMBERED_CHARS) return built;
    this.recent[this.oldest] = built;
    this.oldest = (this.oldest + 1) % REMEMBERED;
    return built;
  }
}

function sameVersion(a: StateVersion, b: StateVersion): boolean {
  return a === b || (a.ts === b.ts && a.querySet === b.querySet && a.identity === b.identity);
}
