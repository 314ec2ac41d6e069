// The seeded store: deterministic, with related records and the variety an ETL must survive. That
// truth() counts what an ETL makes of its JSONL is checked with the ETL's own entities, in the
// repository's test/sandbox/generators.test.ts.
import { expect } from 'chai';
import { buildASTSchema, graphql, parse } from 'graphql';
import { readFileSync } from 'node:fs';
import { queryFile, queryNames } from './support/queries.ts';
import { Store } from '../src/store/index.ts';
import { makeStore, NOW, runBulk, withFilter, type Line } from './support/store.ts';

const MEDIA = new Set(['MediaImage', 'Video', 'ExternalVideo']);
const DISCOUNTS = new Set(['DiscountCodeApplication', 'AutomaticDiscountApplication', 'ManualDiscountApplication', 'ScriptDiscountApplication']);

/** Every bulk query's lines (a plain query, like the shop's, selects no connection and is no bulk query). */
async function allFiles(store: ReturnType<typeof makeStore>): Promise<Record<string, Line[]>> {
  const files: Record<string, Line[]> = {};
  for (const name of queryNames().filter((n) => queryFile(n).includes('edges'))) {
    const { lines, result } = await runBulk(store, queryFile(name));
    expect(result.objectCount, name).to.equal(lines.length);
    expect(result.rootObjectCount, name).to.equal(lines.filter((l) => l.__parentId === undefined).length);
    files[name] = lines;
  }
  return files;
}

