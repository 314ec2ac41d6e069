// Ground truth for tests and checks: how many rows each ETL table should get, computed from the
// store's own model (never by reading its JSONL). A window applies to orders, products, customers and
// their children; the other tables are snapshots and count in full.
import { productsInCollection } from './collections.ts';
import type { StoreGraph } from './graph.ts';
import { levelLocations } from './inventory.ts';
import { mediaOf, metafieldsOf } from './products.ts';
import { rootIndexes } from './roots.ts';

export interface Window {
  since?: Date;
  until?: Date;
}

/** True when an updatedAt (epoch seconds) lies in [since, until). */
export function inWindow(window: Window, seconds: number): boolean {
  const ms = seconds * 1000;
  return (window.since === undefined || ms >= window.since.getTime()) && (window.until === undefined || ms < window.until.getTime());
}

export function truthCounts(g: StoreGraph, window: Window = {}): Record<string, number> {
  const counts: Record<string, number> = {
    orders: 0, order_line_items: 0, order_transactions: 0, order_refunds: 0, order_fulfillments: 0, order_shipping_lines: 0, order_discount_applications: 0,
    products: 0, product_variants: 0, product_media: 0, product_metafields: 0,
    customers: 0, customer_addresses: 0,
    inventory_items: 0, inventory_levels: 0, locations: g.ctx.size.locations, collections: g.ctx.size.collections, collection_products: 0, shop: 1,
  };
  const add = (table: string, n: number): void => {
    counts[table] = (counts[table] ?? 0) + n;
  };
  const keep = (t: { updated: number }): boolean => inWindow(window, t.updated);
  for (const i of rootIndexes(g, 'orders', keep)) {
    const { counts: c } = g.buildOrder(i);
    add('orders', 1);
    add('order_line_items', c.lineItems);
    add('order_transactions', c.transactions);
    add('order_refunds', c.refunds);
    add('order_fulfillments', c.fulfillments);
    add('order_shipping_lines', c.shippingLines);
    add('order_discount_applications', c.discountApplications);
  }
  for (const p of rootIndexes(g, 'products', keep)) {
    const core = g.productCore(p);
    add('products', 1);
    add('product_variants', core.variants.length);
    add('product_media', mediaOf(g.ctx, core).length);
    add('product_metafields', metafieldsOf(g.ctx, core).length);
  }
  for (const c of rootIndexes(g, 'customers', keep)) {
    add('customers', 1);
    add('customer_addresses', g.customerCore(c).addresses.length);
  }
  const products = g.ctx.count('products');
  for (let p = 0; p < products; p++) {
    const variants = g.productCore(p).variants.length;
    add('inventory_items', variants);
    for (let v = 0; v < variants; v++) add('inventory_levels', levelLocations(g, p, v).length);
  }
  for (let k = 0; k < g.ctx.size.collections; k++) for (const _ of productsInCollection(g, k)) add('collection_products', 1);
  return counts;
}
