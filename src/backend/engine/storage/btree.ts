/**
 * An immutable (persistent) B+tree keyed by index keys.
 *
 * Every update copies only the nodes on the path from the root to the changed
 * leaf (O(log n) small arrays) and returns a new root; the old root stays a
 * valid, unchanging tree. That is what gives transactions their snapshots: a
 * transaction keeps the roots it started from, reads them while others commit,
 * and old versions are reclaimed by the garbage collector once no transaction
 * holds them.
 *
 * Layout: leaves hold sorted entries; a branch holds children and `seps`,
 * where seps[i] (i >= 1) is a lower bound of every key in children[i] and an
 * upper (exclusive) bound of every key in children[i - 1]. seps[0] is unused.
 * Deletions may leave nodes under-full; a child that shrinks below a quarter
 * is merged into a neighbour when the two fit in one node.
 *
 * Transient updates: a transaction writing thousands of documents would copy
 * the same few nodes over and over. Updates take an `owner` token; nodes
 * created under that token are changed in place by later updates with the
 * same token instead of being copied. The token holder must switch to a new
 * token before any version it produced is shared (a snapshot, a savepoint,
 * an open cursor, a commit) — after that, those nodes are immutable again.
 */
import { compareKeys, type MaybeValue } from "../values/compare.ts";

export type Key = readonly MaybeValue[];
export type Entry<V> = { readonly key: Key; readonly value: V };

/** Identifies one run of transient updates (see the file comment). */
export type Owner = object;

type Leaf<V> = { readonly leaf: true; entries: Entry<V>[]; readonly owner: Owner | null };
type Branch<V> = { readonly leaf: false; children: Node<V>[]; seps: Key[]; readonly owner: Owner | null };
type Node<V> = Leaf<V> | Branch<V>;

/** Node fan-out: big enough for shallow trees, small enough that copying a node is cheap. */
const MAX_NODE = 64;
const MIN_NODE = MAX_NODE / 4;

export type BTree<V> = { readonly root: Node<V>; readonly size: number };

export function emptyTree<V>(): BTree<V> {
  return { root: { leaf: true, entries: [], owner: null }, size: 0 };
}

/** A node `owner` may change in place: itself if it owns it, else a copy it owns. */
function writable<V>(node: Node<V>, owner: Owner | null): Node<V> {
  if (owner !== null && node.owner === owner) return node;
  return node.leaf
    ? { leaf: true, entries: node.entries.slice(), owner }
    : { leaf: false, children: node.children.slice(), seps: node.seps.slice(), owner };
}

/** Index of the child of `branch` whose key range contains `key`. */
function childFor<V>(branch: Branch<V>, key: Key): number {
  let lo = 1;
  let hi = branch.children.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (compareKeys(branch.seps[mid], key) <= 0) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** Position of `key` in a leaf: [index, exact match]. */
function leafPosition<V>(entries: readonly Entry<V>[], key: Key): [number, boolean] {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const c = compareKeys(entries[mid].key, key);
    if (c === 0) return [mid, true];
    if (c < 0) lo = mid + 1;
    else hi = mid;
  }
  return [lo, false];
}

export function get<V>(tree: BTree<V>, key: Key): V | undefined {
  let node = tree.root;
  while (!node.leaf) node = node.children[childFor(node, key)];
  const [i, found] = leafPosition(node.entries, key);
  return found ? node.entries[i].value : undefined;
}

/** Leaves and branches built in bulk are this full, leaving room for inserts before they split. */
const BULK_FILL = (MAX_NODE * 3) / 4;

/** Splits `items` into runs of about BULK_FILL (none shorter than MIN_NODE unless all are). */
function chunks<T>(items: readonly T[]): T[][] {
  const count = Math.max(1, Math.ceil(items.length / BULK_FILL));
  const out: T[][] = [];
  for (let i = 0; i < count; i++) {
    out.push(items.slice(Math.floor((i * items.length) / count), Math.floor(((i + 1) * items.length) / count)));
  }
  return out;
}

