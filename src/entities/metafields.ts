// Metafields of every kind of owner in one table: products, product variants, customers, orders, draft
// orders, collections and locations. A full snapshot each run: editing, adding or deleting a metafield
// does not move its owner's updatedAt, so no updated_at window would see it, and Shopify offers no root
// to search metafields by their own updated_at. A bulk query reaches them only under their owner (a
// connection under each owner's root), so there is one query per kind of owner, all writing this table;
// the owners' lines carry only their ids and make no rows.
import { id, parentId, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const metafields = table({
  name: 'metafields',
  description: 'One row per metafield of a product, variant, customer, order, draft order, collection or location. owner_type says which (PRODUCT, PRODUCTVARIANT, CUSTOMER, ORDER, DRAFTORDER, COLLECTION, LOCATION) and owner_id is its numeric id; value is the raw string Shopify stores, type says how to read it (e.g. json, number_integer).',
  columns: [id(), str('ownerType', 'owner_type'), parentId('owner_id'), str('namespace'), str('key'), str('type'), str('value'), ts('createdAt'), ts('updatedAt')],
});

/** One query per kind of owner: queries/metafields_<owner>.graphql, its owner's lines making no rows. */
const owner = (query: string, typename: string) => ({ query, tables: [metafields], routes: { [typename]: null, Metafield: metafields } });

export const metafieldsEntity = defineEntity({
  name: 'metafields',
  // Each query reads its owners' root: without one of these scopes the whole entity is skipped, with a note naming it.
  scopes: ['read_products', 'read_customers', 'read_orders', 'read_draft_orders', 'read_locations'],
  sync: 'snapshot',
  tables: [metafields],
  routes: { Product: null, Metafield: metafields },
  parts: [
    owner('metafields_variants', 'ProductVariant'),
    owner('metafields_customers', 'Customer'),
    owner('metafields_orders', 'Order'),
    owner('metafields_draft_orders', 'DraftOrder'),
    owner('metafields_collections', 'Collection'),
    owner('metafields_locations', 'Location'),
  ],
});
