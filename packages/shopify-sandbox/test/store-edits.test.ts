// Order edits: an edited order's last line item is removed as Shopify removes one (set to quantity
// zero): it stays on the order with its quantity and its own figures as placed, currentQuantity 0; the
// order's totals, fulfillment orders and gift cards leave it out; and the order and its customer move
// to the edit's time, so an incremental reader reads both again.
import { expect } from 'chai';
import { queryFile } from './support/queries.ts';
import { field, makeStore, NOW, runBulk, type Rec } from './support/store.ts';


describe('sandbox store: order edits', () => {
  it('an edited order keeps its removed line item at currentQuantity 0, its total drops by it, and it and its customer are updated at the edit', async () => {
    const store = makeStore({ products: 6, orders: 30, customers: 10 });
    const before = (await runBulk(store, queryFile('orders'))).lines;
    const itemsOf = (lines: typeof before, order: string) => lines.filter((l) => l.__typename === 'LineItem' && l.__parentId === order);
    const shippedOf = async (order: string) => (await runBulk(store, queryFile('fulfillment_orders'))).lines.filter((l) => l.__typename === 'FulfillmentOrderLineItem' && itemsOf(before, order).some((i) => i.id === (l.lineItem as { id: string }).id)).map((l) => (l.lineItem as { id: string }).id);
    // An order whose last line is not fulfilled: an edit removes only unfulfilled units (the next test).
    const editable = new Set(store.editableOrders());
    const order = before.find((l) => l.__typename === 'Order' && editable.has(l.id as string) && l.customer !== null && l.cancelledAt === null && itemsOf(before, l.id as string).filter((i) => i.requiresShipping === true).length >= 2)!;
    const single = before.find((l) => l.__typename === 'Order' && itemsOf(before, l.id as string).length === 1)!;
    const truth = store.truth();
    const at = new Date(NOW.getTime() + 60_000);
    const items = itemsOf(before, order.id as string);
    const removed = items.at(-1)!;
    expect(removed.currentQuantity, 'the line still had units before the edit').to.be.greaterThan(0);
    const shippedBefore = await shippedOf(order.id as string);

    store.editOrders([order.id as string], at);

    const after = (await runBulk(store, queryFile('orders'))).lines;
    // The same line items, the last one at currentQuantity 0 and otherwise as placed (Shopify's quantity,
    // originalTotalSet, discountedTotalSet, totalDiscountSet and taxLines include removed units).
    expect(itemsOf(after, order.id as string)).to.deep.equal([...items.slice(0, -1), { ...removed, currentQuantity: 0 }]);
    const edited = after.find((l) => l.id === order.id)!;
    const money = (o: Record<string, unknown>, field: string): number => Number((o[field] as { shopMoney: { amount: string } }).shopMoney.amount);
    // The order's subtotal no longer holds the removed line's units.
    expect(money(edited, 'subtotalPriceSet')).to.be.lessThan(money(order, 'subtotalPriceSet'));
    expect(money(edited, 'totalPriceSet')).to.be.lessThan(money(order, 'totalPriceSet'));
    expect(edited.updatedAt).to.equal(at.toISOString().replace('.000Z', 'Z'));
    expect(store.truth().order_line_items).to.equal(truth.order_line_items);
    // Nothing is left to fulfil of the removed line.
    expect(shippedBefore).to.include(removed.id);
    expect(await shippedOf(order.id as string)).to.deep.equal(shippedBefore.filter((id) => id !== removed.id));
    const customer = (order.customer as { id: string }).id;
    expect(store.ids('customers', { since: at })).to.deep.equal([customer]);
    expect(() => store.editOrders([single.id as string], at)).to.throw(RangeError, 'one line item');
  });

  it('refuses to remove a line item with fulfilled units, as Shopify refuses an edit below its fulfilled quantity, or to edit an order with refunds, and leaves the order as it was; editableOrders lists exactly the orders it edits', async () => {
    const store = makeStore({ products: 6, orders: 60, customers: 10 });
    const orders = field<Rec[]>(store.rootValue(), 'orders', { first: 1_000 });
    const lastLine = (o: Rec): Rec => field<Rec[]>(o, 'lineItems').at(-1)!;
    const fulfilledUnits = (o: Rec): number => (o.fulfillments as Rec[]).flatMap((f) => field<Rec[]>(f, 'fulfillmentLineItems')).filter((fl) => (fl.lineItem as Rec).id === lastLine(o).id).reduce((n, fl) => n + (fl.quantity as number), 0);
    const several = orders.filter((o) => field<Rec[]>(o, 'lineItems').length >= 2 && (o.refunds as Rec[]).length === 0);
    const refunded = orders.filter((o) => field<Rec[]>(o, 'lineItems').length >= 2 && (o.refunds as Rec[]).length > 0);
    expect(refunded.length, 'orders with refunds').to.be.greaterThan(0);
    const fulfilled = several.filter((o) => fulfilledUnits(o) > 0);
    const unfulfilled = several.filter((o) => fulfilledUnits(o) === 0);
    expect(fulfilled.length, 'orders whose last line is fulfilled').to.be.greaterThan(0);
    expect(unfulfilled.length, 'orders whose last line is not').to.be.greaterThan(0);
    expect(store.editableOrders()).to.deep.equal(unfulfilled.map((o) => o.id));
    const before = (await runBulk(store, queryFile('orders'))).lines;
    for (const o of fulfilled) expect(() => store.editOrders([o.id as string], new Date(NOW.getTime() + 60_000)), String(o.id)).to.throw(RangeError, 'fulfilled');
    // Its refunds are drawn from its total: an edit would rewrite those made before it.
    for (const o of refunded) expect(() => store.editOrders([o.id as string], new Date(NOW.getTime() + 60_000)), String(o.id)).to.throw(RangeError, 'refunds');
    expect((await runBulk(store, queryFile('orders'))).lines).to.deep.equal(before);
  });

  it('dates the edit agreement at the edit, when the order is updated: happenedAt equals the order\'s updatedAt; an edit before the order\'s last update or a second edit is refused', () => {
    const store = makeStore({ products: 6, orders: 60, customers: 10 });
    const [first, second] = store.editableOrders();
    const orderOf = (id: string): Rec => field<Rec[]>(store.rootValue(), 'orders', { first: 1_000 }).find((o) => o.id === id)!;
    const updatedBefore = Date.parse(orderOf(second!).updatedAt as string);
    const at = new Date(NOW.getTime() + 60_000);
    store.editOrders([first!], at);
    const order = orderOf(first!);
    const edits = field<Rec[]>(order, 'agreements').filter((a) => a.reason === 'ORDER_EDIT');
    expect(edits.map((a) => a.happenedAt), 'the edit agreement').to.deep.equal([at.toISOString().replace('.000Z', 'Z')]);
    expect(order.updatedAt).to.equal(edits[0]!.happenedAt);
    expect(() => store.editOrders([first!], new Date(at.getTime() + 60_000)), 'a second edit').to.throw(RangeError, 'edited');
    expect(() => store.editOrders([second!], new Date(updatedBefore - 1000)), 'an edit before the order\'s last update').to.throw(RangeError, 'before');
    expect(orderOf(second!).edited).to.equal(false);
  });
});
