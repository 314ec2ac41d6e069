// Draft orders: quotes and phone or B2B orders a merchant builds, most of them later completed into an
// order. Line items point at seeded variants, or are custom items with no variant; a draft carries one
// applied discount (on the whole draft, or on a line), not discount applications. Amounts are integer
// cents, so the totals add up: total = line items − discounts + shipping + tax.
import { addressCore, mailingAddress } from './customers.ts';
import { inWindow, mutableNodes, rootIndexes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import { Connection, moneyBag, type Rec } from './model.ts';
import { NOTES, PLACES, TAGS } from './names.ts';
import { percent } from './orders.ts';
import { rngFor, type Rng } from './prng.ts';
import { iso } from './time.ts';
import { metafieldConnection } from './metafields.ts';

const ROOT = 'draftOrders';
// This module's id spaces and random stream, kept here so the entity needs no edit elsewhere; the
// bases stay apart from ids.ts's (a test checks every id the store serves is unique).
const IDS = { DraftOrder: 1_027_000_000_000, DraftOrderLineItem: 1_544_000_000_000, Address: 1_733_000_000_000 } as const;
const STREAM = 0x4452; // 'DR'
const MAX_LINES = 5;
const CUSTOM_ITEMS = ['Custom engraving', 'Gift wrapping', 'Installation service', 'Sonderanfertigung'] as const;

interface BuiltDraft {
  record: Rec;
  lineItems: number;
}

interface Discount {
  rec: Rec | null;
  cents: number;
}

/** An applied discount on `baseCents`: a percentage or a fixed amount (capped at the base), or none. */
function appliedDiscount(rng: Rng, baseCents: number, chance: number, bag: (cents: number) => Rec): Discount {
  if (baseCents === 0 || !rng.chance(chance)) return { rec: null, cents: 0 };
  const percentage = rng.chance(0.6);
  const value = percentage ? rng.pick([5, 10, 15, 20]) : rng.pick([5, 10, 25]);
  const cents = percentage ? Math.round((baseCents * value) / 100) : Math.min(baseCents, value * 100);
  const rec: Rec = {
    __typename: 'DraftOrderAppliedDiscount',
    title: rng.chance(0.7) ? rng.pick(['Wholesale', 'Loyal customer', 'Price match', 'Rabatt']) : null,
    description: rng.pick(['', 'Agreed by phone', 'Quote #Q-1042']),
    value,
    valueType: percentage ? 'PERCENTAGE' : 'FIXED_AMOUNT',
    amountSet: bag(cents),
  };
  return { rec, cents };
}

function buildDraft(g: StoreGraph, i: number): BuiltDraft {
  const { ctx } = g;
  const rng = rngFor(ctx.seed, STREAM, i);
  const times = ctx.rootTimes(ROOT, i);
  const at = (f: number): number => times.created + Math.floor(f * (times.baseUpdated - times.created));
  const bag = (cents: number): Rec => moneyBag(cents, ctx.shopCurrency, ctx.shopCurrency, 1);
  const status = (['OPEN', 'INVOICE_SENT', 'COMPLETED'] as const)[rng.weighted([35, 20, 45])] ?? 'OPEN';
  const customerIndex = ctx.size.customers > 0 && rng.chance(0.8) ? rng.int(ctx.size.customers) : null;
  const customer = customerIndex === null ? null : g.customerCore(customerIndex);
  const address = customer?.addresses[0] ?? (rng.chance(0.5) ? addressCore(rng, rng.pick(['Alex', 'Sam', 'Noa']), 'Guest', null) : null);
  const place = address?.place ?? rng.pick(PLACES);

  let itemsCents = 0;
  let lineDiscounts = 0;
  let tax = 0;
  let quantity = 0;
  const taxLines = (cents: number): Rec[] =>
    place.taxRate === 0 || cents === 0 ? [] : [{ __typename: 'TaxLine', title: place.taxTitle, rate: place.taxRate, ratePercentage: percent(place.taxRate), priceSet: bag(Math.round(cents * place.taxRate)) }];
  const lineCount = 1 + rng.int(MAX_LINES);
  const lineItems = Array.from({ length: lineCount }, (_, j): Rec => {
    const custom = ctx.size.products === 0 || rng.chance(0.15);
    const p = custom ? -1 : rng.int(ctx.size.products);
    const core = custom ? null : g.productCore(p);
    const v = core ? rng.int(core.variants.length) : -1;
    const variant = core?.variants[v] ?? null;
    const title = core?.title ?? rng.pick(CUSTOM_ITEMS);
    const unitCents = variant?.priceCents ?? rng.range(5, 80) * 100;
    const count = 1 + rng.weighted([60, 25, 15]);
    const original = unitCents * count;
    const discount = appliedDiscount(rng, original, 0.15, bag);
    const discounted = original - discount.cents;
    const taxable = variant?.taxable ?? rng.chance(0.5);
    itemsCents += original;
    lineDiscounts += discount.cents;
    quantity += count;
    if (taxable) tax += Math.round(discounted * place.taxRate);
    return {
      __typename: 'DraftOrderLineItem',
      id: gid('DraftOrderLineItem', numericId(ctx.seed, IDS.DraftOrderLineItem, i * MAX_LINES + j)),
      name: variant?.variantTitle ? `${title} - ${variant.variantTitle}` : title,
      title,
      variantTitle: variant?.variantTitle ?? null,
      sku: variant?.sku ?? null,
      vendor: core?.vendor ?? null,
      quantity: count,
      custom,
      requiresShipping: core ? !core.isGiftCard : false,
      taxable,
      isGiftCard: core?.isGiftCard ?? false,
      variant: core ? () => g.variant(p, v) : null,
      product: core ? () => g.product(p) : null,
      appliedDiscount: discount.rec,
      originalUnitPriceSet: bag(unitCents),
      originalTotalSet: bag(original),
      discountedTotalSet: bag(discounted),
      totalDiscountSet: bag(discount.cents),
      taxLines: taxable ? taxLines(discounted) : [],
    };
  });

  const draftDiscount = appliedDiscount(rng, itemsCents - lineDiscounts, 0.15, bag);
  tax = Math.max(0, tax - Math.round(draftDiscount.cents * place.taxRate));
  const subtotal = itemsCents - lineDiscounts - draftDiscount.cents;
  const shipping = lineItems.some((l) => l['requiresShipping'] === true) ? rng.pick([0, 799, 1299]) : 0;
  const completed = status === 'COMPLETED';
  const orderIndex = completed && ctx.size.orders > 0 ? rng.int(ctx.size.orders) : null;
  const id = numericId(ctx.seed, IDS.DraftOrder, i);
  const addressId = (k: number): string => `${gid('MailingAddress', numericId(ctx.seed, IDS.Address, i * 2 + k))}?model_name=Address`;
  const record: Rec = {
    __typename: 'DraftOrder',
    id: gid('DraftOrder', id),
    name: `#D${i + 1}`,
    status,
    createdAt: iso(times.created),
    updatedAt: iso(times.updated),
    completedAt: completed ? iso(at(0.9)) : null,
    invoiceSentAt: status === 'INVOICE_SENT' || (completed && rng.chance(0.5)) ? iso(at(0.3)) : null,
    invoiceUrl: `https://${ctx.shopDomain}/${id}/invoices/${(id % 0xffffff).toString(16).padStart(6, '0')}`,
    reserveInventoryUntil: !completed && rng.chance(0.1) ? iso(times.created + 7 * 86_400) : null,
    email: customer?.email ?? null,
    phone: customer?.phone ?? null,
    note2: rng.chance(0.3) ? rng.pick(NOTES) : null,
    poNumber: rng.chance(0.2) ? `PO-${rng.range(1000, 9999)}` : null,
    tags: rng.some(TAGS, 2),
    ready: true,
    taxExempt: rng.chance(0.05),
    taxesIncluded: false,
    currencyCode: ctx.shopCurrency,
    presentmentCurrencyCode: ctx.shopCurrency,
    totalQuantityOfLineItems: quantity,
    customer: customerIndex === null ? null : () => g.customer(customerIndex),
    order: orderIndex === null ? null : () => g.order(orderIndex),
    appliedDiscount: draftDiscount.rec,
    subtotalPriceSet: bag(subtotal),
    totalLineItemsPriceSet: bag(itemsCents),
    totalDiscountsSet: bag(lineDiscounts + draftDiscount.cents),
    totalShippingPriceSet: bag(shipping),
    totalTaxSet: bag(tax),
    totalPriceSet: bag(subtotal + shipping + tax),
    billingAddress: address ? mailingAddress(address, addressId(0)) : null,
    shippingAddress: address && shipping > 0 ? mailingAddress(address, addressId(1)) : null,
    taxLines: tax === 0 ? [] : [{ __typename: 'TaxLine', title: place.taxTitle, rate: place.taxRate, ratePercentage: percent(place.taxRate), priceSet: bag(tax) }],
    lineItems: () => new Connection(lineItems),
    metafields: metafieldConnection(ctx, 'DRAFTORDER', i, times.created),
  };
  return { record, lineItems: lineItems.length };
}

export const draftOrdersGenerator: EntityGenerator = {
  root: ROOT,
  mutable: { defaultSize: 30, gidType: 'DraftOrder', idBase: IDS.DraftOrder },
  nodes: mutableNodes(ROOT, IDS.DraftOrder, (g, i) => buildDraft(g, i).record),
  truth(g, window) {
    const tally = new Tally(['draft_orders', 'draft_order_line_items']);
    for (const i of rootIndexes(g, ROOT, (t) => inWindow(window, t.updated))) {
      tally.add('draft_orders');
      tally.add('draft_order_line_items', buildDraft(g, i).lineItems);
    }
    return tally.counts;
  },
};
