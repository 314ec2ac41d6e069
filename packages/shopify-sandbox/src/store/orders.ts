// Orders with their line items (pointing at real variants), shipping lines, discount applications,
// tax lines, transactions, refunds and fulfillments. Amounts are integer cents, so the totals add up:
// total = subtotal (after discounts) + shipping + tax + tip + duties + additional fees (the last three
// only on orders given them: Store.chargeOrders).
import { mailingAddress, addressCore } from './customers.ts';
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, moneyBag, type Rec } from './model.ts';
import { NOTES, TAGS, type Place } from './names.ts';
import { afterSale, type AfterSale } from './order-after-sale.ts';
import { orderRisk } from './order-risk.ts';
import type { LedgerInput, SoldLine } from './order-ledger.ts';
import { discountDrafts, fulfillmentLineItemsOf, fulfillmentRecords, payments, type FinancialStatus, type LineDraft } from './order-parts.ts';
import { rngFor, Streams } from './prng.ts';
import { mutableNodes, rootIndexes, inWindow, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { iso } from './time.ts';
import { metafieldConnection } from './metafields.ts';

export interface BuiltOrder {
  record: Rec;
  /** What the order adds to its customer's amountSpent (0 for test and cancelled orders). */
  spendCents: number;
  counts: { lineItems: number; shippingLines: number; discountApplications: number; transactions: number; refunds: number; fulfillments: number; risks: number } & AfterSale['counts'];
  /** Its lines as the ledger sells them (as placed, with `asPlaced`). */
  ledger: LedgerInput;
  /** The ids of its line items an edit removed (store.editOrders): still among its lineItems, at currentQuantity 0, as Shopify keeps them; nothing ships or issues them. */
  removed: ReadonlySet<string>;
}

const PRESENTMENT = [
  { currency: 'USD', rate: 1, weight: 85 },
  { currency: 'EUR', rate: 0.92, weight: 7 },
  { currency: 'GBP', rate: 0.79, weight: 4 },
  { currency: 'CAD', rate: 1.36, weight: 4 },
] as const;

/** Order i as it is now; `asPlaced`: as it was before any edit (store.editOrders), for what an edit leaves behind (tender transactions). */
export function buildOrder(g: StoreGraph, i: number, asPlaced = false): BuiltOrder {
  const { ctx } = g;
  const rng = rngFor(ctx.seed, Streams.order, i);
  const times = ctx.rootTimes('orders', i);
  const at = (f: number): number => times.created + Math.floor(f * (times.baseUpdated - times.created));
  const presentment = PRESENTMENT[rng.weighted(PRESENTMENT.map((x) => x.weight))] ?? PRESENTMENT[0];
  const bag = (cents: number): Rec => moneyBag(cents, ctx.shopCurrency, presentment.currency, presentment.rate);
  const number = 1001 + i;
  const name = `#${number}`;
  const test = rng.chance(0.01);
  const cancelled = rng.chance(0.04);
  const status: FinancialStatus = cancelled
    ? rng.chance(0.5) ? 'VOIDED' : 'REFUNDED'
    : (['PAID', 'PENDING', 'AUTHORIZED', 'PARTIALLY_PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'] as const)[rng.weighted([76, 6, 5, 2, 6, 5])] ?? 'PAID';
  const customerIndex = g.orderCustomer(i);
  const customer = customerIndex === null ? null : g.customerCore(customerIndex);

  // Line items: each points at a variant of a seeded product (rarely one deleted since).
  const lines: LineDraft[] = [];
  const lineCount = 1 + rng.weighted([25, 22, 18, 13, 9, 6, 4, 3]);
  for (let j = 0; j < lineCount; j++) {
    const p = rng.int(ctx.size.products);
    const core = g.productCore(p);
    const v = rng.int(core.variants.length);
    lines.push({ p, v, deleted: rng.chance(0.02), quantity: 1 + rng.weighted([70, 20, 10]), unitCents: core.variants[v]?.priceCents ?? 0, discountCents: 0 });
  }
  // An order edit that removed the last line item; drawn first, so the rest of the order stays as it was.
  // The order as placed gives the removed line's record (its own figures are as placed: Shopify's
  // quantity, totals, discounts and taxes of a line include removed units) and what its own agreement sold.
  const placed = !asPlaced && ctx.overlay.editedOrders.has(i) ? buildOrder(g, i, true) : null;
  // As placed: an edit removing the only line to ship (a gift card order's, unfulfilled) leaves the
  // order's shipping line and address as Shopify does, and the order's draws as they were.
  const needsShipping = lines.some((l) => !g.productCore(l.p).isGiftCard);
  if (placed !== null) lines.pop();
  const billing = customer?.addresses[0] ?? addressCore(rng, rng.pick(['Alex', 'Sam', 'Noa']), rng.pick(['Guest', 'Lee']), null);
  const shippingTo = customer?.addresses[rng.int(customer.addresses.length)] ?? billing;
  const place: Place = shippingTo.place;

  // Discounts: percentages or fixed amounts, on line items or on shipping.
  const discounts = discountDrafts(rng, ctx.shopCurrency);
  const shippingOriginal = needsShipping ? rng.pick([0, 499, 799, 1299, 2500]) : 0;
  let shippingDiscount = 0;
  for (const d of discounts) {
    if (d.targetType === 'SHIPPING_LINE') {
      const cut = d.percentage === null ? Math.min(d.fixedCents, shippingOriginal) : Math.round((shippingOriginal * d.percentage) / 100);
      shippingDiscount = Math.min(shippingOriginal, shippingDiscount + cut);
    } else {
      const gross = lines.reduce((s, l) => s + l.unitCents * l.quantity, 0);
      for (const l of lines) {
        const lineTotal = l.unitCents * l.quantity;
        const cut = d.percentage === null ? Math.round((d.fixedCents * lineTotal) / Math.max(1, gross)) : Math.round((lineTotal * d.percentage) / 100);
        l.discountCents = Math.min(lineTotal, l.discountCents + cut);
      }
    }
  }

  const taxTitle = place.taxTitle;
  const rate = place.taxRate;
  const taxLine = (cents: number): Rec[] =>
    rate === 0 || cents === 0 ? [] : [{ __typename: 'TaxLine', title: taxTitle, rate, ratePercentage: percent(rate), priceSet: bag(Math.round(cents * rate)) }];

  let subtotal = 0;
  let tax = 0;
  let lineDiscounts = 0;
  const lineItems = lines.map((l, j): Rec => {
    const core = g.productCore(l.p);
    const variant = core.variants[l.v];
    const original = l.unitCents * l.quantity;
    const discounted = original - l.discountCents;
    const taxable = variant?.taxable ?? false;
    const taxes = taxable ? taxLine(discounted) : [];
    subtotal += discounted;
    lineDiscounts += l.discountCents;
    tax += taxable && rate > 0 ? Math.round(discounted * rate) : 0;
    return {
      __typename: 'LineItem',
      id: gid('LineItem', numericId(ctx.seed, IdBase.LineItem, i * 16 + j)),
      name: variant?.variantTitle ? `${core.title} - ${variant.variantTitle}` : core.title,
      title: core.title,
      variantTitle: variant?.variantTitle ?? null,
      sku: variant?.sku ?? null,
      vendor: core.vendor,
      quantity: l.quantity,
      // Refunded and cancelled items leave the order; a partial refund takes one unit of the first line.
      currentQuantity: cancelled || status === 'REFUNDED' ? 0 : status === 'PARTIALLY_REFUNDED' && j === 0 ? l.quantity - 1 : l.quantity,
      requiresShipping: !core.isGiftCard,
      taxable,
      isGiftCard: core.isGiftCard,
      variant: l.deleted ? null : () => g.variant(l.p, l.v),
      product: l.deleted ? null : () => g.product(l.p),
      originalUnitPriceSet: bag(l.unitCents),
      discountedUnitPriceSet: bag(Math.round(discounted / l.quantity)),
      originalTotalSet: bag(original),
      discountedTotalSet: bag(discounted),
      totalDiscountSet: bag(l.discountCents),
      taxLines: taxes,
    };
  });

  const shippingLines: Rec[] = [];
  if (needsShipping) {
    const shippingPrice = shippingOriginal - shippingDiscount;
    const shippingTaxed = place.countryCode !== 'US';
    if (shippingTaxed) tax += Math.round(shippingPrice * rate);
    const method = rng.pick([
      { title: 'Standard Shipping', code: 'Standard', source: 'shopify', carrier: null },
      { title: 'Express', code: 'EXPRESS', source: 'ups_shipping', carrier: '650f1a14fa979ec5c74d063e968411d4' },
      { title: 'Abholung im Laden', code: 'pickup', source: 'shopify', carrier: null },
    ]);
    shippingLines.push({
      __typename: 'ShippingLine',
      id: gid('ShippingLine', numericId(ctx.seed, IdBase.ShippingLine, i)),
      title: method.title,
      code: method.code,
      source: method.source,
      carrierIdentifier: method.carrier,
      originalPriceSet: bag(shippingOriginal),
      discountedPriceSet: bag(shippingPrice),
      taxLines: shippingTaxed ? taxLine(shippingPrice) : [],
    });
  }
  const shippingTotal = shippingOriginal - shippingDiscount;
  // A tip of 15%, duties of 6.5% of the goods and a flat import fee: Shopify's totalPriceSet holds them
  // (duties included in the prices are in the line items already).
  const charged = ctx.overlay.chargedOrders.get(i);
  const charges = charged === undefined ? null : { tip: Math.round(subtotal * 0.15), duties: Math.round(subtotal * 0.065), fee: 450, dutiesIncluded: charged.dutiesIncluded };
  const total = subtotal + shippingTotal + tax + (charges === null ? 0 : charges.tip + (charges.dutiesIncluded ? 0 : charges.duties) + charges.fee);

  const { transactions, refunds, refundedCents } = payments(g, i, rng, status, total, test, at, bag);

  // Shopify keeps a removed line on the order with currentQuantity 0 (orderEditSetQuantity to zero).
  const removedLine: Rec | null = placed === null ? null : { ...([...(placed.record.lineItems as () => Connection)().nodes][lines.length] as Rec), currentQuantity: 0 };
  const allLineItems = removedLine === null ? lineItems : [...lineItems, removedLine];
  const fulfillmentStatus = cancelled || !needsShipping || status === 'PENDING' ? 'UNFULFILLED' : (['FULFILLED', 'UNFULFILLED', 'PARTIALLY_FULFILLED'] as const)[rng.weighted([75, 15, 10])] ?? 'FULFILLED';
  const fulfillments = fulfillmentRecords(g, i, rng, fulfillmentStatus, lines, name, at, lineItems);
  const closed = !cancelled && fulfillmentStatus === 'FULFILLED' && status === 'PAID' && rng.chance(0.6);
  const cancelledAt = cancelled ? at(0.5) : null;
  const shippingAddressId = `${gid('MailingAddress', numericId(ctx.seed, IdBase.Address, i * 2 + 1))}?model_name=Address`;
  const billingAddressId = `${gid('MailingAddress', numericId(ctx.seed, IdBase.Address, i * 2))}?model_name=Address`;

  const record: Rec = {
    __typename: 'Order',
    id: gid('Order', numericId(ctx.seed, IdBase.Order, i)),
    name,
    number,
    createdAt: iso(times.created),
    updatedAt: iso(times.updated),
    processedAt: iso(rng.chance(0.03) ? times.created - rng.int(30) * 86_400 : times.created),
    cancelledAt: cancelledAt === null ? null : iso(cancelledAt),
    cancelReason: cancelled ? rng.pick(['CUSTOMER', 'INVENTORY', 'FRAUD', 'DECLINED', 'OTHER', 'STAFF']) : null,
    closedAt: cancelledAt !== null ? iso(cancelledAt) : closed ? iso(times.baseUpdated) : null,
    email: customer ? customer.email : rng.chance(0.8) ? `guest${number}@example.com` : null,
    phone: customer?.phone ?? null,
    test,
    confirmed: rng.chance(0.98),
    currencyCode: ctx.shopCurrency,
    presentmentCurrencyCode: presentment.currency,
    displayFinancialStatus: status,
    displayFulfillmentStatus: fulfillmentStatus,
    sourceName: rng.pick(['web', 'web', 'pos', 'shopify_draft_order', '580111', 'iphone']),
    tags: rng.some(TAGS, 3),
    note: rng.chance(0.2) ? rng.pick(NOTES) : null,
    customer: customerIndex === null ? null : () => g.customer(customerIndex),
    subtotalPriceSet: bag(subtotal),
    totalPriceSet: bag(total + (ctx.overlay.skewedTotals.get(i) ?? 0)),
    // As placed: an edit changes totalPriceSet, not this (a skewed total is skewed in totalPriceSet alone).
    originalTotalPriceSet: bag(placed?.ledger.total ?? total),
    totalTaxSet: bag(tax),
    totalDiscountsSet: bag(lineDiscounts + shippingDiscount),
    totalShippingPriceSet: bag(shippingTotal),
    totalRefundedSet: bag(refundedCents),
    totalTipReceivedSet: bag(charges?.tip ?? 0),
    // Null on an order without any, as in Shopify.
    originalTotalDutiesSet: charges === null ? null : bag(charges.duties),
    originalTotalAdditionalFeesSet: charges === null ? null : bag(charges.fee),
    dutiesIncluded: charges?.dutiesIncluded ?? false,
    edited: placed !== null,
    billingAddress: rng.chance(0.05) ? null : mailingAddress(billing, billingAddressId),
    shippingAddress: needsShipping ? mailingAddress(shippingTo, shippingAddressId) : null,
    taxLines: tax === 0 ? [] : [{ __typename: 'TaxLine', title: taxTitle, rate, ratePercentage: percent(rate), priceSet: bag(tax) }],
    transactions,
    refunds,
    fulfillments,
    lineItems: () => new Connection(allLineItems),
    shippingLines: () => new Connection(shippingLines),
    discountApplications: () => new Connection(discounts.map((d, index) => d.record(index))),
    metafields: metafieldConnection(ctx, 'ORDER', i, times.created),
  };
  // Its own random stream, drawn after the order's: the order's other fields stay as they were.
  const sold: SoldLine[] = lines.map((l, j) => {
    const cents = l.unitCents * l.quantity - l.discountCents;
    return { record: lineItems[j]!, kind: g.productCore(l.p).isGiftCard ? 'GIFT_CARD' : 'PRODUCT', quantity: l.quantity, cents, taxCents: lineItems[j]!.taxable && rate > 0 ? Math.round(cents * rate) : 0, discountCents: l.discountCents };
  });
  for (const line of shippingLines) {
    sold.push({ record: line, kind: 'SHIPPING', quantity: 1, cents: shippingTotal, taxCents: place.countryCode !== 'US' ? Math.round(shippingTotal * rate) : 0, discountCents: shippingDiscount });
  }
  if (charges !== null) {
    // The tip is a line item of its own in Shopify's ledger (not among the order's lineItems): the last of the order's 16 line item ids.
    const charge = (kind: SoldLine['kind'], type: string, id: number, cents: number): SoldLine => ({ record: { __typename: type, id: gid(type, id) }, kind, quantity: 1, cents, taxCents: 0, discountCents: 0 });
    sold.push(charge('TIP', 'LineItem', numericId(ctx.seed, IdBase.LineItem, i * 16 + 15), charges.tip), charge('ADDITIONAL_FEE', 'AdditionalFee', numericId(ctx.seed, IdBase.AdditionalFee, i), charges.fee));
    if (!charges.dutiesIncluded) sold.push(charge('DUTY', 'Duty', numericId(ctx.seed, IdBase.Duty, i), charges.duties));
  }
  const refundCents = refunds.map((r) => Math.round(Number(((r.totalRefundedSet as Rec).shopMoney as Rec).amount) * 100));
  const ledger: LedgerInput = { seed: ctx.seed, bag, lines: sold, total };
  const later = afterSale(g, {
    i, createdAt: times.created, at, sourceName: record.sourceName as string, refunds, refundCents, fulfillments,
    quantity: lines.reduce((q, l) => q + l.quantity, 0), ledger,
    // An edited order's own agreement still sells what was placed; its edit agreement sells the difference.
    placed: placed === null ? null : { ledger: placed.ledger, at: ctx.overlay.editedOrders.get(i)! },
  });
  const risk = orderRisk(ctx.seed, { i, sourceName: record.sourceName as string, cancelReason: record.cancelReason as string | null });
  return {
    record: { ...record, ...later.fields, risk },
    spendCents: test || cancelled ? 0 : total - refundedCents,
    counts: {
      lineItems: allLineItems.length,
      shippingLines: shippingLines.length,
      discountApplications: discounts.length,
      transactions: transactions.length,
      refunds: refunds.length,
      fulfillments: fulfillments.length,
      risks: (risk.assessments as readonly Rec[]).length,
      ...later.counts,
    },
    ledger,
    removed: new Set(removedLine === null ? [] : [removedLine.id as string]),
  };
}

/**
 * Why Store.editOrders cannot remove the order's last line item, or null when it can. It removes the
 * line whole, and Shopify edits only a line's unfulfilled units (an edit cannot take a line below its
 * fulfilled quantity), so a line any fulfillment of the order lists stays. Nor an order with refunds:
 * their amounts are drawn from the order's total, so an edit would rewrite refunds made before it.
 */
export function editRefusal(order: BuiltOrder): string | null {
  const items = [...(order.record.lineItems as () => Connection)().nodes];
  if (items.length < 2) return 'has one line item: an edit cannot remove it';
  if (order.record.edited === true) return 'is edited already: the sandbox edits an order once';
  if ((order.record.refunds as Rec[]).length > 0) return 'has refunds: an edit would change them';
  const last = items.at(-1)!;
  const fulfilled = (order.record.fulfillments as Rec[]).flatMap(fulfillmentLineItemsOf).filter((item) => (item.lineItem as Rec).id === last.id);
  return fulfilled.length === 0 ? null : `has its last line item fulfilled (${String(fulfilled.reduce((n, item) => n + (item.quantity as number), 0))} units): Shopify edits only unfulfilled units`;
}

/** A tax rate (a fraction) as TaxLine.ratePercentage gives it: 0.0725 → 7.25. */
export function percent(rate: number): number {
  return Math.round(rate * 100_000) / 1000;
}

export const ordersGenerator: EntityGenerator = {
  root: 'orders',
  mutable: { defaultSize: 120, gidType: 'Order', idBase: IdBase.Order },
  nodes: mutableNodes('orders', IdBase.Order, (g, i) => g.order(i)),
  truth(g, window) {
    const tally = new Tally(['orders', 'order_line_items', 'order_transactions', 'order_refunds', 'order_fulfillments', 'order_shipping_lines', 'order_discount_applications', 'order_attribution', 'order_agreements', 'returns', 'order_sales', 'order_risks', 'return_line_items', 'order_refund_line_items', 'order_refund_shipping_lines', 'order_adjustments']);
    for (const i of rootIndexes(g, 'orders', (t) => inWindow(window, t.updated))) {
      const { counts: c } = g.buildOrder(i);
      tally.add('orders');
      tally.add('order_line_items', c.lineItems);
      tally.add('order_transactions', c.transactions);
      tally.add('order_refunds', c.refunds);
      tally.add('order_fulfillments', c.fulfillments);
      tally.add('order_shipping_lines', c.shippingLines);
      tally.add('order_discount_applications', c.discountApplications);
      tally.add('order_attribution');
      tally.add('order_agreements', c.agreements);
      tally.add('returns', c.returns);
      tally.add('order_sales', c.sales);
      tally.add('order_risks', c.risks);
      tally.add('return_line_items', c.returnLineItems);
      tally.add('order_refund_line_items', c.refundLineItems);
      tally.add('order_refund_shipping_lines', c.refundShippingLines);
      tally.add('order_adjustments', c.orderAdjustments);
    }
    return tally.counts;
  },
};
