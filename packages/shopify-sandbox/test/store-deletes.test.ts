// The store's deletes: a deleted record leaves every query, count and the ground truth, with the
// records that go with it; a delete with events leaves a destroy event in `events` (and, for products
// and collections, a DeletionEvent), one without leaves none.
import { expect } from 'chai';
import { queryFile } from './support/queries.ts';
import { makeStore, NOW, runBulk, withFilter } from './support/store.ts';

const EVENTS = '{ events(query: "action:destroy") { edges { node { __typename id action createdAt message ... on BasicEvent { subjectId subjectType } } } } }';
const DELETION_EVENTS = '{ deletionEvents(subjectTypes: [PRODUCT, COLLECTION]) { edges { node { occurredAt subjectId subjectType } } } }';

describe('sandbox store: deletes', () => {
  it('a deleted product leaves products, its variants, inventory and collection memberships; its destroy event names it', async () => {
    const store = makeStore({ products: 10, orders: 0, customers: 4 });
    const before = store.truth();
    const [victim] = store.ids('products');
    const variants = (await runBulk(store, queryFile('products'))).lines.filter((l) => l.__parentId === victim && l.__typename === 'ProductVariant');
    expect(variants.length).to.be.greaterThan(0);

    store.remove({ entity: 'products', gids: [victim!] });

    expect(store.ids('products')).to.not.include(victim);
    const after = store.truth();
    expect(after.products).to.equal(before.products! - 1);
    expect(after.product_variants).to.equal(before.product_variants! - variants.length);
    expect(after.inventory_items).to.equal(before.inventory_items! - variants.length);
    const lines = (await runBulk(store, queryFile('products'))).lines;
    expect(lines.some((l) => l.id === victim || l.__parentId === victim)).to.equal(false);
    expect(lines.filter((l) => l.__typename === 'Product')).to.have.length(after.products!);
    const members = (await runBulk(store, queryFile('collections'))).lines.filter((l) => l.__typename === 'Product');
    expect(members.some((l) => l.id === victim)).to.equal(false);
    expect(members).to.have.length(after.collection_products!);

    const events = (await runBulk(store, EVENTS)).lines;
    expect(events).to.have.length(1);
    expect(events[0]).to.include({ __typename: 'BasicEvent', action: 'destroy', subjectId: victim, subjectType: 'PRODUCT', createdAt: NOW.toISOString().replace('.000Z', 'Z') });
    expect((await runBulk(store, DELETION_EVENTS)).lines).to.deep.equal([{ occurredAt: events[0]!.createdAt, subjectId: victim, subjectType: 'PRODUCT' }]);
  });

  it('deletes without events leave no event; variants, customers, orders, draft orders and collections can be deleted, and restored', async () => {
    const store = makeStore({ products: 6, orders: 8, customers: 5, draftOrders: 4 });
    const before = store.truth();
    const products = (await runBulk(store, queryFile('products'))).lines;
    const variant = products.find((l) => l.__typename === 'ProductVariant')!.id!;
    const collection = (await runBulk(store, queryFile('collections'))).lines.find((l) => l.__typename === 'Collection')!.id!;
    const [gone] = store.ids('customers');
    store.remove({ entity: 'customers', gids: store.ids('customers').slice(0, 2), events: false });
    store.remove({ entity: 'orders', gids: store.ids('orders').slice(0, 1), events: false });
    store.remove({ entity: 'draftOrders', gids: store.ids('draftOrders').slice(0, 1), events: false });
    store.remove({ entity: 'productVariants', gids: [variant], events: false });
    store.remove({ entity: 'collections', gids: [collection], events: false });

    const after = store.truth();
    expect([after.customers, after.orders, after.draft_orders, after.product_variants, after.collections])
      .to.deep.equal([before.customers! - 2, before.orders! - 1, before.draft_orders! - 1, before.product_variants! - 1, before.collections! - 1]);
    expect((await runBulk(store, queryFile('products'))).lines.some((l) => l.id === variant)).to.equal(false);
    expect((await runBulk(store, EVENTS)).lines).to.deep.equal([]);
    expect(() => store.remove({ entity: 'orders', gids: ['gid://shopify/Order/1'] })).to.throw(RangeError, 'not a Order of this store');

    store.restore({ entity: 'customers', gids: [gone!] });
    expect(store.truth().customers).to.equal(before.customers! - 1);
    expect(store.ids('customers')).to.include(gone);
    expect(() => store.restore({ entity: 'customers', gids: [gone!] })).to.throw(RangeError, 'is not deleted');
  });

  it('events are searched by created_at, action and subject_type', async () => {
    const store = makeStore({ products: 4, customers: 4, orders: 0 });
    const early = new Date('2026-05-01T00:00:00Z');
    store.remove({ entity: 'customers', gids: store.ids('customers').slice(0, 1), at: early });
    store.remove({ entity: 'products', gids: store.ids('products').slice(0, 1) });
    const search = async (filter: string): Promise<string[]> => (await runBulk(store, withFilter(EVENTS.replace('(query: "action:destroy")', ''), 'events', filter))).lines.map((l) => String(l.subjectType));
    expect(await search("action:destroy AND created_at:>='2026-05-02T00:00:00Z'")).to.deep.equal(['PRODUCT']);
    expect(await search("created_at:<'2026-05-02T00:00:00Z'")).to.deep.equal(['CUSTOMER']);
    expect(await search('subject_type:CUSTOMER')).to.deep.equal(['CUSTOMER']);
    expect(await search('action:create')).to.deep.equal([]);
  });
});
