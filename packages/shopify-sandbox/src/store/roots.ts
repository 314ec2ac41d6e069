// The bulk query's root connections (orders, products, customers, inventoryItems, locations,
// collections) as lazy sequences of records, narrowed by their `query:` search filter. Roots come in
// id order, i.e. creation order, which is Shopify's default sort for bulk exports.
import type { RootResolver } from './bulk-executor.ts';
import { collectionTimes } from './collections.ts';
import type { RootEntity, RootTimes } from './context.ts';
import type { StoreGraph } from './graph.ts';
import { gid, IdBase, numericId } from './ids.ts';
import { itemTimes } from './inventory.ts';
import { isActiveLocation } from './locations.ts';
import type { Rec } from './model.ts';
import { parseSearch, type SearchFilter } from './search-filter.ts';

const DATE_FIELDS = ['updated_at', 'created_at'] as const;

const GID_TYPES: Record<RootEntity, { type: string; base: number }> = {
  orders: { type: 'Order', base: IdBase.Order },
  products: { type: 'Product', base: IdBase.Product },
  customers: { type: 'Customer', base: IdBase.Customer },
};

export function rootGid(g: StoreGraph, entity: RootEntity, index: number): string {
  const { type, base } = GID_TYPES[entity];
  return gid(type, numericId(g.ctx.seed, base, index));
}

/** Indexes of an entity's roots whose times pass `keep`, ascending. */
export function* rootIndexes(g: StoreGraph, entity: RootEntity, keep: (times: RootTimes) => boolean): Generator<number> {
  const count = g.ctx.count(entity);
  for (let i = 0; i < count; i++) if (keep(g.ctx.rootTimes(entity, i))) yield i;
}

function* records(indexes: Iterable<number>, build: (i: number) => Rec): Generator<Rec> {
  for (const i of indexes) yield build(i);
}

function matchesTimes(filter: SearchFilter): (t: { created: number; updated: number }) => boolean {
  return (t) => filter.matches({ updated_at: t.updated, created_at: t.created });
}

function* inventoryItems(g: StoreGraph, filter: SearchFilter): Generator<Rec> {
  const products = g.ctx.count('products');
  for (let p = 0; p < products; p++) {
    const variants = g.productCore(p).variants.length;
    for (let v = 0; v < variants; v++) if (filter.isEmpty || matchesTimes(filter)(itemTimes(g, p, v))) yield g.inventoryItem(p, v);
  }
}

function* locations(g: StoreGraph, includeInactive: boolean): Generator<Rec> {
  for (let l = 0; l < g.ctx.size.locations; l++) if (includeInactive || isActiveLocation(l)) yield g.location(l);
}

function* collections(g: StoreGraph, filter: SearchFilter): Generator<Rec> {
  for (let k = 0; k < g.ctx.size.collections; k++) if (matchesTimes(filter)(collectionTimes(g, k))) yield g.collection(k);
}

export function rootResolver(g: StoreGraph): RootResolver {
  return (field, args) => {
    const filter = parseSearch(args['query'], DATE_FIELDS);
    switch (field) {
      case 'orders': return records(rootIndexes(g, 'orders', matchesTimes(filter)), (i) => g.order(i));
      case 'products': return records(rootIndexes(g, 'products', matchesTimes(filter)), (p) => g.product(p));
      case 'customers': return records(rootIndexes(g, 'customers', matchesTimes(filter)), (c) => g.customer(c));
      case 'inventoryItems': return inventoryItems(g, filter);
      // Shopify offers no date filter on locations, so `query` narrows nothing here.
      case 'locations': return locations(g, args['includeInactive'] === true);
      case 'collections': return collections(g, filter);
      default: return null;
    }
  };
}
