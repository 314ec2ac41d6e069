// Metafields of every kind of owner in one table: products, product variants, customers, orders, draft
// orders, collections, locations, B2B companies and the shop. A full snapshot each run: editing, adding
// or deleting a metafield does not move its owner's updatedAt, so no updated_at window would see it,
// and Shopify offers no root to search metafields by their own updated_at. A bulk query reaches them
// only under their owner (a connection under each owner's root), so there is one query per kind of
// owner, all writing this table; the owners' lines carry only their ids and make no rows. The shop's
// own are read with ordinary requests, a page at a time (the shop is an object, and bulk queries start
// from a connection). A query whose owner's scope is not granted, or whose owners the shop cannot have
// (companies: Shopify Plus only), is left out and the others run, with a note (QueryPart.ownScopes, onlyWith).
import { id, parentId, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const metafields = table({
  name: 'metafields',
  description: 'One row per metafield of a product, variant, customer, order, draft order, collection, location, B2B company or the shop. owner_type says which (PRODUCT, PRODUCTVARIANT, CUSTOMER, ORDER, DRAFTORDER, COLLECTION, LOCATION, COMPANY, SHOP) and owner_id is its numeric id; value is the raw string Shopify stores, type says how to read it (e.g. json, number_integer).',
  // Until the next release, shopify_product_metafields_current stays, as the products' rows of this table.
  formerly: { table: 'product_metafields', where: { owner_type: 'PRODUCT' }, renamed: { owner_id: 'product_id' } },
  columns: [id(), str('ownerType', 'owner_type'), parentId('owner_id'), str('namespace'), str('key'), str('type'), str('value'), ts('createdAt'), ts('updatedAt')],
});

/** One query per kind of owner: queries/metafields_<owner>.graphql, its owner's lines making no rows; without the owner's scope it is left out, noted. */
const owner = (query: string, typename: string, scope: string) => ({ query, tables: [metafields], routes: { [typename]: null, Metafield: metafields }, ownScopes: [scope] });

export const metafieldsEntity = defineEntity({
  name: 'metafields',
  // Products' and variants'. Each further query needs its owners' scope too: an app without one gets
  // the other owners' metafields, and a note naming the scope.
  scopes: ['read_products'],
  sync: 'snapshot',
  tables: [metafields],
  routes: { Product: null, Metafield: metafields },
  parts: [
    owner('metafields_variants', 'ProductVariant', 'read_products'),
    owner('metafields_customers', 'Customer', 'read_customers'),
    owner('metafields_orders', 'Order', 'read_orders'),
    owner('metafields_draft_orders', 'DraftOrder', 'read_draft_orders'),
    owner('metafields_collections', 'Collection', 'read_products'),
    owner('metafields_locations', 'Location', 'read_locations'),
    // Companies exist on Shopify Plus only; read_customers grants read_companies too.
    { ...owner('metafields_companies', 'Company', 'read_companies'), onlyWith: 'shopifyPlus' },
    // The shop's own: an object, read with ordinary requests a page at a time; every app may read them.
    { query: 'metafields_shop', tables: [metafields], routes: { Metafield: metafields }, paging: ['shop', 'metafields'] },
  ],
});
