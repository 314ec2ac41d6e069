// The sandbox's simulated shop data: a seeded, deterministic store whose records are generated on
// demand from (seed, index), plus a small overlay of changes. Protocol (the HTTP + bulk-operation
// half of the sandbox) calls writeBulkResult() once a bulk query has been validated and run.
import type { DocumentNode } from 'graphql';
import { executeBulkQuery, planBulkQuery, type LineGroup } from './bulk-executor.ts';
import { articlesOfBlog, BLOG_ID_BASE } from './content.ts';
import { StoreContext, type ShopFeatures, type StoreSize } from './context.ts';
import { inWindow, rootIndexes } from './generator.ts';
import { defaultSizes, MUTABLE_ROOTS, ordinalOf, refusesRoots, rootGid, rootIndexOf, rootResolver, rootValue, truthCounts, type OrderHistory } from './generators.ts';
import { IdBase } from './ids.ts';
import { allMetafields } from './metafields.ts';
import { editRefusal } from './orders.ts';
import { StoreGraph } from './graph.ts';
import { writeLines } from './jsonl-writer.ts';
import { orderLines, type Ordering } from './orderings.ts';
import { rngFor, Streams } from './prng.ts';
import { timelineFor, toSeconds } from './time.ts';

export type { Ordering } from './orderings.ts';
export type { ShopFeatures, StoreSize } from './context.ts';

export const DEFAULT_STORE_SIZE: Readonly<StoreSize> = { ...defaultSizes(), locations: 3, collections: 6, companies: 8, blogs: 3, marketingEvents: 10 } as StoreSize;

export interface StoreOptions {
  seed: number;
  size?: Partial<StoreSize>;
  shopDomain: string;
  now?: () => Date;
  /** The instant the seeded data's year ends at (to the hour); default now(). Fixed, the data is the same every day. */
  dataUntil?: Date;
  /** Default: on Shopify Plus (gift cards), with a Shopify Payments account (disputes). */
  features?: Partial<ShopFeatures>;
  /** False: the app lacks read_all_orders, so orders created more than 60 days before now() are not served (generators.ts OrderHistory). Default true. */
  allOrders?: boolean;
}

const ORDER_HISTORY_SECONDS = 60 * 24 * 60 * 60;

export interface BulkFileResult {
  objectCount: number;
  rootObjectCount: number;
  fileSize: number;
}

/** Mutable root (orders, products, customers, …) → GIDs. */
export interface ChangeSet {
  touched: Record<string, string[]>;
  added: Record<string, string[]>;
}

export interface Change {
  /** Default: every mutable root (orders, products, customers). */
  entities?: string[];
  /** Existing roots per entity whose updatedAt moves to `at` (default 5). */
  touch?: number;
  /** New roots per entity, created and updated at `at` (default 2). */
  add?: number;
  /** Default: now(). Kept at Shopify's one-second precision. */
  at?: Date;
}

export interface Removal {
  /** A root mutate() changes (orders, products, customers, draftOrders, pages, articles, …), or collections, productVariants or blogs. */
  entity: string;
  /** GIDs of the records to delete. */
  gids: readonly string[];
  /** Whether the deletes leave destroy events (events, and deletionEvents for products and collections), as the admin does; default true. */
  events?: boolean;
  /** Default: now(). Kept at Shopify's one-second precision. */
  at?: Date;
}

/**
 * The records remove() deletes besides the mutable roots: their id space and how a GID maps to the
 * overlay's key, and the mutable roots' records that go with one (a blog's articles, as Shopify deletes
 * them with it: without events of their own).
 */
const OTHER_DELETABLE: Record<string, { type: string; base: number; takes?: (g: StoreGraph, index: number) => Array<[root: string, index: number]> }> = {
  collections: { type: 'Collection', base: IdBase.Collection },
  productVariants: { type: 'ProductVariant', base: IdBase.ProductVariant },
  blogs: { type: 'Blog', base: BLOG_ID_BASE, takes: (g, b) => articlesOfBlog(g, b).map((i) => ['articles', i]) },
};

export class Store {
  private readonly ctx: StoreContext;
  private readonly graph: StoreGraph;
  private readonly now: () => Date;
  private readonly history: OrderHistory;
  private mutations = 0;

