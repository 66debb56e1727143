import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { buildTree, emptyTree, get, insert, remove, TreeCursor, type BTree, type Owner } from "../../../src/backend/engine/storage/btree.ts";
import { comparePrefix } from "../../../src/backend/engine/values/compare.ts";
import { decodeId, encodeId, newId } from "../../../src/backend/engine/values/ids.ts";

function entries(tree: BTree<number>, descending = false): number[] {
  const cursor = new TreeCursor(tree, descending, () => true);
  const out: number[] = [];
  for (let e = cursor.next(); e !== null; e = cursor.next()) out.push(e.key[0] as number);
  return out;
}

describe("the persistent B+tree", () => {
  it("agrees with a sorted array under random inserts, deletes and seeks, in place or copied", () => {
    const op = fc.record({ key: fc.integer({ min: 0, max: 400 }), insert: fc.boolean(), freeze: fc.boolean() });
    fc.assert(
      fc.property(fc.array(op, { minLength: 1, maxLength: 600 }), fc.integer({ min: 0, max: 400 }), (ops, seek) => {
        let tree: BTree<number> = emptyTree();
        let owner: Owner = {};
        const model = new Set<number>();
        const snapshots: [BTree<number>, number[]][] = [];
        for (const { key, insert: add, freeze } of ops) {
          tree = add ? insert(tree, [key], key, owner) : remove(tree, [key], owner);
          if (add) model.add(key);
          else model.delete(key);
          if (freeze) {
            // A frozen version must never change again, whatever happens next.
            owner = {};
            snapshots.push([tree, [...model].sort((a, b) => a - b)]);
          }
        }
        const sorted = [...model].sort((a, b) => a - b);
        expect(tree.size).toBe(sorted.length);
        expect(entries(tree)).toEqual(sorted);
        expect(entries(tree, true)).toEqual([...sorted].reverse());
        for (const [snapshot, expected] of snapshots) expect(entries(snapshot)).toEqual(expected);
        for (const key of [seek, seek + 1]) expect(get(tree, [key])).toBe(model.has(key) ? key : undefined);
        const from = new TreeCursor(tree, false, (k) => comparePrefix(k, [seek]) >= 0).next();
        expect(from?.key[0] ?? null).toBe(sorted.find((k) => k >= seek) ?? null);
        const below = new TreeCursor(tree, true, (k) => comparePrefix(k, [seek]) < 0).next();
        expect(below?.key[0] ?? null).toBe([...sorted].reverse().find((k) => k < seek) ?? null);
      }),
      { numRuns: 150 },
    );
  });

  it("builds from sorted entries a tree that reads, inserts and deletes like one built by inserts", () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 5000 }), { maxLength: 3000 }),
        fc.array(fc.record({ key: fc.integer({ min: 0, max: 5000 }), insert: fc.boolean() }), { maxLength: 200 }),
        (initial, ops) => {
          const sorted = [...initial].sort((a, b) => a - b);
          let tree = buildTree(sorted.map((key) => ({ key: [key], value: key })));
          const model = new Set(sorted);
          expect(tree.size).toBe(sorted.length);
          expect(entries(tree)).toEqual(sorted);
          for (const { key, insert: add } of ops) {
            tree = add ? insert(tree, [key], key) : remove(tree, [key]);
            if (add) model.add(key);
            else model.delete(key);
          }
          const expected = [...model].sort((a, b) => a - b);
          expect(tree.size).toBe(expected.length);
          expect(entries(tree)).toEqual(expected);
          expect(entries(tree, true)).toEqual([...expected].reverse());
          for (const key of ops.map((op) => op.key)) expect(get(tree, [key])).toBe(model.has(key) ? key : undefined);
        },
      ),
      { numRuns: 100 },
    );
  });

  it("keeps inserts fast at 50,000 keys", () => {
    let tree: BTree<number> = emptyTree();
    const owner = {};
    const started = performance.now();
    for (let i = 0; i < 50_000; i++) tree = insert(tree, [Math.random(), i], i, owner);
    expect(tree.size).toBe(50_000);
    expect(performance.now() - started).toBeLessThan(5_000);
  });
});

describe("document ids", () => {
  it("encode exactly like Convex's (the test vector from convex-backend id_v6.rs)", () => {
    const internal = new Uint8Array(16);
    internal[0] = 251;
    for (let i = 1; i < 16; i++) internal[i] = (internal[i - 1] * 251) & 0xff;
    expect(encodeId(1017, internal)).toBe("z43zp6c3e75gkmz1kfwj6mbbx5sw281h");
  });

  it("carry their table number and reject corrupted spellings", () => {
    const id = newId(10001);
    expect(id).toHaveLength(32);
    expect(decodeId(id)?.tableNumber).toBe(10001);
    const corrupted = id.slice(0, 10) + (id[10] === "a" ? "b" : "a") + id.slice(11);
    expect(decodeId(corrupted)).toBeNull();
    expect(decodeId("not-an-id")).toBeNull();
  });

  it("have one spelling: an id whose unused trailing bits are set is not an id", () => {
    // Table 1 ids are 19 bytes: 31 characters carry 155 bits, so the last character has 3 spare bits.
    const id = newId(1);
    expect(id).toHaveLength(31);
    const last = "0123456789abcdefghjkmnpqrstvwxyz".indexOf(id[30]);
    for (let spare = 1; spare < 8; spare++) {
      const variant = id.slice(0, 30) + "0123456789abcdefghjkmnpqrstvwxyz"[last | spare];
      if (variant !== id) expect(decodeId(variant)).toBeNull();
    }
    expect(decodeId(id)?.tableNumber).toBe(1);
    expect(decodeId(id + "0")).toBeNull();
  });
});
