// One immutable version of the whole database: for every table, one
// persistent B+tree per index, all holding the same document records. A
// change produces a new DbState that shares everything it did not touch, so
// keeping an old DbState around is how a transaction keeps its snapshot.
import { convexToJson } from "convex/values";
import { compareKeys } from "../values/compare.ts";
import type { DocumentValue } from "../values/documents.ts";
import { buildTree, emptyTree, get, insert, remove, type BTree, type Entry, type Owner } from "./btree.ts";
import { BY_ID, indexKey } from "./indexKeys.ts";
import type { TableInfo } from "./tables.ts";

/** A stored document version. Never mutated once stored. */
export type StoredDoc = {
  readonly id: string;
  readonly table: string;
  /** The whole document, `_id` and `_creationTime` included. */
  readonly value: DocumentValue;
  /** getConvexSize of `value`, as Convex counts bytes read and written. */
  readonly size: number;
};

const jsonCache = new WeakMap<StoredDoc, string>();

/**
 * The document as the JSON text syscalls return. `remember`: keep the text
 * for the next reader. Queries should: subscriptions re-run them over the
 * same documents (a game, its published count, a chat page). A mutation
 * mostly reads what it is about to replace (a heartbeat reads its session
 * and patches it), and text kept for a replaced document lives on with it
 * until the old generation is collected: at 10,000 viewers, a tenth of all
 * the server promoted.
 */
export function docJsonText(doc: StoredDoc, remember = true): string {
  const cached = jsonCache.get(doc);
  if (cached !== undefined) return cached;
  const text = JSON.stringify(convexToJson(doc.value));
  if (remember) jsonCache.set(doc, text);
  return text;
}

/** One table's index trees; `owner` may change `trees` in place (see btree.ts "Transient updates"). */
type TableState = { readonly trees: Map<string, BTree<StoredDoc>>; readonly owner: Owner | null };

export class DbState {
  static empty(): DbState {
    return new DbState(new Map(), null);
  }

  /**
   * A state holding exactly `tables`' documents (a restart's bulk load):
   * each index is sorted once and built bottom-up. Throws on two documents
   * with one id.
   */
  static build(tables: Iterable<readonly [TableInfo, readonly StoredDoc[]]>): DbState {
    const out = new Map<string, TableState>();
    for (const [info, docs] of tables) {
      if (docs.length === 0) continue;
      const trees = new Map<string, BTree<StoredDoc>>();
      for (const index of info.indexes) {
        const entries: Entry<StoredDoc>[] = docs.map((doc) => ({ key: indexKey(index, doc.value), value: doc }));
        entries.sort((a, b) => compareKeys(a.key, b.key));
        // Every key ends with _id, so a repeated key anywhere means a repeated id: checking by_id suffices.
        for (let i = 1; index.name === BY_ID && i < entries.length; i++) {
          if (compareKeys(entries[i - 1].key, entries[i].key) === 0) throw new Error(`Duplicate document ${entries[i].value.id} in table "${info.name}"`);
        }
        trees.set(index.name, buildTree(entries));
      }
      out.set(info.name, { trees, owner: null });
    }
    return new DbState(out, null);
  }

  private constructor(
    private readonly tables: Map<string, TableState>,
    private readonly owner: Owner | null,
  ) {}

  /** The tree of one index; undefined when the table has no documents yet. */
  tree(table: string, index: string): BTree<StoredDoc> | undefined {
    return this.tables.get(table)?.trees.get(index);
  }

  getDoc(table: string, id: string): StoredDoc | null {
    const tree = this.tree(table, BY_ID);
    return (tree && get(tree, [id])) ?? null;
  }

  count(table: string): number {
    return this.tree(table, BY_ID)?.size ?? 0;
  }

  /**
   * The state with `before` replaced by `after` (either may be null: insert /
   * delete). With an `owner`, parts that owner created earlier are updated in
   * place; everything else is copied on write, so other holders never see a change.
   */
  withChange(info: TableInfo, before: StoredDoc | null, after: StoredDoc | null, owner: Owner | null = null): DbState {
    const state = owner !== null && this.owner === owner ? this : new DbState(new Map(this.tables), owner);
    const current = state.tables.get(info.name);
    let table = current;
    if (table === undefined || owner === null || table.owner !== owner) {
      table = { trees: new Map(current?.trees), owner };
      state.tables.set(info.name, table);
    }
    for (const index of info.indexes) {
      let tree = table.trees.get(index.name) ?? emptyTree<StoredDoc>();
      const oldKey = before ? indexKey(index, before.value) : null;
      const newKey = after ? indexKey(index, after.value) : null;
      if (oldKey && !(newKey && compareKeys(oldKey, newKey) === 0)) tree = remove(tree, oldKey, owner);
      if (newKey && after) tree = insert(tree, newKey, after, owner);
      table.trees.set(index.name, tree);
    }
    return state;
  }
}
