// An order's children that take the most telling: its discount applications, its payment history
// (transactions and refunds, consistent with its financial status) and its fulfillments with their
// tracking events. orders.ts builds the order around them.
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, type Rec } from './model.ts';
import { CARRIERS } from './names.ts';
import type { Rng } from './prng.ts';
import type { StoreGraph } from './graph.ts';
import { iso } from './time.ts';

export type FinancialStatus = 'PAID' | 'PENDING' | 'AUTHORIZED' | 'PARTIALLY_PAID' | 'PARTIALLY_REFUNDED' | 'REFUNDED' | 'VOIDED';

export interface LineDraft {
  p: number;
  v: number;
  deleted: boolean;
  quantity: number;
  unitCents: number;
  discountCents: number;
}

interface DiscountDraft {
  targetType: 'LINE_ITEM' | 'SHIPPING_LINE';
  percentage: number | null;
  fixedCents: number;
  record(index: number): Rec;
}

export function discountDrafts(rng: Rng, currency: string): DiscountDraft[] {
  const drafts: DiscountDraft[] = [];
  const count = rng.weighted([65, 28, 7]);
  for (let k = 0; k < count; k++) {
    const targetType = rng.chance(0.85) ? 'LINE_ITEM' : 'SHIPPING_LINE';
    const percentage = rng.chance(0.6) ? rng.pick([5, 10, 15, 20, 25, 100]) : null;
    const fixedCents = rng.pick([500, 1000, 1500]);
    const kind = rng.weighted([50, 25, 15, 10]);
    const code = rng.pick(['WELCOME10', 'SUMMER-25', 'FREESHIP', 'VIP2025', 'ÉTÉ15']);
    const title = rng.pick(['Summer sale', 'Buy 2 get 10%', 'Loyalty reward', 'Preisnachlass']);
    const description = rng.chance(0.5) ? 'Price match' : null;
    const allocationMethod = percentage === null && targetType === 'LINE_ITEM' ? 'ACROSS' : rng.pick(['ACROSS', 'EACH', 'ONE']);
    const targetSelection = targetType === 'SHIPPING_LINE' ? 'ALL' : rng.pick(['ALL', 'ENTITLED', 'EXPLICIT']);
    drafts.push({
      targetType,
      percentage,
      fixedCents,
      record: (index) => {
        const value: Rec = percentage === null
          ? { __typename: 'MoneyV2', amount: (fixedCents / 100).toFixed(1), currencyCode: currency }
          : { __typename: 'PricingPercentageValue', percentage };
        const common = { index, allocationMethod, targetSelection, targetType, value };
        switch (kind) {
          case 0: return { __typename: 'DiscountCodeApplication', ...common, code };
          case 1: return { __typename: 'AutomaticDiscountApplication', ...common, title };
          case 2: return { __typename: 'ManualDiscountApplication', ...common, title, description };
          default: return { __typename: 'ScriptDiscountApplication', ...common, title };
        }
      },
    });
  }
  return drafts;
}

export function payments(
  g: StoreGraph,
  i: number,
  rng: Rng,
  status: FinancialStatus,
  total: number,
  test: boolean,
  at: (f: number) => number,
  bag: (cents: number) => Rec,
): { transactions: Rec[]; refunds: Rec[]; refundedCents: number } {
  const transactions: Rec[] = [];
  const gateway = status === 'PENDING' ? 'manual' : rng.pick(['shopify_payments', 'shopify_payments', 'paypal', 'gift_card']);
  const add = (kind: string, txStatus: string, cents: number, when: number, parent: Rec | null): Rec => {
    const tx: Rec = {
      __typename: 'OrderTransaction',
      id: gid('OrderTransaction', numericId(g.ctx.seed, IdBase.OrderTransaction, i * 8 + transactions.length)),
      kind,
      status: txStatus,
      gateway,
      test,
      createdAt: iso(when),
      processedAt: txStatus === 'PENDING' ? null : iso(when),
      parentTransaction: parent,
      amountSet: bag(cents),
    };
    transactions.push(tx);
    return tx;
  };
  if (status !== 'PENDING' && status !== 'VOIDED' && rng.chance(0.06)) add('SALE', 'FAILURE', total, at(0), null);
  let paid: Rec | null = null;
  switch (status) {
    case 'PENDING':
      if (rng.chance(0.5)) add('SALE', 'PENDING', total, at(0.01), null);
      break;
    case 'AUTHORIZED':
      add('AUTHORIZATION', 'SUCCESS', total, at(0.01), null);
      break;
    case 'VOIDED': {
      const auth = add('AUTHORIZATION', 'SUCCESS', total, at(0.01), null);
      add('VOID', 'SUCCESS', total, at(0.5), auth);
      break;
    }
    case 'PARTIALLY_PAID':
      add('SALE', 'SUCCESS', Math.round(total / 2), at(0.01), null);
      break;
    default:
      if (rng.chance(0.4)) {
        const auth = add('AUTHORIZATION', 'SUCCESS', total, at(0.01), null);
        paid = add('CAPTURE', 'SUCCESS', total, at(0.1), auth);
      } else paid = add('SALE', 'SUCCESS', total, at(0.01), null);
  }
  const refunds: Rec[] = [];
  let refundedCents = 0;
  if (status === 'REFUNDED' || status === 'PARTIALLY_REFUNDED') {
    const parts = status === 'REFUNDED' ? [total] : rng.chance(0.2) ? [Math.round(total / 5), Math.round(total / 5)] : [Math.round(total / 3)];
    parts.forEach((cents, r) => {
      const when = at(0.7 + r * 0.1);
      add('REFUND', 'SUCCESS', cents, when, paid);
      refundedCents += cents;
      refunds.push({
        __typename: 'Refund',
        id: gid('Refund', numericId(g.ctx.seed, IdBase.Refund, i * 2 + r)),
        createdAt: iso(when),
        updatedAt: iso(when),
        processedAt: iso(when),
        note: rng.chance(0.5) ? rng.pick(['Damaged in transit', 'Größe passt nicht', 'Customer changed mind']) : null,
        totalRefundedSet: bag(cents),
      });
    });
  }
  return { transactions, refunds, refundedCents };
}

