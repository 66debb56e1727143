// Who runs what when one run is split over machines (`--shard i/N`, one
// `simulate` per machine, nothing exchanged between them) and, on each
// machine, over its load processes (`--workers W`, which exchange acknowledged
// writes at the end of the run through their coordinator).
//
// A chat delivery can only be accounted where the writer's acknowledgement
// and the receiver's sighting meet — on one machine — and latency may only
// compare one machine's clock with itself. So the GAME is the unit of
// sharding:
//
//   games ≥ shards   game g belongs to shard g mod N alone. Every writer and
//                    every viewer of g runs on that machine, so N merged
//                    shard reports count exactly what one unsharded run
//                    counts (messages, expected and lost deliveries).
//   games < shards   game g is shared by the shards s with s mod games = g
//                    (k of them). Each takes every k-th of g's viewers and
//                    writers and 1/k of its rate, and holds its receivers to
//                    its own writes only (the other shards' messages are in
//                    the same chat, but carry another run id and are not
//                    timed). The backend carries the whole game's traffic —
//                    including the chat page window, which turns over at the
//                    game's full rate, as in an unsharded run — while each
//                    shard measures the part it can see both ends of.
//
// Within a machine, the processes serving a game split its viewers and
// writers round-robin (viewer v is the ⌊v / games⌋-th viewer of game
// v mod games). Items without a game (progress-sync's updaters) are dealt
// over every process of every shard. Every item runs in exactly one process.
import type { Slice } from "./scenario.ts";
import { inSlice } from "./scenario.ts";

export class Partition {
  private readonly workers: number;
  private readonly worker: number;
  /** Shards and games pair up modulo this: min(games, shards). */
  private readonly span: number;

  /**
   * @param games   --games of the run
   * @param slice   this process among all processes of all shards (shard·W + w of N·W)
   * @param shard   this machine's shard, 0-based
   */
  constructor(
    private readonly games: number,
    private readonly slice: Slice,
    private readonly shard: Slice,
  ) {
    this.workers = slice.count / shard.count;
    this.worker = slice.index - shard.index * this.workers;
    if (!Number.isInteger(this.workers) || this.worker < 0 || this.worker >= this.workers) {
      throw new Error(`process slice ${slice.index}/${slice.count} does not belong to shard ${shard.index}/${shard.count}`);
    }
    this.span = Math.max(1, Math.min(games, shard.count));
  }

  /** How many shards serve game g. */
  shardsOfGame(game: number): number {
    return Math.floor((this.shard.count - 1 - (game % this.span)) / this.span) + 1;
  }

  /** Whether this machine serves game g at all. */
  servesGame(game: number): boolean {
    return this.shard.index % this.span === game % this.span;
  }

  /** This process's place among every process (of every shard) serving game g; null when it serves none of g. */
  gameSlot(game: number): Slice | null {
    if (!this.servesGame(game)) return null;
    const rank = Math.floor(this.shard.index / this.span);
    return { index: rank * this.workers + this.worker, count: this.shardsOfGame(game) * this.workers };
  }

  /** Viewer v watches game v mod games; it runs here when its place in that game's audience falls to this process. */
  ownsViewer(viewer: number): boolean {
    const slot = this.gameSlot(viewer % this.games);
    return slot !== null && inSlice(Math.floor(viewer / this.games), slot);
  }

  /** Writer w (0-based within its game) of game g. */
  ownsWriter(game: number, writer: number): boolean {
    const slot = this.gameSlot(game);
    return slot !== null && inSlice(writer, slot);
  }

  /** Items that belong to no game (progress-sync's updaters), dealt over every process of the run. */
  ownsItem(item: number): boolean {
    return inSlice(item, this.slice);
  }
}

/**
 * The key every machine of a run derives alike, without talking to the
 * others: seeded games and titles are found by it (convex/seed.ts), so
 * shards share them. Runs with another --seed get games of their own.
 */
export function runKey(scenario: string, seed: number): string {
  return `${scenario}.seed-${seed}`;
}

/** The report note of a shard run: what this shard ran and what its figures cover. */
export function shardNote(games: number, shard: Slice): string {
  const partition = new Partition(games, { index: shard.index, count: shard.count }, shard);
  const human = `shard ${shard.index + 1} of ${shard.count}`;
  let part: string;
  if (games >= shard.count) {
    const mine = Array.from({ length: games }, (_, g) => g).filter((g) => partition.servesGame(g));
    part = `it ran ${mine.length} of the ${games} games (game ${mine.map((g) => g + 1).join(", ")}) with all their viewers and writers`;
  } else {
    const game = shard.index % games;
    const sharing = partition.shardsOfGame(game);
    part = `it shared game ${game + 1} with ${sharing - 1} other shard(s) and ran 1/${sharing} of its viewers and writers`;
  }
  return `${human}: ${part}; latency and deliveries are measured only between this shard's own writers and receivers (merge the ${shard.count} shard reports with csn-rt report merge)`;
}
