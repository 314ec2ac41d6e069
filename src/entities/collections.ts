// Collections and their membership. A full snapshot each run: adding a product to a collection does
// not bump the collection's updatedAt.
import { id, parentId, ref, routeByTypename, str, table, ts } from '../rows/columns.ts';
import type { Entity } from './types.ts';

const collections = table({
  name: 'collections',
  description: 'One row per collection (custom or smart).',
  fields: [id(), str('title'), str('handle'), str('sortOrder'), str('templateSuffix'), ts('updatedAt')],
});

const members = table({
  name: 'collection_products',
  description: 'One row per (collection, product) membership.',
  parent: { column: 'collection_id', table: 'collections' },
  fields: [parentId('collection_id'), ref('id', 'product_id')],
});

export const collectionsEntity: Entity = {
  name: 'collections',
  kind: 'bulk',
  queryFile: 'collections.graphql',
  incremental: null,
  tables: [collections, members].map((t) => t.def),
  ...routeByTypename('collections', { Collection: collections, Product: members }),
};
