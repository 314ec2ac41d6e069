// The store's entities, one generator each (generator.ts says what one is). The order is the order of
// truth()'s tables, and a mutable generator's position seeds its mutations: append new ones.
import { collectionsGenerator } from './collections.ts';
import { customersGenerator } from './customers.ts';
import { draftOrdersGenerator } from './draft-orders.ts';
import { fulfillmentOrdersGenerator } from './fulfillment-orders.ts';
import { tenderTransactionsGenerator } from './tender-transactions.ts';
import { giftCardsGenerator } from './gift-cards.ts';
import { disputesGenerator } from './disputes.ts';
import { payoutsGenerator } from './payouts.ts';
import { articlesGenerator, blogsGenerator, pagesGenerator } from './content.ts';
import { companiesGenerator } from './companies.ts';
import { abandonedCheckoutsGenerator } from './abandoned-checkouts.ts';
import { marketsGenerator } from './markets.ts';
import { staffMembersGenerator } from './staff-members.ts';
import { codeDiscountNodesGenerator, discountNodesGenerator } from './discounts.ts';
import { marketingEventsGenerator } from './marketing-events.ts';
import { deletionEventsGenerator, eventsGenerator } from './events.ts';
import type { RootResolver } from './bulk-executor.ts';
import { connectionPage, type Args, type Rec } from './model.ts';
import type { EntityGenerator, Window } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, IdBase, numericId } from './ids.ts';
import { inventoryItemsGenerator } from './inventory.ts';
import { locationsGenerator } from './locations.ts';
import { productVariantsGenerator } from './metafields.ts';
import { ordersGenerator } from './orders.ts';
import { productsGenerator } from './products.ts';
import { matchesRoot, ROOT_SEARCH_FIELDS, rootIndexes } from './generator.ts';
import { parseSearch, type SearchFilter } from './search-filter.ts';
import { shopGenerator } from './shop.ts';

export const GENERATORS: readonly EntityGenerator[] = [
  ordersGenerator,
  productsGenerator,
  customersGenerator,
  inventoryItemsGenerator,
  locationsGenerator,
  collectionsGenerator,
  shopGenerator,
  draftOrdersGenerator,
  eventsGenerator,
  deletionEventsGenerator,
  fulfillmentOrdersGenerator,
  tenderTransactionsGenerator,
  giftCardsGenerator,
  disputesGenerator,
  payoutsGenerator,
  companiesGenerator,
  abandonedCheckoutsGenerator,
  marketsGenerator,
  productVariantsGenerator,
  staffMembersGenerator,
  discountNodesGenerator,
  codeDiscountNodesGenerator,
  pagesGenerator,
  articlesGenerator,
  blogsGenerator,
  marketingEventsGenerator,
];

/** The roots with their own created/updated times, searchable and so countable as Shopify counts them (those it counts). */
const COUNTED = GENERATORS.filter((gen) => gen.mutable && gen.mutable.counted !== false && gen.nodes);

/** A root's count field, as Shopify names it: orders → ordersCount. */
export function countField(root: string): string {
  return `${root}Count`;
}

/** Shopify's `limit:` of a count when none is given; `limit: null` counts them all. */
const COUNT_LIMIT = 10_000;

/** The root fields the store serves, bulk connections, plain fields and counts alike. */
export const STORE_ROOTS: readonly string[] = [...GENERATORS.map((gen) => gen.root), ...COUNTED.map((gen) => countField(gen.root))];

/** The roots mutate() changes, in list order. */
export const MUTABLE_ROOTS: readonly string[] = GENERATORS.filter((gen) => gen.mutable).map((gen) => gen.root);

function mutable(root: string): NonNullable<EntityGenerator['mutable']> {
  const found = GENERATORS.find((gen) => gen.root === root)?.mutable;
  if (!found) throw new RangeError(`${JSON.stringify(root)} is not a root the store mutates (${MUTABLE_ROOTS.join(', ')})`);
  return found;
}

/** Seeded records per mutable root by default. */
export function defaultSizes(): Record<string, number> {
  return Object.fromEntries(GENERATORS.flatMap((gen) => (gen.mutable ? [[gen.root, gen.mutable.defaultSize]] : [])));
}

/** The index of a mutable root's record from its GID (the inverse of rootGid); throws for a GID of another type or no record. */
export function rootIndexOf(g: StoreGraph, root: string, recordGid: string): number {
  const { gidType, idBase } = mutable(root);
  return ordinalOf(g, gidType, idBase, recordGid);
}

/** The ordinal numericId gave `recordGid` in the id space of `type` at `base`. */
export function ordinalOf(g: StoreGraph, type: string, base: number, recordGid: string): number {
  const prefix = `gid://shopify/${type}/`;
  const id = recordGid.startsWith(prefix) ? Number(recordGid.slice(prefix.length)) : NaN;
  const ordinal = Math.floor((id - base) / 13);
  if (!Number.isSafeInteger(ordinal) || ordinal < 0 || numericId(g.ctx.seed, base, ordinal) !== id) throw new RangeError(`${recordGid} is not a ${type} of this store`);
  return ordinal;
}

export function rootGid(g: StoreGraph, root: string, index: number): string {
  const { gidType, idBase } = mutable(root);
  return gid(gidType, numericId(g.ctx.seed, idBase, index));
}

