// An order's sales: the line-level ledger Shopify keeps under each sales agreement. The order's own
// agreement sells each line item (its discounted total plus its tax), the shipping and any tip, duties
// and additional fee; a refund of
// the whole order returns each of those; a partial refund returns the unit it takes back, if any, and
// adjusts by the rest of its amount. So an order's sales add up, to the cent, to its total less its
// refunds.
import { gid, IdBase, numericId } from './ids.ts';
import type { Rec } from './model.ts';

/** A line of the order as the ledger sells it: amounts in cents, the shop's currency. */
export interface SoldLine {
  record: Rec;
  /** GIFT_CARD: a line item that is a gift card (Shopify sells it as a GiftCardSale, not a ProductSale). */
  kind: 'PRODUCT' | 'GIFT_CARD' | 'SHIPPING' | 'TIP' | 'DUTY' | 'ADDITIONAL_FEE';
  quantity: number;
  /** After discounts, before tax. */
  cents: number;
  taxCents: number;
  discountCents: number;
}

export interface LedgerInput {
  seed: number;
  bag: (cents: number) => Rec;
  lines: readonly SoldLine[];
  total: number;
}

/** The Sale type selling a line of each kind (its lineType is the kind). */
const SALE_TYPES: Readonly<Record<SoldLine['kind'], string>> = { PRODUCT: 'ProductSale', GIFT_CARD: 'GiftCardSale', SHIPPING: 'ShippingLineSale', TIP: 'TipSale', DUTY: 'DutySale', ADDITIONAL_FEE: 'AdditionalFeeSale' };

/** Whether the line is one of the order's line items (a product or a gift card). */
export function isLineItem(line: SoldLine): boolean {
  return line.kind === 'PRODUCT' || line.kind === 'GIFT_CARD';
}

/** What a sale of the line points at: its line item, or its shipping line. */
function soldRecord(line: SoldLine): Rec {
  return isLineItem(line) ? { lineItem: line.record } : { shippingLine: line.record };
}

/** The sales of the agreement with ordinal `ordinal`: selling the lines (sign 1) or returning them (-1). */
export function lineSales(input: LedgerInput, ordinal: number, sign: 1 | -1): Rec[] {
  return input.lines.map((l, k) => sale(input, ordinal, k, {
    __typename: SALE_TYPES[l.kind],
    actionType: sign === 1 ? 'ORDER' : 'RETURN',
    lineType: l.kind,
    quantity: sign * l.quantity,
    total: sign * (l.cents + l.taxCents),
    tax: sign * l.taxCents,
    discount: sign * l.discountCents,
    ...soldRecord(l),
  }));
}

/** An order edit's sales: per line as placed, what the edit changed of it (a line removed is taken back whole), as UPDATE sales. */
export function editSales(placed: LedgerInput, now: LedgerInput, ordinal: number): Rec[] {
  const current = new Map(now.lines.map((l) => [l.record.id, l]));
  return placed.lines.flatMap((l, k) => {
    const after = current.get(l.record.id);
    const [quantity, cents, tax, discount] = [(after?.quantity ?? 0) - l.quantity, (after?.cents ?? 0) - l.cents, (after?.taxCents ?? 0) - l.taxCents, (after?.discountCents ?? 0) - l.discountCents];
    if (quantity === 0 && cents === 0 && tax === 0 && discount === 0) return [];
    return [sale(placed, ordinal, k, {
      __typename: SALE_TYPES[l.kind], actionType: 'UPDATE', lineType: l.kind, quantity, total: cents + tax, tax, discount,
      ...soldRecord(l),
    })];
  });
}

/** One unit of a line, as a partial refund takes it back: its share of the line's amount, tax and discount. */
export function unitOf(line: SoldLine): { cents: number; taxCents: number; discountCents: number } {
  return { cents: Math.round(line.cents / line.quantity), taxCents: Math.round(line.taxCents / line.quantity), discountCents: Math.round(line.discountCents / line.quantity) };
}

/** A refund of `cents` that takes back one unit of the line item `line`: the unit's return, and an adjustment of the difference. */
export function unitRefundSales(input: LedgerInput, ordinal: number, line: SoldLine, cents: number): Rec[] {
  const unit = unitOf(line);
  const returned = sale(input, ordinal, 0, { __typename: SALE_TYPES[line.kind], actionType: 'RETURN', lineType: line.kind, quantity: -1, total: -(unit.cents + unit.taxCents), tax: -unit.taxCents, discount: -unit.discountCents, lineItem: line.record });
  // Positive where less was refunded than the unit comes to.
  const rest = unit.cents + unit.taxCents - cents;
  return rest === 0 ? [returned] : [returned, sale(input, ordinal, 1, { __typename: 'AdjustmentSale', actionType: 'RETURN', lineType: 'ADJUSTMENT', quantity: null, total: rest, tax: 0, discount: 0 })];
}

/** A refund of part of the order that takes nothing back: one adjustment of its amount. */
export function adjustmentSale(input: LedgerInput, ordinal: number, cents: number): Rec {
  return sale(input, ordinal, 0, { __typename: 'AdjustmentSale', actionType: 'RETURN', lineType: 'ADJUSTMENT', quantity: null, total: -cents, tax: 0, discount: 0 });
}

function sale(input: LedgerInput, ordinal: number, k: number, s: { __typename: string; actionType: string; lineType: string; quantity: number | null; total: number; tax: number; discount: number; [field: string]: unknown }): Rec {
  const { total, tax, discount, ...fields } = s;
  return {
    ...(fields as Rec),
    id: gid('Sale', numericId(input.seed, IdBase.Sale, ordinal * 32 + k)),
    totalAmount: input.bag(total),
    totalTaxAmount: input.bag(tax),
    totalDiscountAmountBeforeTaxes: input.bag(discount),
    totalDiscountAmountAfterTaxes: input.bag(discount),
  };
}
