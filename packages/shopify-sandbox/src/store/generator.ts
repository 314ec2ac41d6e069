// What a generator is: one entity of the store — the query root field it serves, its records, and
// its share of the ground truth. The store's roots, truth and mutations are all read from the list in
// generators.ts, so adding an entity is its generator module, its types in schema/store.graphql and
// one line in that list. Cross-references between entities (line item → variant) go through
// graph.ts, which an entity touches only when another one must point at it.
import type { StoreGraph } from './graph.ts';
import type { Args, Rec } from './model.ts';
import type { RootTimes } from './context.ts';
import { numericId } from './ids.ts';
import type { SearchFilter } from './search-filter.ts';

export interface EntityGenerator {
  /** The query root field it serves, e.g. 'orders'; a mutable generator's name too (size, mutate, ids). */
  readonly root: string;
  /** Bulk queries: the root connection's nodes, narrowed by its `query:` search filter and arguments. */
  nodes?(g: StoreGraph, filter: SearchFilter, args: Args): Iterable<Rec>;
  /** The fields its `query:` knows, when not ROOT_SEARCH_FIELDS (tender transactions: processed_at and id). */
  readonly searchFields?: readonly string[];
  /** Ordinary queries: the root field's value (the shop; the Shopify Payments account, null for a shop without one), or a function of its arguments (a page of staff members, or the error a shop's plan answers). */
  value?(g: StoreGraph): Record<string, unknown> | ((args: Args) => Rec) | null;
  /**
   * True when the shop's plan refuses the root to apps whatever scopes they hold (staff members off
   * Plus and Advanced): an ordinary query answers ACCESS_DENIED (value), a bulk query FAILS with it.
   */
  refused?(g: StoreGraph): boolean;
  /** Rows per ETL table its records make (every table named, 0 included), for roots updated in the window; snapshots count in full. */
  truth(g: StoreGraph, window: Window): Record<string, number>;
  /**
   * Roots with their own created/updated times, which mutate() touches and adds: how many a store
   * seeds by default, and the type and id space of their global ids. `counted: false`: Shopify offers
   * no `<root>Count`, so none is served; `'whole'`: Shopify's takes no search filter (pagesCount), so
   * the served one counts every record.
   */
  readonly mutable?: { readonly defaultSize: number; readonly gidType: string; readonly idBase: number; readonly counted?: false | 'whole' };
}

export interface Window {
  since?: Date;
  until?: Date;
}

/** The search fields every root's `query:` knows. */
export const DATE_FIELDS = ['updated_at', 'created_at'] as const;
/** A mutable root's `query:` also knows its numeric id (`id:>N AND id:<=M`). */
export const ROOT_SEARCH_FIELDS = [...DATE_FIELDS, 'id'] as const;

/** True when an updatedAt (epoch seconds) lies in [since, until). */
export function inWindow(window: Window, seconds: number): boolean {
  const ms = seconds * 1000;
  return (window.since === undefined || ms >= window.since.getTime()) && (window.until === undefined || ms < window.until.getTime());
}

export function matchesTimes(filter: SearchFilter): (t: { created: number; updated: number }) => boolean {
  return (t) => filter.matches({ updated_at: t.updated, created_at: t.created });
}

/** Indexes of a mutable root's records (deleted ones left out) whose times pass `keep`, ascending (id order, Shopify's bulk order). */
export function* rootIndexes(g: StoreGraph, root: string, keep: (times: RootTimes, index: number) => boolean): Generator<number> {
  const count = g.ctx.count(root);
  for (let i = 0; i < count; i++) if (!g.ctx.overlay.isDeleted(root, i) && keep(g.ctx.rootTimes(root, i), i)) yield i;
}

export function* records(indexes: Iterable<number>, build: (i: number) => Rec): Generator<Rec> {
  for (const i of indexes) yield build(i);
}

/** A mutable root's nodes: those whose times match the search filter, in id order. */
export function mutableNodes(root: string, idBase: number, build: (g: StoreGraph, i: number) => Rec): (g: StoreGraph, filter: SearchFilter) => Iterable<Rec> {
  return (g, filter) => records(rootIndexes(g, root, matchesRoot(g, idBase, filter)), (i) => build(g, i));
}

/** A mutable root's search: its times and its numeric id (of the id space at `idBase`). */
export function matchesRoot(g: StoreGraph, idBase: number, filter: SearchFilter): (t: RootTimes, index: number) => boolean {
  return (t, i) => filter.matches({ updated_at: t.updated, created_at: t.created, id: numericId(g.ctx.seed, idBase, i) });
}

/** Counts rows per table, every table starting at 0. */
export class Tally {
  readonly counts: Record<string, number>;

  constructor(tables: readonly string[]) {
    this.counts = Object.fromEntries(tables.map((t) => [t, 0]));
  }

  add(table: string, n = 1): void {
    this.counts[table] = (this.counts[table] ?? 0) + n;
  }
}