  constructor(options: StoreOptions) {
    this.now = options.now ?? (() => new Date());
    this.history = options.allOrders === false ? () => toSeconds(this.now()) - ORDER_HISTORY_SECONDS : () => null;
    const size = { ...DEFAULT_STORE_SIZE, ...options.size } as StoreSize;
    for (const [key, value] of Object.entries(size)) {
      if (!(key in DEFAULT_STORE_SIZE)) throw new RangeError(`store size ${key} is not one of ${Object.keys(DEFAULT_STORE_SIZE).join(', ')}`);
      if (!Number.isInteger(value) || value < 0) throw new RangeError(`store size ${key} must be a whole number >= 0, got ${value}`);
    }
    if (size.orders > 0 && size.products === 0) throw new RangeError('a store with orders needs at least one product');
    this.ctx = new StoreContext(options.seed >>> 0, size, timelineFor(options.dataUntil ?? this.now()), options.shopDomain, { shopifyPlus: true, shopifyPayments: true, timeZone: 'Etc/UTC', ...options.features });
    this.graph = new StoreGraph(this.ctx);
  }

  /** What the shop's plan and account give it (Shopify Plus, Shopify Payments). */
  get features(): Readonly<ShopFeatures> {
    return this.ctx.features;
  }

  /** Root value for ordinary (non-bulk) GraphQL execution: plain objects, so default resolvers work. */
  rootValue(): Record<string, unknown> {
    return rootValue(this.graph, this.history);
  }

  /** True when the shop's plan refuses a root the bulk query reads (staff members off Plus): Shopify fails it with ACCESS_DENIED. */
  refuses(document: DocumentNode): boolean {
    return refusesRoots(this.graph, planBulkQuery(document).roots.map((r) => r.field));
  }

  /**
   * Runs a bulk query (already validated against the served schema) and streams its JSONL to `path`.
   * `omitRoots` leaves out the first that many root records and everything under them, the counts
   * agreeing with the short file (the omit fault); `connectionCap` gives each parent at most that many
   * nested nodes, with what lies under them (the cap fault).
   */
  async writeBulkResult(document: DocumentNode, path: string, options: { ordering: Ordering; omitRoots?: number; connectionCap?: number | null }): Promise<BulkFileResult> {
    const plan = planBulkQuery(document);
    let rootObjectCount = 0;
    let objectCount = 0;
    let omit = options.omitRoots ?? 0;
    const cap = options.connectionCap ?? null;
    function* counted(groups: Iterable<LineGroup>): Generator<LineGroup> {
      for (const whole of groups) {
        if (omit > 0) {
          omit--;
          continue;
        }
        const group = cap === null ? whole : capConnections(whole, cap);
        rootObjectCount++;
        objectCount += group.lines.length;
        yield group;
      }
    }
    const groups = counted(executeBulkQuery(plan, rootResolver(this.graph, this.history)));
    const { bytes } = await writeLines(orderLines(groups, options.ordering, this.ctx.seed), path);
    return { objectCount, rootObjectCount, fileSize: bytes };
  }

  /** Changes data between runs: touches existing roots (updatedAt = at) and adds new ones, per entity. */
  mutate(change: Change = {}): ChangeSet {
    const at = toSeconds(change.at ?? this.now());
    const touch = change.touch ?? 5;
    const add = change.add ?? 2;
    const result: ChangeSet = { touched: {}, added: {} };
    this.mutations++;
    for (const entity of change.entities ?? MUTABLE_ROOTS) {
      if (!MUTABLE_ROOTS.includes(entity)) throw new RangeError(`${JSON.stringify(entity)} is not a root the store mutates (${MUTABLE_ROOTS.join(', ')})`);
      const existing = this.ctx.count(entity);
      const chosen = pickDistinct(rngFor(this.ctx.seed, Streams.mutation, this.mutations, MUTABLE_ROOTS.indexOf(entity)), existing, touch);
      for (const i of chosen) this.ctx.overlay.touch(entity, i, at);
      for (let k = 0; k < add; k++) this.ctx.overlay.add(entity, at);
      result.touched[entity] = chosen.map((i) => rootGid(this.graph, entity, i));
      result.added[entity] = Array.from({ length: add }, (_, k) => rootGid(this.graph, entity, existing + k));
    }
    return result;
  }

