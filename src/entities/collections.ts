// Collections and their membership. A full snapshot each run: adding a product to a collection does
// not bump the collection's updatedAt.
import { id, parentId, ref, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const collections = table({
  name: 'collections',
  description: 'One row per collection (custom or smart).',
  columns: [id(), str('title'), str('handle'), str('sortOrder'), str('templateSuffix'), ts('updatedAt')],
});

const members = table({
  name: 'collection_products',
  description: 'One row per (collection, product) membership.',
  parent: { column: 'collection_id', table: 'collections' },
  key: ['collection_id', 'product_id'],
  columns: [parentId('collection_id'), ref('id', 'product_id')],
});

export const collectionsEntity = defineEntity({
  name: 'collections',
  scopes: ['read_products'],
  sync: 'snapshot',
  tables: [collections, members],
  routes: { Collection: collections, Product: members },
});