/** `lineItems`: the order's line item records, as `lines` drafts them; a fulfillment's line items point at them. */
export function fulfillmentRecords(g: StoreGraph, i: number, rng: Rng, status: string, lines: readonly LineDraft[], orderName: string, at: (f: number) => number, lineItems: readonly Rec[]): Rec[] {
  if (status === 'UNFULFILLED') return [];
  const shippable = lines.flatMap((l, j) => (g.productCore(l.p).isGiftCard ? [] : [{ ...l, j }]));
  const count = status === 'FULFILLED' && shippable.length > 1 && rng.chance(0.1) ? 2 : 1;
  const active = g.activeLocations();
  const records: Rec[] = [];
  for (let f = 0; f < count; f++) {
    const mine = shippable.filter((_, k) => k % count === f);
    const ordinal = i * 4 + f;
    const fulfillmentLineItems = mine.map((l): Rec => ({
      __typename: 'FulfillmentLineItem',
      id: gid('FulfillmentLineItem', numericId(g.ctx.seed, IdBase.FulfillmentLineItem, ordinal * 16 + l.j)),
      quantity: l.quantity,
      lineItem: lineItems[l.j]!,
    }));
    const carrier = rng.pick(CARRIERS);
    const trackingNumber = `1Z${String(ordinal).padStart(10, '0')}${rng.range(10, 99)}`;
    const created = at(0.3 + f * 0.1);
    const updated = at(0.6 + f * 0.1);
    const displayStatus = rng.pick(['DELIVERED', 'DELIVERED', 'IN_TRANSIT', 'FULFILLED', 'OUT_FOR_DELIVERY']);
    const locationIndex = active.length > 0 ? active[rng.int(active.length)] : undefined;
    const eventStatuses = displayStatus === 'DELIVERED' ? ['LABEL_PRINTED', 'IN_TRANSIT', 'DELIVERED'] : displayStatus === 'FULFILLED' ? [] : ['LABEL_PRINTED', 'IN_TRANSIT'];
    const events = eventStatuses.map((eventStatus, e): Rec => {
      const when = created + Math.floor(((e + 1) * (updated - created)) / (eventStatuses.length + 1));
      return {
        __typename: 'FulfillmentEvent',
        id: gid('FulfillmentEvent', numericId(g.ctx.seed, IdBase.FulfillmentEvent, ordinal * 4 + e)),
        status: eventStatus,
        happenedAt: iso(when),
        createdAt: iso(when),
        message: eventStatus === 'DELIVERED' ? 'Zugestellt / Delivered' : null,
      };
    });
    records.push({
      __typename: 'Fulfillment',
      id: gid('Fulfillment', numericId(g.ctx.seed, IdBase.Fulfillment, ordinal)),
      name: `${orderName}-F${f + 1}`,
      status: rng.chance(0.04) ? 'CANCELLED' : 'SUCCESS',
      displayStatus,
      createdAt: iso(created),
      updatedAt: iso(updated),
      totalQuantity: mine.reduce((s, l) => s + l.quantity, 0),
      fulfillmentLineItems: () => new Connection(fulfillmentLineItems),
      location: locationIndex === undefined ? null : () => g.location(locationIndex),
      trackingInfo: rng.chance(0.85) ? [{ __typename: 'FulfillmentTrackingInfo', company: carrier.company, number: trackingNumber, url: carrier.url + trackingNumber }] : [],
      events: () => new Connection(events),
    });
  }
  return records;
}

/** The line items a fulfillment shipped (fulfillmentRecords), in the order's line order. */
export function fulfillmentLineItemsOf(fulfillment: Rec): Rec[] {
  return [...(fulfillment.fulfillmentLineItems as () => Connection)().nodes];
}
