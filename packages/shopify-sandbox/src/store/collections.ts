// Collections: each holds a deterministic subset of the products; with five or more collections the
// last one is empty (a smart collection whose rule matches nothing).
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, type Rec } from './model.ts';
import { COLLECTION_TITLES } from './names.ts';
import { hash32, rngFor, Streams } from './prng.ts';
import { slug } from './products.ts';
import { matchesTimes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { DAY, iso } from './time.ts';
import { metafieldConnection } from './metafields.ts';

export function collectionHasProduct(g: StoreGraph, k: number, p: number): boolean {
  const count = g.ctx.size.collections;
  if (count >= 5 && k === count - 1) return false;
  return hash32(g.ctx.seed, Streams.collectionMember, k, p) % (k === 0 ? 4 : 3) === 0;
}

export function collectionTimes(g: StoreGraph, k: number): { created: number; updated: number } {
  const rng = rngFor(g.ctx.seed, Streams.collection, k);
  const { start, end } = g.ctx.timeline;
  const created = start + rng.int(30 * DAY);
  return { created, updated: created + rng.int(end - created) };
}

export function* productsInCollection(g: StoreGraph, k: number): Generator<number> {
  const total = g.ctx.count('products');
  for (let p = 0; p < total; p++) if (!g.ctx.overlay.isDeleted('products', p) && collectionHasProduct(g, k, p)) yield p;
}

export function collectionRecord(g: StoreGraph, k: number): Rec {
  const rng = rngFor(g.ctx.seed, Streams.collection, k, 1);
  const base = COLLECTION_TITLES[k % COLLECTION_TITLES.length] ?? 'Collection';
  const title = k < COLLECTION_TITLES.length ? base : `${base} ${Math.floor(k / COLLECTION_TITLES.length) + 1}`;
  const times = collectionTimes(g, k);
  return {
    __typename: 'Collection',
    id: gid('Collection', numericId(g.ctx.seed, IdBase.Collection, k)),
    title,
    handle: `${slug(title)}${k < COLLECTION_TITLES.length ? '' : `-${k + 1}`}`,
    sortOrder: rng.pick(['MANUAL', 'BEST_SELLING', 'ALPHA_ASC', 'PRICE_DESC', 'CREATED_DESC']),
    templateSuffix: rng.pick([null, '', 'sale']),
    updatedAt: iso(times.updated),
    productsCount: () => {
      let count = 0;
      for (const _ of productsInCollection(g, k)) count++;
      return { __typename: 'Count', count, precision: 'EXACT' };
    },
    products: () => new Connection(mapIter(productsInCollection(g, k), (p) => g.product(p))),
    metafields: metafieldConnection(g.ctx, 'COLLECTION', k, times.created),
  };
}

/** Collections not deleted, in id order. */
function* liveCollections(g: StoreGraph): Generator<number> {
  for (let k = 0; k < g.ctx.size.collections; k++) if (!g.ctx.overlay.isDeleted('collections', k)) yield k;
}

function* mapIter<T, U>(items: Iterable<T>, fn: (item: T) => U): Generator<U> {
  for (const item of items) yield fn(item);
}

export const collectionsGenerator: EntityGenerator = {
  root: 'collections',
  *nodes(g, filter) {
    for (const k of liveCollections(g)) if (matchesTimes(filter)(collectionTimes(g, k))) yield g.collection(k);
  },
  truth(g) {
    const tally = new Tally(['collections', 'collection_products']);
    for (const k of liveCollections(g)) {
      tally.add('collections');
      for (const _ of productsInCollection(g, k)) tally.add('collection_products');
    }
    return tally.counts;
  },
};