  /**
   * Deletes records: they leave every query, count and truth (a product takes its variants, inventory
   * items and levels, and collection memberships with it). With events (the default) each delete
   * leaves a destroy event, as the admin does.
   */
  remove(removal: Removal): void {
    const at = toSeconds(removal.at ?? this.now());
    const other = OTHER_DELETABLE[removal.entity];
    for (const gid of removal.gids) {
      const index = other ? ordinalOf(this.graph, other.type, other.base, gid) : rootIndexOf(this.graph, removal.entity, gid);
      if (this.ctx.overlay.isDeleted(removal.entity, index)) throw new RangeError(`${gid} is already deleted`);
      this.ctx.overlay.remove(removal.entity, index);
      for (const [root, i] of other?.takes?.(this.graph, index) ?? []) this.ctx.overlay.remove(root, i);
      if (removal.events ?? true) {
        const type = gid.split('/')[3]!.replace(/([a-z])([A-Z])/g, '$1_$2').toUpperCase();
        this.ctx.overlay.events.push({ ordinal: this.ctx.overlay.events.length, subjectType: type, subjectId: gid, at });
      }
    }
  }

  /**
   * Order edits: each order removes its last line item and its updatedAt moves to `at`, as an edit in
   * the admin does (its edit agreement happened at `at`, which cannot be before the order's updatedAt); so does its customer's, whose amountSpent follows the total. As in Shopify (an edit
   * sets the line's quantity to zero) the line stays on the order, its quantity and own totals as placed,
   * its currentQuantity 0; the order's totals, fulfillments and fulfillment orders leave it out, and its
   * edit agreement's sales take it back. Orders with a single line item cannot be edited so, nor those
   * whose last line has fulfilled units (Shopify edits only unfulfilled units), nor those with refunds:
   * editableOrders lists the others.
   */
  editOrders(gids: readonly string[], at: Date = this.now()): void {
    const seconds = toSeconds(at);
    for (const gid of gids) {
      const index = rootIndexOf(this.graph, 'orders', gid);
      const refusal = editRefusal(this.graph.buildOrder(index));
      if (refusal !== null) throw new RangeError(`${gid} ${refusal}`);
      // The edit updates the order: its agreement's happenedAt is the order's updatedAt, never before it.
      if (seconds < this.ctx.rootTimes('orders', index).updated) throw new RangeError(`${gid}: an edit at ${at.toISOString()} is before the order's last update`);
      this.ctx.overlay.editedOrders.set(index, seconds);
      this.ctx.overlay.touch('orders', index, seconds);
      const customer = this.graph.orderCustomer(index);
      if (customer !== null) this.ctx.overlay.touch('customers', customer, seconds);
    }
  }

  /** The orders editOrders can edit: two line items or more, the last one with no unit fulfilled, no refunds. */
  editableOrders(): string[] {
    return this.ids('orders').filter((gid) => editRefusal(this.graph.buildOrder(rootIndexOf(this.graph, 'orders', gid))) === null);
  }

  /**
   * Gives the orders a tip, duties and an additional fee, as a cross-border order paid with a tip has
   * them in Shopify: each in its own field (totalTipReceivedSet, originalTotalDutiesSet,
   * originalTotalAdditionalFeesSet) and in the order's total, its payments and its sales. With
   * `dutiesIncluded` the order is priced as a market including duties in its prices does
   * (dutiesIncluded true): its duties are the part of its line items' prices they report, not added to
   * its total or sold apart. As if placed so: their updatedAt stays.
   */
  chargeOrders(gids: readonly string[], options: { dutiesIncluded?: boolean } = {}): void {
    for (const gid of gids) this.ctx.overlay.chargedOrders.set(rootIndexOf(this.graph, 'orders', gid), { dutiesIncluded: options.dutiesIncluded ?? false });
  }

  /**
   * Reports the orders' total (totalPriceSet) off by `cents`, and nothing else: not their lines, taxes,
   * ledger or updatedAt. An inconsistent order, for the data checks that must catch one.
   */
  skewOrderTotals(gids: readonly string[], cents: number): void {
    for (const gid of gids) this.ctx.overlay.skewedTotals.set(rootIndexOf(this.graph, 'orders', gid), cents);
  }