/**
 * Where the orders the app may see start (epoch seconds), or null: all of them. Without read_all_orders
 * Shopify serves only the orders created in the last 60 days, to bulk queries, connections and counts
 * alike, and answers as if the older ones did not exist.
 */
export type OrderHistory = () => number | null;

/** The roots the 60 days of order history bound. */
const ORDER_HISTORY_ROOTS: ReadonlySet<string> = new Set(['orders']);

/** A root's search filter, cut to the order history the app may see. */
function searchOf(root: string, query: unknown, fields: readonly string[], history: OrderHistory): SearchFilter {
  const filter = parseSearch(query, fields);
  const from = ORDER_HISTORY_ROOTS.has(root) ? history() : null;
  return from === null ? filter : filter.and({ field: 'created_at', op: '>=', from, to: from + 1 });
}

/** True when the shop's plan refuses one of the query's roots to apps (EntityGenerator.refused). */
export function refusesRoots(g: StoreGraph, roots: readonly string[]): boolean {
  return GENERATORS.some((gen) => roots.includes(gen.root) && gen.refused?.(g) === true);
}

/** A bulk query's root field → its nodes, or null when no generator serves it as a connection. */
export function rootResolver(g: StoreGraph, history: OrderHistory): RootResolver {
  const byRoot = new Map(GENERATORS.flatMap((gen) => (gen.nodes ? [[gen.root, gen] as const] : [])));
  return (field, args) => {
    const gen = byRoot.get(field);
    return gen?.nodes?.(g, searchOf(field, args['query'], gen.searchFields ?? ROOT_SEARCH_FIELDS, history), args) ?? null;
  };
}

/**
 * The root fields' values for ordinary (non-bulk) queries: the plain ones (the shop), the count fields'
 * resolvers, and each mutable root's connection as one page of `nodes` in id order (`first`/`last`,
 * `reverse`; no cursors), enough for the ETL's look-up of the lowest and highest id a search matches.
 */
export function rootValue(g: StoreGraph, history: OrderHistory): Record<string, unknown> {
  return Object.fromEntries([
    ...GENERATORS.flatMap((gen): Array<[string, unknown]> => {
      if (gen.value) return [[gen.root, gen.value(g)]];
      const nodes = gen.mutable && gen.nodes?.bind(gen);
      return nodes ? [[gen.root, (args: Args) => connectionPage(nodes(g, searchOf(gen.root, args['query'], ROOT_SEARCH_FIELDS, history), args), args)]] : [];
    }),
    ...COUNTED.map((gen) => [countField(gen.root), (args: Args) => countOf(g, gen.root, args, history)]),
    ['node', (args: Args) => nodeOf(g, String(args['id']))],
  ]);
}

/**
 * `node(id:)` on a mutable root's record (an ordinary query reading one record by its id), or on a
 * refund (inside its order's refunds list, whose connections a paged read continues from it), or null.
 */
function nodeOf(g: StoreGraph, id: string): Rec | null {
  if (id.startsWith('gid://shopify/Refund/')) {
    let ordinal: number;
    try {
      ordinal = ordinalOf(g, 'Refund', IdBase.Refund, id);
    } catch {
      return null;
    }
    // Refund ordinals are order * 2 + k (order-parts.ts).
    const order = nodeOf(g, gid('Order', numericId(g.ctx.seed, IdBase.Order, Math.floor(ordinal / 2))));
    return (order?.refunds as readonly Rec[] | undefined)?.find((r) => r.id === id) ?? null;
  }
  for (const gen of GENERATORS) {
    const prefix = gen.mutable ? `gid://shopify/${gen.mutable.gidType}/` : null;
    if (!prefix || !gen.nodes || !id.startsWith(prefix) || !/^[0-9]+$/.test(id.slice(prefix.length))) continue;
    const n = BigInt(id.slice(prefix.length));
    const [found] = gen.nodes(g, parseSearch(`id:>${n - 1n} AND id:<=${n}`, ROOT_SEARCH_FIELDS), {});
    return found ?? null;
  }
  return null;
}

/**
 * `<root>Count(query:, limit:)`: the records the same search filter as the bulk root matches. Past
 * the limit Shopify answers the limit itself, marked AT_LEAST.
 */
function countOf(g: StoreGraph, root: string, args: Args, history: OrderHistory): { count: number; precision: 'EXACT' | 'AT_LEAST' } {
  const keep = matchesRoot(g, mutable(root).idBase, searchOf(root, args['query'], ROOT_SEARCH_FIELDS, history));
  const limit = args['limit'] === undefined ? COUNT_LIMIT : (args['limit'] as number | null);
  let count = 0;
  for (const _ of rootIndexes(g, root, keep)) {
    if (limit !== null && count === limit) return { count, precision: 'AT_LEAST' };
    count++;
  }
  return { count, precision: 'EXACT' };
}

/** Rows per ETL table from the store's own model (never by reading its JSONL), for roots updated in the window. */
export function truthCounts(g: StoreGraph, window: Window = {}): Record<string, number> {
  return Object.assign({}, ...GENERATORS.map((gen) => gen.truth(g, window))) as Record<string, number>;
}
