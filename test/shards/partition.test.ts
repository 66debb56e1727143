// The partition of a run over shards (machines) and load processes: every
// viewer, writer and updater runs exactly once; a game's writers and
// receivers stay on one machine whenever there are at least as many games
// as shards; and the shares of a game's rate add up to its whole rate.
import fc from "fast-check";
import { describe, expect, test } from "vitest";
import { Partition, shardNote } from "../../src/scenarios/partition.ts";

/** Every process of a run: shard s, worker w → its Partition. */
function processes(games: number, shards: number, workers: number) {
  return Array.from({ length: shards * workers }, (_, index) => {
    const shard = Math.floor(index / workers);
    return { shard, partition: new Partition(games, { index, count: shards * workers }, { index: shard, count: shards }) };
  });
}

const layout = fc.record({
  games: fc.integer({ min: 1, max: 7 }),
  shards: fc.integer({ min: 1, max: 9 }),
  workers: fc.integer({ min: 1, max: 4 }),
  viewers: fc.integer({ min: 0, max: 60 }),
  writers: fc.integer({ min: 1, max: 9 }),
});

describe("partition of a run over shards and load processes", () => {
  test("every viewer, writer and game-less item runs in exactly one process", () => {
    fc.assert(
      fc.property(layout, ({ games, shards, workers, viewers, writers }) => {
        const all = processes(games, shards, workers);
        for (let v = 0; v < viewers; v++) expect(all.filter((p) => p.partition.ownsViewer(v))).toHaveLength(1);
        for (let g = 0; g < games; g++) {
          for (let w = 0; w < writers; w++) expect(all.filter((p) => p.partition.ownsWriter(g, w))).toHaveLength(1);
        }
        for (let u = 0; u < viewers; u++) expect(all.filter((p) => p.partition.ownsItem(u))).toHaveLength(1);
      }),
    );
  });

  test("with at least as many games as shards, a game's viewers and writers are all on one machine", () => {
    fc.assert(
      fc.property(layout, ({ games, shards, workers, viewers, writers }) => {
        fc.pre(games >= shards);
        const all = processes(games, shards, workers);
        for (let g = 0; g < games; g++) {
          const machines = new Set<number>();
          for (let v = g; v < viewers; v += games) machines.add(all.find((p) => p.partition.ownsViewer(v))!.shard);
          for (let w = 0; w < writers; w++) machines.add(all.find((p) => p.partition.ownsWriter(g, w))!.shard);
          expect(machines).toEqual(new Set([g % shards]));
        }
      }),
    );
  });

  test("with fewer games than shards, every shard serves exactly one game and every game is served", () => {
    fc.assert(
      fc.property(layout, ({ games, shards, workers }) => {
        fc.pre(games < shards);
        const all = processes(games, shards, workers);
        for (const { partition } of all) {
          expect(Array.from({ length: games }, (_, g) => g).filter((g) => partition.servesGame(g))).toHaveLength(1);
        }
        for (let g = 0; g < games; g++) {
          const serving = new Set(all.filter((p) => p.partition.servesGame(g)).map((p) => p.shard));
          expect(serving.size).toBe(all[0].partition.shardsOfGame(g));
        }
      }),
    );
  });

  test("the processes serving a game send its whole chat rate between them, never more", () => {
    fc.assert(
      fc.property(layout, ({ games, shards, workers, writers }) => {
        const all = processes(games, shards, workers);
        for (let g = 0; g < games; g++) {
          // chatBurst: a process sends chatRate × (its writers of g) / writers.
          const shares = all.map((p) => Array.from({ length: writers }, (_, w) => w).filter((w) => p.partition.ownsWriter(g, w)).length / writers);
          expect(shares.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 9);
        }
      }),
    );
  });

  test("an unsharded run deals each game's audience round-robin over its processes", () => {
    const [first, second] = processes(2, 1, 2).map((p) => p.partition);
    // Viewer v watches game v mod 2 and is the ⌊v/2⌋-th viewer of it.
    expect([0, 1, 2, 3, 4, 5, 6, 7].filter((v) => first.ownsViewer(v))).toEqual([0, 1, 4, 5]);
    expect([0, 1, 2, 3, 4, 5, 6, 7].filter((v) => second.ownsViewer(v))).toEqual([2, 3, 6, 7]);
  });

  test("a process slice that does not belong to its shard is a programming error", () => {
    expect(() => new Partition(2, { index: 5, count: 4 }, { index: 0, count: 2 })).toThrow(/does not belong to shard/);
  });

  test("a shard report's note says what the shard ran and what its figures cover", () => {
    expect(shardNote(4, { index: 1, count: 2 })).toMatch(/^shard 2 of 2: it ran 2 of the 4 games \(game 2, 4\) with all their viewers and writers; latency and deliveries are measured only between this shard's own writers and receivers/);
    expect(shardNote(1, { index: 2, count: 3 })).toMatch(/^shard 3 of 3: it shared game 1 with 2 other shard\(s\) and ran 1\/3 of its viewers and writers/);
  });
});