  /**
   * Brings deleted records back as they were (no event): what Shopify never does for most records,
   * but a client must not assume it cannot (products can be unarchived; a restore from a backup app).
   */
  restore(removal: Pick<Removal, 'entity' | 'gids'>): void {
    const other = OTHER_DELETABLE[removal.entity];
    for (const gid of removal.gids) {
      const index = other ? ordinalOf(this.graph, other.type, other.base, gid) : rootIndexOf(this.graph, removal.entity, gid);
      if (!this.ctx.overlay.isDeleted(removal.entity, index)) throw new RangeError(`${gid} is not deleted`);
      this.ctx.overlay.restore(removal.entity, index);
    }
  }

  /**
   * Edits metafields (by GID) to the given values, updatedAt `at`, and nothing else: as in Shopify,
   * their owners' updatedAt stays, so no updated_at window of the owner sees the change.
   */
  editMetafields(edits: ReadonlyArray<{ gid: string; value: string }>, at: Date = this.now()): void {
    const known = this.metafieldIds();
    for (const { gid, value } of edits) {
      if (!known.has(gid)) throw new RangeError(`${gid} is not a metafield of this store`);
      this.ctx.overlay.metafieldEdits.set(gid, { value, at: toSeconds(at) });
    }
  }

  /** Deletes metafields (by GID), leaving their owners' updatedAt as it was, as Shopify does. */
  removeMetafields(gids: readonly string[]): void {
    const known = this.metafieldIds();
    for (const gid of gids) {
      if (!known.has(gid)) throw new RangeError(`${gid} is not a metafield of this store`);
      this.ctx.overlay.deletedMetafields.add(gid);
    }
  }

  /** Every metafield of the store, as the ETL's metafields table holds them: GID, owner type and value. */
  metafields(): Array<{ gid: string; ownerType: string; value: string; updatedAt: string }> {
    return [...allMetafields(this.graph)].map((m) => ({ gid: String(m['id']), ownerType: String(m['ownerType']), value: String(m['value']), updatedAt: String(m['updatedAt']) }));
  }

  private metafieldIds(): Set<string> {
    return new Set(this.metafields().map((m) => m.gid));
  }

  /** Rows per ETL table from the store's own model, optionally for roots updated in [since, until). */
  truth(filter?: { since?: Date; until?: Date }): Record<string, number> {
    return truthCounts(this.graph, filter);
  }

  /** GIDs of a mutable root's records with updatedAt in [since, until), in id order. */
  ids(entity: string, filter: { since?: Date; until?: Date } = {}): string[] {
    return [...rootIndexes(this.graph, entity, (t) => inWindow(filter, t.updated))].map((i) => rootGid(this.graph, entity, i));
  }
}

/** `count` distinct integers from [0, n) (all of them if count >= n), ascending; a sparse Fisher–Yates. */
function pickDistinct(rng: { int(n: number): number }, n: number, count: number): number[] {
  const take = Math.min(n, Math.max(0, count));
  const swapped = new Map<number, number>();
  const picked: number[] = [];
  for (let k = 0; k < take; k++) {
    const j = k + rng.int(n - k);
    picked.push(swapped.get(j) ?? j);
    swapped.set(j, swapped.get(k) ?? k);
  }
  return picked.sort((x, y) => x - y);
}

/**
 * The group with each parent's child lines cut to `cap` (the first ones, in the order written), the
 * lines under a cut child gone with it. The cut is per parent: a parent with two nested connections
 * keeps `cap` nodes of both together.
 */
function capConnections(group: LineGroup, cap: number): LineGroup {
  const kept: LineGroup = { lines: [], parents: [] };
  const newIndex = new Map<number, number>();
  const children = new Map<number, number>();
  group.lines.forEach((line, i) => {
    const parent = group.parents[i]!;
    if (parent !== -1) {
      const under = newIndex.get(parent);
      const seen = children.get(parent) ?? 0;
      if (under === undefined || seen >= cap) return;
      children.set(parent, seen + 1);
    }
    newIndex.set(i, kept.lines.length);
    kept.lines.push(line);
    kept.parents.push(parent === -1 ? -1 : newIndex.get(parent)!);
  });
  return kept;
}