/**
 * A tree holding `entries`, which must be sorted by key with no duplicates
 * (a restart loads whole indexes this way: sort once, then build bottom-up,
 * instead of one insert per document).
 */
export function buildTree<V>(entries: readonly Entry<V>[]): BTree<V> {
  if (entries.length === 0) return emptyTree();
  let level: { node: Node<V>; first: Key }[] = chunks(entries).map((run) => ({
    node: { leaf: true, entries: run, owner: null },
    first: run[0].key,
  }));
  while (level.length > 1) {
    level = chunks(level).map((run) => ({
      node: { leaf: false, children: run.map((c) => c.node), seps: run.map((c, i) => (i === 0 ? [] : c.first)), owner: null },
      first: run[0].first,
    }));
  }
  return { root: level[0].node, size: entries.length };
}

type InsertResult<V> = { node: Node<V>; split?: { right: Node<V>; sep: Key }; added: boolean };

function insertInto<V>(node: Node<V>, key: Key, value: V, owner: Owner | null): InsertResult<V> {
  if (node.leaf) {
    const [i, found] = leafPosition(node.entries, key);
    const copy = writable(node, owner) as Leaf<V>;
    if (found) {
      copy.entries[i] = { key, value };
      return { node: copy, added: false };
    }
    copy.entries.splice(i, 0, { key, value });
    if (copy.entries.length <= MAX_NODE) return { node: copy, added: true };
    const mid = copy.entries.length >> 1;
    const right: Leaf<V> = { leaf: true, entries: copy.entries.slice(mid), owner };
    copy.entries.length = mid;
    return { node: copy, split: { right, sep: right.entries[0].key }, added: true };
  }
  const c = childFor(node, key);
  const result = insertInto(node.children[c], key, value, owner);
  const copy = writable(node, owner) as Branch<V>;
  copy.children[c] = result.node;
  if (result.split) {
    copy.children.splice(c + 1, 0, result.split.right);
    copy.seps.splice(c + 1, 0, result.split.sep);
  }
  if (copy.children.length <= MAX_NODE) return { node: copy, added: result.added };
  const mid = copy.children.length >> 1;
  const right: Branch<V> = { leaf: false, children: copy.children.slice(mid), seps: copy.seps.slice(mid), owner };
  const sep = copy.seps[mid];
  copy.children.length = mid;
  copy.seps.length = mid;
  return { node: copy, split: { right, sep }, added: result.added };
}

/** Inserts or replaces the entry for `key`. */
export function insert<V>(tree: BTree<V>, key: Key, value: V, owner: Owner | null = null): BTree<V> {
  const result = insertInto(tree.root, key, value, owner);
  const size = tree.size + (result.added ? 1 : 0);
  if (!result.split) return { root: result.node, size };
  return {
    root: { leaf: false, children: [result.node, result.split.right], seps: [[], result.split.sep], owner },
    size,
  };
}

function nodeSize<V>(node: Node<V>): number {
  return node.leaf ? node.entries.length : node.children.length;
}

function mergeNodes<V>(left: Node<V>, right: Node<V>, sep: Key, owner: Owner | null): Node<V> {
  if (left.leaf && right.leaf) return { leaf: true, entries: left.entries.concat(right.entries), owner };
  const l = left as Branch<V>;
  const r = right as Branch<V>;
  return { leaf: false, children: l.children.concat(r.children), seps: l.seps.concat([sep], r.seps.slice(1)), owner };
}

