// What a refund pays back and a return takes back, in detail: a refund's line items, refunded shipping
// and order adjustments, and a return's line items. Built from the order's own lines (as the ledger
// sells them) and fulfillments, so a refund line item points at a line item of its order, a return line
// item at a fulfillment line item that shipped one, and each refund's total is, to the cent, its line
// items' subtotal and tax plus its shipping's, less its adjustments (Shopify's order adjustments carry
// the difference between what a refund's lines come to and what was refunded).
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, type Rec } from './model.ts';
import { isLineItem, unitOf, type LedgerInput, type SoldLine } from './order-ledger.ts';
import { fulfillmentLineItemsOf } from './order-parts.ts';
import type { StoreGraph } from './graph.ts';

export interface RefundCounts {
  refundLineItems: number;
  refundShippingLines: number;
  orderAdjustments: number;
}

/** What a refund takes back: the whole order, one unit of a product line, or nothing (an amount only). */
export type Taken = { kind: 'whole' } | { kind: 'unit'; line: SoldLine } | { kind: 'amount' };

const DISCREPANCY_REASONS = ['REFUND_DISCREPANCY', 'CUSTOMER', 'DAMAGE'] as const;

/**
 * The order's refunds with their detail. A refund of the whole order refunds every line, restocked
 * where it was shipped from (RETURN) or, never shipped, where it was to ship from (CANCEL; gift cards
 * are not restocked), and its shipping. The first of a partial refund's takes back one unit of the
 * first line (the one the order's line items show gone), unrestocked, and an adjustment makes up the
 * difference to the amount refunded; a second is an amount only, an adjustment of all of it.
 */
export function refundsInDetail(g: StoreGraph, i: number, refunds: readonly Rec[], refundCents: readonly number[], ledger: LedgerInput, fulfillments: readonly Rec[]): { refunds: Rec[]; taken: Taken[]; counts: RefundCounts } {
  const counts: RefundCounts = { refundLineItems: 0, refundShippingLines: 0, orderAdjustments: 0 };
  const shippedFrom = new Map<Rec, Rec['location']>();
  for (const f of fulfillments) for (const item of fulfillmentLineItemsOf(f)) shippedFrom.set(item.lineItem as Rec, f.location ?? null);
  const [home] = g.activeLocations();
  const products = ledger.lines.filter(isLineItem);
  const taken: Taken[] = [];
  const detailed = refunds.map((refund, r): Rec => {
    const ordinal = i * 2 + r;
    const cents = refundCents[r]!;
    const lines: Rec[] = [];
    const shipping: Rec[] = [];
    const adjustments: Rec[] = [];
    const lineItem = (line: SoldLine, k: number, quantity: number, subtotal: number, tax: number, restockType: string, location: Rec['location']): Rec => ({
      __typename: 'RefundLineItem',
      id: gid('RefundLineItem', numericId(g.ctx.seed, IdBase.RefundLineItem, ordinal * 16 + k)),
      lineItem: line.record,
      quantity,
      restockType,
      restocked: restockType !== 'NO_RESTOCK',
      location,
      priceSet: ledger.bag(Math.round(line.cents / line.quantity)),
      subtotalSet: ledger.bag(subtotal),
      totalTaxSet: ledger.bag(tax),
    });
    const adjustment = (amount: number, reason: string): Rec => ({
      __typename: 'OrderAdjustment',
      id: gid('OrderAdjustment', numericId(g.ctx.seed, IdBase.OrderAdjustment, ordinal)),
      reason,
      amountSet: ledger.bag(amount),
      taxAmountSet: ledger.bag(0),
    });
    if (cents === ledger.total) {
      taken.push({ kind: 'whole' });
      for (const [k, line] of products.entries()) {
        const giftCard = line.record.isGiftCard === true;
        const shipped = shippedFrom.get(line.record);
        const [restockType, location] = giftCard ? ['NO_RESTOCK', null] : shipped !== undefined ? ['RETURN', shipped] : ['CANCEL', home === undefined ? null : () => g.location(home)];
        lines.push(lineItem(line, k, line.quantity, line.cents, line.taxCents, restockType, location));
      }
      for (const line of ledger.lines.filter((l) => l.kind === 'SHIPPING' && l.cents + l.taxCents > 0)) {
        shipping.push({
          __typename: 'RefundShippingLine',
          id: gid('RefundShippingLine', numericId(g.ctx.seed, IdBase.RefundShippingLine, ordinal)),
          shippingLine: line.record,
          subtotalAmountSet: ledger.bag(line.cents),
          taxAmountSet: ledger.bag(line.taxCents),
        });
      }
      // A tip, duties and an additional fee (Store.chargeOrders) are neither line items nor shipping: an adjustment refunds them.
      const charges = ledger.lines.filter((l) => !isLineItem(l) && l.kind !== 'SHIPPING').reduce((sum, l) => sum + l.cents + l.taxCents, 0);
      if (charges !== 0) adjustments.push(adjustment(-charges, 'REFUND_DISCREPANCY'));
    } else if (r === 0 && products.length > 0) {
      const line = products[0]!;
      taken.push({ kind: 'unit', line });
      const unit = unitOf(line);
      lines.push(lineItem(line, 0, 1, unit.cents, unit.taxCents, 'NO_RESTOCK', null));
      // Positive: less was refunded than the unit comes to; negative: more.
      const rest = unit.cents + unit.taxCents - cents;
      if (rest !== 0) adjustments.push(adjustment(rest, DISCREPANCY_REASONS[i % DISCREPANCY_REASONS.length]!));
    } else {
      taken.push({ kind: 'amount' });
      adjustments.push(adjustment(-cents, 'REFUND_DISCREPANCY'));
    }
    counts.refundLineItems += lines.length;
    counts.refundShippingLines += shipping.length;
    counts.orderAdjustments += adjustments.length;
    return {
      ...refund,
      refundLineItems: () => new Connection(lines),
      refundShippingLines: () => new Connection(shipping),
      orderAdjustments: () => new Connection(adjustments),
    };
  });
  return { refunds: detailed, taken, counts };
}