describe('sandbox store: data', () => {
  it('gives byte-identical files for the same seed and size, and different ones for another seed', async () => {
    const query = queryFile('orders');
    const a = await runBulk(makeStore({}, 11), query);
    const b = await runBulk(makeStore({}, 11), query);
    const c = await runBulk(makeStore({}, 12), query);
    expect(a.text).to.equal(b.text);
    expect(a.result).to.deep.equal(b.result);
    expect(c.text).to.not.equal(a.text);
    expect(a.result.fileSize).to.equal(Buffer.byteLength(a.text));
  });

  it('writes Shopify-shaped JSONL: escaped slashes, __parentId last, a final newline, no unselected keys', async () => {
    const { text, lines } = await runBulk(makeStore(), queryFile('collections'));
    expect(text.endsWith('\n')).to.equal(true);
    expect(text).to.include('"id":"gid:\\/\\/shopify\\/Collection\\/');
    expect(text).to.not.match(/gid:\/\//);
    const child = lines.find((l) => l.__parentId !== undefined)!;
    expect(Object.keys(child)).to.deep.equal(['__typename', 'id', '__parentId']);
    const root = lines[0]!;
    expect(Object.keys(root)).to.deep.equal(['__typename', 'id', 'title', 'handle', 'sortOrder', 'templateSuffix', 'updatedAt']);
    expect(root.id).to.match(/^gid:\/\/shopify\/Collection\/\d{13}$/);
  });

  it('keeps its relations: line items, customers, inventory, locations and collections point at records that exist', async () => {
    const files = await allFiles(makeStore());
    const ids = (name: string, type: string): Set<string> => new Set(files[name]!.filter((l) => l.__typename === type).map((l) => l.id!));
    const products = ids('products', 'Product');
    const variants = ids('products', 'ProductVariant');
    const customers = ids('customers', 'Customer');
    const items = ids('inventory', 'InventoryItem');
    const locations = ids('locations', 'Location');

    const lineItems = files['orders']!.filter((l) => l.__typename === 'LineItem');
    const linked = lineItems.filter((l) => l['variant'] !== null);
    expect(linked.length).to.be.greaterThan(lineItems.length * 0.9);
    for (const item of linked) {
      expect(variants.has((item['variant'] as { id: string }).id)).to.equal(true);
      expect(products.has((item['product'] as { id: string }).id)).to.equal(true);
    }
    const orders = files['orders']!.filter((l) => l.__typename === 'Order');
    const withCustomer = orders.filter((o) => o['customer'] !== null);
    expect(withCustomer.length).to.be.greaterThan(orders.length * 0.8);
    for (const order of withCustomer) expect(customers.has((order['customer'] as { id: string }).id)).to.equal(true);
    for (const order of orders) {
      for (const f of order['fulfillments'] as Array<{ location: { id: string } | null }>) if (f.location) expect(locations.has(f.location.id)).to.equal(true);
    }

    // One inventory item per variant, both ways.
    const variantItems = files['products']!.filter((l) => l.__typename === 'ProductVariant').map((v) => (v['inventoryItem'] as { id: string }).id);
    expect(new Set(variantItems).size).to.equal(variantItems.length);
    expect(new Set(variantItems)).to.deep.equal(items);

    const levels = files['inventory']!.filter((l) => l.__typename === 'InventoryLevel');
    const active = new Set(files['locations']!.filter((l) => l['isActive'] === true).map((l) => l.id!));
    expect(active.size).to.be.lessThan(locations.size);
    for (const level of levels) {
      expect(active.has((level['location'] as { id: string }).id)).to.equal(true);
      expect(items.has(level.__parentId!)).to.equal(true);
      const q = Object.fromEntries((level['quantities'] as Array<{ name: string; quantity: number }>).map((x) => [x.name, x.quantity]));
      expect(Object.keys(q)).to.have.members(['available', 'on_hand', 'committed', 'incoming', 'reserved', 'damaged', 'quality_control', 'safety_stock']);
      expect(q['on_hand']).to.equal(Math.max(0, q['available']!) + q['committed']! + q['reserved']! + q['damaged']! + q['quality_control']! + q['safety_stock']!);
    }
    for (const member of files['collections']!.filter((l) => l.__parentId !== undefined)) expect(products.has(member.id!)).to.equal(true);

    // Customers have orders: numberOfOrders counts the orders that point at them.
    const perCustomer = new Map<string, number>();
    for (const order of withCustomer) {
      const id = (order['customer'] as { id: string }).id;
      perCustomer.set(id, (perCustomer.get(id) ?? 0) + 1);
    }
    for (const customer of files['customers']!.filter((l) => l.__typename === 'Customer')) {
      expect(customer['numberOfOrders']).to.equal(String(perCustomer.get(customer.id!) ?? 0));
    }
  });

  it('has the variety an ETL must survive: nulls, unicode, money strings, typed metafields, several media and discount kinds', async () => {
    const files = await allFiles(makeStore());
    const orders = files['orders']!;
    const typenames = new Set(orders.map((l) => l.__typename));
    expect([...typenames]).to.include.members(['Order', 'LineItem', 'ShippingLine']);
    expect([...typenames].filter((t) => DISCOUNTS.has(t ?? '')).length).to.be.greaterThan(2);
    const values = orders.filter((l) => DISCOUNTS.has(l.__typename ?? '')).map((l) => (l['value'] as { __typename: string }).__typename);
    expect(new Set(values)).to.deep.equal(new Set(['MoneyV2', 'PricingPercentageValue']));
    const total = (orders[0]!['totalPriceSet'] as { shopMoney: { amount: unknown; currencyCode: unknown } }).shopMoney;
    expect(total.amount).to.be.a('string').and.match(/^\d+\.\d{1,2}$/);
    expect(total.currencyCode).to.equal('USD');
    const media = files['products']!.filter((l) => MEDIA.has(l.__typename ?? ''));
    expect(new Set(media.map((m) => m.__typename)).size).to.be.greaterThan(1);
    expect(media.some((m) => m.__typename === 'MediaImage' && m['image'] === null)).to.equal(true);
    const metafields = files['metafields']!.filter((l) => l.__parentId !== undefined);
    expect(new Set(metafields.map((m) => m['type']))).to.deep.equal(new Set(['single_line_text_field', 'number_integer', 'boolean', 'json', 'date']));
    for (const m of metafields) expect(m['value']).to.be.a('string');
    // Every owner's metafields: each names its owner's type (MetafieldOwnerType: the GID type, upper case, no separator).
    // (The shop's are read with ordinary requests, not as a bulk file: the shop is no connection.)
    const owners = Object.entries(files).filter(([name]) => name.startsWith('metafields') && name !== 'metafields_shop');
    expect(owners.map(([name]) => name).sort()).to.deep.equal(['metafields', 'metafields_collections', 'metafields_companies', 'metafields_customers', 'metafields_draft_orders', 'metafields_locations', 'metafields_orders', 'metafields_variants']);
    for (const [name, lines] of owners) {
      const children = lines.filter((l) => l.__parentId !== undefined);
      expect(children.length, name).to.be.greaterThan(0);
      for (const m of children) expect(m['ownerType'], name).to.equal(m.__parentId!.split('/')[3]!.toUpperCase());
    }
    const names = files['customers']!.map((c) => `${String(c['firstName'])} ${String(c['lastName'])}`).join(' ');
    expect(names).to.match(/[^\x00-\x7f]/);
    expect(files['customers']!.some((c) => c.__parentId === undefined && c['defaultPhoneNumber'] === null)).to.equal(true);
    const locations = files['locations']!;
    expect(locations.some((l) => l['isActive'] === false && typeof l['deactivatedAt'] === 'string')).to.equal(true);
  });

  it('keeps every timestamp in the year before now(), ending at least an hour before it', async () => {
    const files = await allFiles(makeStore());
    const limit = Date.parse('2026-06-01T11:34:56Z');
    const yearAgo = Date.parse('2025-05-31T00:00:00Z');
    for (const line of Object.values(files).flat()) {
      for (const key of ['createdAt', 'updatedAt'] as const) {
        const value = line[key];
        if (typeof value !== 'string') continue;
        expect(Date.parse(value), `${line.id} ${key}`).to.be.within(yearAgo, limit);
      }
    }
  });

  const standIn = 'schema { query: QueryRoot } interface Node { id: ID! } scalar DateTime scalar UnsignedInt64 scalar URL type QueryRoot { node(id: ID!): Node }\n';
  const schema = buildASTSchema(parse(standIn + readFileSync(new URL('../src/schema/store.graphql', import.meta.url), 'utf8')));

  it('serves the shop to ordinary queries through its root value', async () => {
    const store = makeStore();
    const result = await graphql({ schema, source: queryFile('shop'), rootValue: store.rootValue() });
    expect(result.errors).to.equal(undefined);
    const shop = (result.data as { shop: Record<string, unknown> }).shop;
    expect(shop['myshopifyDomain']).to.equal('sandbox-test.myshopify.com');
    expect(shop['currencyCode']).to.equal('USD');
    expect(shop['id']).to.match(/^gid:\/\/shopify\/Shop\/\d{13}$/);
  });

  it('without read_all_orders serves only the orders created in the last 60 days, to bulk queries, connections and counts; other roots whole', async () => {
    const cut = new Store({ seed: 7, size: { orders: 30 }, shopDomain: 'sandbox-test.myshopify.com', now: () => NOW, allOrders: false });
    const all = makeStore({ orders: 30 });
    const historyStart = NOW.getTime() - 60 * 86_400_000;
    const orders = (await runBulk(all, '{ orders { edges { node { id createdAt } } } }')).lines;
    const recent = orders.filter((l) => Date.parse(String(l.createdAt)) >= historyStart).map((l) => l.id);
    expect(recent.length).to.be.greaterThan(0);
    expect(recent.length).to.be.lessThan(orders.length);
    expect((await runBulk(cut, '{ orders { edges { node { id createdAt } } } }')).lines.map((l) => l.id)).to.deep.equal(recent);
    // A window reaching past the 60 days gets only what lies inside them.
    expect((await runBulk(cut, withFilter('{ orders { edges { node { id } } } }', 'orders', "updated_at:>='2000-01-01T00:00:00Z'"))).lines.map((l) => l.id)).to.deep.equal(recent);
    const query = '{ orders: ordersCount(limit: null) { count } nodes: orders(first: 250) { nodes { id } } products: productsCount(limit: null) { count } }';
    const result = await graphql({ schema, source: query, rootValue: cut.rootValue() });
    expect(result.errors).to.equal(undefined);
    expect(result.data).to.deep.equal({ orders: { count: recent.length }, nodes: { nodes: recent.map((id) => ({ id })) }, products: { count: all.ids('products').length } });
  });

  it('counts each mutable root by the bulk root\'s own search filter, AT_LEAST past the limit', async () => {
    const store = makeStore({ orders: 30 });
    store.mutate({ touch: 4, add: 3, at: new Date('2026-05-31T00:00:00Z') });
    const filter = "updated_at:>='2026-05-30T00:00:00Z' AND updated_at:<'2026-06-01T00:00:00Z'";
    for (const root of ['orders', 'products', 'customers', 'draftOrders']) {
      const query = `query($q: String) { window: ${root}Count(query: $q, limit: null) { count precision } all: ${root}Count(limit: null) { count precision } capped: ${root}Count(limit: 2) { count precision } }`;
      const result = await graphql({ schema, source: query, rootValue: store.rootValue(), variableValues: { q: filter } });
      expect(result.errors, root).to.equal(undefined);
      const bulk = await runBulk(store, withFilter(`{ ${root} { edges { node { id } } } }`, root, filter));
      expect(bulk.result.rootObjectCount, root).to.be.greaterThan(2);
      expect(result.data, root).to.deep.equal({
        window: { count: bulk.result.rootObjectCount, precision: 'EXACT' },
        all: { count: store.ids(root).length, precision: 'EXACT' },
        capped: { count: 2, precision: 'AT_LEAST' },
      });
    }
  });

  it('serves one page of a root connection to ordinary queries: the lowest and highest id a search matches (and counts by id too)', async () => {
    const store = makeStore();
    const source = `query ($q: String!) {
      lowest: customers(first: 1, sortKey: ID, query: $q) { nodes { id } }
      highest: customers(first: 1, sortKey: ID, reverse: true, query: $q) { nodes { id } }
      none: orders(first: 1, query: "id:<=1") { nodes { id } }
      count: customersCount(query: $q, limit: null) { count }
    }`;
    const all = store.ids('customers');
    const after = all[3]!.split('/').at(-1);
    const result = await graphql({ schema, source, rootValue: store.rootValue(), variableValues: { q: `updated_at:<'2100-01-01T00:00:00Z' AND id:>${after}` } });
    expect(result.errors).to.equal(undefined);
    expect(result.data).to.deep.equal({ lowest: { nodes: [{ id: all[4] }] }, highest: { nodes: [{ id: all.at(-1) }] }, none: { nodes: [] }, count: { count: all.length - 4 } });
  });
});
