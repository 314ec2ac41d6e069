// The sales ledger (Order.agreements → sales) as Shopify types its lines: a line item that is a gift
// card is sold, refunded and edited as a GiftCardSale (lineType GIFT_CARD), any other as a ProductSale.
import { expect } from 'chai';
import { field, makeStore, type Rec } from './support/store.ts';


describe('sandbox store: sales ledger', () => {
  it('sells, refunds and edits a gift card line item as a GiftCardSale (lineType GIFT_CARD), any other line item as a ProductSale', () => {
    const store = makeStore({ products: 30, orders: 300, customers: 20 });
    const orders = field<Rec[]>(store.rootValue(), 'orders', { first: 1_000 });
    // Edited orders too: an edit's sales take a removed gift card back as a gift card.
    const editable = new Set(store.editableOrders());
    store.editOrders(orders.filter((o) => editable.has(o.id as string) && field<Rec[]>(o, 'lineItems').at(-1)!.isGiftCard === true).map((o) => o.id as string));
    const seen = new Map<string, number>();
    for (const order of field<Rec[]>(store.rootValue(), 'orders', { first: 1_000 })) {
      for (const agreement of field<Rec[]>(order, 'agreements')) {
        for (const sale of field<Rec[]>(agreement, 'sales')) {
          const line = field<Rec | undefined>(sale, 'lineItem');
          if (line === undefined) continue;
          const expected = line.isGiftCard === true ? ['GiftCardSale', 'GIFT_CARD'] : ['ProductSale', 'PRODUCT'];
          expect([sale.__typename, sale.lineType], `${String(sale.id)} of ${String(line.id)} (${String(agreement.reason)})`).to.deep.equal(expected);
          const key = `${String(sale.__typename)} ${String(agreement.reason)}`;
          seen.set(key, (seen.get(key) ?? 0) + 1);
        }
      }
    }
    // The store has gift cards sold, refunded and edited away.
    for (const reason of ['ORDER', 'REFUND', 'ORDER_EDIT']) expect(seen.get(`GiftCardSale ${reason}`) ?? 0, reason).to.be.greaterThan(0);
  });
});
