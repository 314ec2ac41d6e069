// Product metafields. A full snapshot each run: editing a metafield does not bump the product's
// updatedAt. The product lines only carry the parents' ids and make no rows.
import { id, parentId, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const metafields = table({
  name: 'product_metafields',
  description: 'One row per product metafield. value is the raw string Shopify stores; type says how to read it (e.g. json, number_integer).',
  parent: { column: 'product_id', table: 'products' },
  columns: [id(), parentId('product_id'), str('namespace'), str('key'), str('type'), str('value'), ts('createdAt'), ts('updatedAt')],
});

export const productMetafieldsEntity = defineEntity({
  name: 'product_metafields',
  scopes: ['read_products'],
  sync: 'snapshot',
  tables: [metafields],
  routes: { Product: null, Metafield: metafields },
});
