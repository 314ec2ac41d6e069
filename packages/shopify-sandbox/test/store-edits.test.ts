// Order edits: an edited order loses its last line item (its totals follow), and it and its customer
// move to the edit's time, so an incremental reader reads both again.
import { expect } from 'chai';
import { queryFile } from './support/queries.ts';
import { makeStore, NOW, runBulk } from './support/store.ts';

describe('sandbox store: order edits', () => {
  it('an edited order loses its last line item, its total drops by it, and it and its customer are updated at the edit', async () => {
    const store = makeStore({ products: 6, orders: 30, customers: 10 });
    const before = (await runBulk(store, queryFile('orders'))).lines;
    const itemsOf = (lines: typeof before, order: string) => lines.filter((l) => l.__typename === 'LineItem' && l.__parentId === order);
    const order = before.find((l) => l.__typename === 'Order' && l.customer !== null && itemsOf(before, l.id as string).length >= 2)!;
    const single = before.find((l) => l.__typename === 'Order' && itemsOf(before, l.id as string).length === 1)!;
    const truth = store.truth();
    const at = new Date(NOW.getTime() + 60_000);

    store.editOrders([order.id as string], at);

    const after = (await runBulk(store, queryFile('orders'))).lines;
    const kept = itemsOf(before, order.id as string).slice(0, -1);
    expect(itemsOf(after, order.id as string)).to.deep.equal(kept);
    const edited = after.find((l) => l.id === order.id)!;
    const total = (o: Record<string, unknown>): number => Number((o.totalPriceSet as { shopMoney: { amount: string } }).shopMoney.amount);
    expect(total(edited)).to.be.lessThan(total(order));
    expect(edited.updatedAt).to.equal(at.toISOString().replace('.000Z', 'Z'));
    expect(store.truth().order_line_items).to.equal(truth.order_line_items! - 1);
    const customer = (order.customer as { id: string }).id;
    expect(store.ids('customers', { since: at })).to.deep.equal([customer]);
    expect(() => store.editOrders([single.id as string], at)).to.throw(RangeError, 'one line item');
  });
});