/** Returns the new node (null when it became empty), or undefined when `key` was absent. */
function removeFrom<V>(node: Node<V>, key: Key, owner: Owner | null): Node<V> | null | undefined {
  if (node.leaf) {
    const [i, found] = leafPosition(node.entries, key);
    if (!found) return undefined;
    if (node.entries.length === 1) return null;
    const copy = writable(node, owner) as Leaf<V>;
    copy.entries.splice(i, 1);
    return copy;
  }
  const c = childFor(node, key);
  const child = removeFrom(node.children[c], key, owner);
  if (child === undefined) return undefined;
  const copy = writable(node, owner) as Branch<V>;
  const { children, seps } = copy;
  if (child === null) {
    children.splice(c, 1);
    seps.splice(c, 1);
    return children.length === 0 ? null : copy;
  }
  children[c] = child;
  if (nodeSize(child) < MIN_NODE && children.length > 1) {
    // Merge with a neighbour when both fit in one node; otherwise leave it under-full.
    const left = c > 0 ? c - 1 : c;
    const right = left + 1;
    if (nodeSize(children[left]) + nodeSize(children[right]) <= MAX_NODE) {
      children.splice(left, 2, mergeNodes(children[left], children[right], seps[right], owner));
      seps.splice(right, 1);
    }
  }
  return copy;
}

export function remove<V>(tree: BTree<V>, key: Key, owner: Owner | null = null): BTree<V> {
  const result = removeFrom(tree.root, key, owner);
  if (result === undefined) return tree;
  if (result === null) return emptyTree();
  let root = result;
  while (!root.leaf && root.children.length === 1) root = root.children[0];
  return { root, size: tree.size - 1 };
}

/**
 * Walks entries in key order starting at the first entry for which `pred` is
 * true (ascending; `pred` must be false…false,true…true over the keys) or the
 * last entry for which it is true (descending; true…true,false…false).
 * The cursor holds only immutable nodes, so it stays valid forever.
 */
export class TreeCursor<V> {
  private readonly stack: { node: Node<V>; index: number }[] = [];

  constructor(
    tree: BTree<V>,
    private readonly descending: boolean,
    pred: (key: Key) => boolean,
  ) {
    let node = tree.root;
    for (;;) {
      if (node.leaf) {
        const index = this.descending ? lastTrue(node.entries, pred) : firstTrue(node.entries, pred);
        this.stack.push({ node, index: this.descending ? index : index - 1 });
        return;
      }
      const c = this.descending ? branchForLastTrue(node, pred) : branchForFirstTrue(node, pred);
      this.stack.push({ node, index: c });
      node = node.children[c];
    }
  }

  /** The next entry in walk order, or null at the end of the tree. */
  next(): Entry<V> | null {
    const step = this.descending ? -1 : 1;
    for (;;) {
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return null;
      if (top.node.leaf) {
        // For descending walks the leaf frame's index points at the next entry to return.
        if (this.descending) {
          if (top.index >= 0) return top.node.entries[top.index--];
        } else if (++top.index < top.node.entries.length) {
          return top.node.entries[top.index];
        }
        this.stack.pop();
        continue;
      }
      top.index += step;
      if (top.index < 0 || top.index >= top.node.children.length) {
        this.stack.pop();
        continue;
      }
      this.descendEdge(top.node.children[top.index]);
    }
  }

  private descendEdge(start: Node<V>): void {
    let node = start;
    while (!node.leaf) {
      const index = this.descending ? node.children.length - 1 : 0;
      this.stack.push({ node, index });
      node = node.children[index];
    }
    this.stack.push({ node, index: this.descending ? node.entries.length - 1 : -1 });
  }
}

function firstTrue<V>(entries: readonly Entry<V>[], pred: (key: Key) => boolean): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(entries[mid].key)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function lastTrue<V>(entries: readonly Entry<V>[], pred: (key: Key) => boolean): number {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (pred(entries[mid].key)) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/** The child holding the first key satisfying `pred`: the last child whose lower bound fails it. */
function branchForFirstTrue<V>(branch: Branch<V>, pred: (key: Key) => boolean): number {
  let lo = 1;
  let hi = branch.children.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (!pred(branch.seps[mid])) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

/** The child holding the last key satisfying `pred`: the last child whose lower bound satisfies it. */
function branchForLastTrue<V>(branch: Branch<V>, pred: (key: Key) => boolean): number {
  let lo = 1;
  let hi = branch.children.length - 1;
  let found = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (pred(branch.seps[mid])) {
      found = mid;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}