const REASONS = [
  { handle: 'size-too-small', name: 'Size was too small' },
  { handle: 'defective', name: 'Item is defective' },
  { handle: 'not-as-described', name: 'Not as described' },
  { handle: 'changed-mind', name: 'Customer changed their mind' },
] as const;

/**
 * The line items of return `k` of order `i`: up to `wanted` units, taken in order from what its
 * fulfillments shipped (successful ones first). A closed return was refunded; a requested one can be;
 * a declined one cannot.
 */
export function returnLineItems(g: StoreGraph, i: number, k: number, status: string, wanted: number, fulfillments: readonly Rec[]): Rec[] {
  const shipped = [...fulfillments].sort((a, b) => Number(a.status !== 'SUCCESS') - Number(b.status !== 'SUCCESS')).flatMap(fulfillmentLineItemsOf);
  const items: Rec[] = [];
  let left = wanted;
  for (const fli of shipped) {
    if (left === 0) break;
    const quantity = Math.min(left, fli.quantity as number);
    left -= quantity;
    const n = items.length;
    const reason = REASONS[(i + n) % REASONS.length]!;
    items.push({
      __typename: 'ReturnLineItem',
      id: gid('ReturnLineItem', numericId(g.ctx.seed, IdBase.ReturnLineItem, (i * 2 + k) * 4 + n)),
      quantity,
      refundableQuantity: status === 'REQUESTED' ? quantity : 0,
      refundedQuantity: status === 'CLOSED' ? quantity : 0,
      returnReasonDefinition: { __typename: 'ReturnReasonDefinition', id: gid('ReturnReasonDefinition', numericId(g.ctx.seed, IdBase.ReturnReasonDefinition, REASONS.indexOf(reason))), handle: reason.handle, name: reason.name, deleted: false },
      returnReasonNote: n === 0 && i % 3 === 0 ? 'Passt nicht / does not fit' : '',
      customerNote: n === 0 && i % 4 === 1 ? 'Bitte Gutschrift statt Erstattung' : null,
      fulfillmentLineItem: fli,
    });
  }
  return items;
}
