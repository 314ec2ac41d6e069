// Product metafields. A full snapshot each run: editing a metafield does not bump the product's
// updatedAt. The product lines only carry the parents' ids and make no rows.
import { id, parentId, routeByTypename, str, table, ts } from '../rows/columns.ts';
import type { Entity } from './types.ts';

const metafields = table({
  name: 'product_metafields',
  description: 'One row per product metafield. value is the raw string Shopify stores; type says how to read it (e.g. json, number_integer).',
  parent: { column: 'product_id', table: 'products' },
  fields: [id(), parentId('product_id'), str('namespace'), str('key'), str('type'), str('value'), ts('createdAt'), ts('updatedAt')],
});

export const productMetafieldsEntity: Entity = {
  name: 'product_metafields',
  kind: 'bulk',
  queryFile: 'product_metafields.graphql',
  incremental: null,
  tables: [metafields.def],
  ...routeByTypename('product_metafields', { Product: null, Metafield: metafields }),
};
