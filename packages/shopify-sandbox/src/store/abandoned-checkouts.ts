// Abandoned checkouts: a buyer who gave an email and left before paying, some of them recovered later
// (completedAt set: the buyer came back through the recovery link and paid). Line items point at seeded
// variants; a few checkouts carry a discount code the buyer typed. Amounts are integer cents, so the
// totals add up: total = line items − discounts + tax.
import { addressCore, mailingAddress } from './customers.ts';
import { inWindow, mutableNodes, rootIndexes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import { Connection, moneyBag, type Rec } from './model.ts';
import { PLACES } from './names.ts';
import { percent } from './orders.ts';
import { rngFor } from './prng.ts';
import { iso } from './time.ts';

const ROOT = 'abandonedCheckouts';
// This module's id spaces and random stream (apart from ids.ts's and the other modules').
const IDS = { AbandonedCheckout: 3_913_000_000_000, AbandonedCheckoutLineItem: 3_947_000_000_000, Address: 3_961_000_000_000 } as const;
const STREAM = 0x4143; // 'AC'
const MAX_LINES = 4;
/** Codes a buyer may have typed: some are the store's (discounts.ts), one is not (Shopify keeps what was entered). */
export const TYPED_CODES = ['WELCOME10', 'SUMMER25', 'FREESHIP', 'NOT-A-CODE'] as const;

interface BuiltCheckout {
  record: Rec;
  lineItems: number;
}

function buildCheckout(g: StoreGraph, i: number): BuiltCheckout {
  const { ctx } = g;
  const rng = rngFor(ctx.seed, STREAM, i);
  const times = ctx.rootTimes(ROOT, i);
  const bag = (cents: number): Rec => moneyBag(cents, ctx.shopCurrency, ctx.shopCurrency, 1);
  const customerIndex = ctx.size.customers > 0 && rng.chance(0.7) ? rng.int(ctx.size.customers) : null;
  const customer = customerIndex === null ? null : g.customerCore(customerIndex);
  const address = customer?.addresses[0] ?? (rng.chance(0.6) ? addressCore(rng, rng.pick(['Alex', 'Sam', 'Noa']), 'Guest', null) : null);
  const place = address?.place ?? rng.pick(PLACES);
  const code = rng.chance(0.2) ? rng.pick(TYPED_CODES) : null;
  const percentOff = code === 'WELCOME10' ? 10 : code === 'SUMMER25' ? 25 : 0;

  let itemsCents = 0;
  let discountCents = 0;
  let tax = 0;
  const lineCount = ctx.size.products === 0 ? 0 : 1 + rng.int(MAX_LINES);
  const lineItems = Array.from({ length: lineCount }, (_, j): Rec => {
    const p = rng.int(ctx.size.products);
    const core = g.productCore(p);
    const v = rng.int(core.variants.length);
    const variant = core.variants[v]!;
    const quantity = 1 + rng.weighted([70, 20, 10]);
    const original = variant.priceCents * quantity;
    const off = Math.round((original * percentOff) / 100);
    itemsCents += original;
    discountCents += off;
    if (variant.taxable) tax += Math.round((original - off) * place.taxRate);
    return {
      __typename: 'AbandonedCheckoutLineItem',
      id: gid('AbandonedCheckoutLineItem', numericId(ctx.seed, IDS.AbandonedCheckoutLineItem, i * MAX_LINES + j)),
      title: core.title,
      variantTitle: variant.variantTitle,
      sku: variant.sku,
      quantity,
      variant: () => g.variant(p, v),
      product: () => g.product(p),
      customAttributes: rng.chance(0.1) ? [{ __typename: 'Attribute', key: 'engraving', value: rng.pick(['A & B', 'Für dich', '♥']) }] : [],
      originalUnitPriceSet: bag(variant.priceCents),
      originalTotalPriceSet: bag(original),
      discountedUnitPriceSet: bag(Math.round((original - off) / quantity)),
      discountedTotalPriceSet: bag(original - off),
    };
  });

  const subtotal = itemsCents - discountCents;
  // A recovered checkout was paid some time after it was abandoned, within its update span.
  const recovered = rng.chance(0.25);
  const id = numericId(ctx.seed, IDS.AbandonedCheckout, i);
  const addressId = (k: number): string => `${gid('MailingAddress', numericId(ctx.seed, IDS.Address, i * 2 + k))}?model_name=Address`;
  const record: Rec = {
    __typename: 'AbandonedCheckout',
    id: gid('AbandonedCheckout', id),
    name: `#${id}`,
    createdAt: iso(times.created),
    updatedAt: iso(times.updated),
    completedAt: recovered ? iso(times.baseUpdated) : null,
    abandonedCheckoutUrl: `https://${ctx.shopDomain}/checkouts/${(id % 0xffffffff).toString(16)}/recover?key=${rng.int(1e9).toString(36)}`,
    note: '',
    discountCodes: code ? [code] : [],
    taxesIncluded: false,
    customer: customerIndex === null ? null : () => g.customer(customerIndex),
    customAttributes: [],
    subtotalPriceSet: bag(subtotal),
    totalLineItemsPriceSet: bag(itemsCents),
    totalDiscountSet: bag(discountCents),
    totalTaxSet: bag(tax),
    totalDutiesSet: null,
    totalPriceSet: bag(subtotal + tax),
    billingAddress: address ? mailingAddress(address, addressId(0)) : null,
    shippingAddress: address ? mailingAddress(address, addressId(1)) : null,
    taxLines: tax === 0 ? [] : [{ __typename: 'TaxLine', title: place.taxTitle, rate: place.taxRate, ratePercentage: percent(place.taxRate), priceSet: bag(tax) }],
    lineItems: () => new Connection(lineItems),
  };
  return { record, lineItems: lineItems.length };
}

export const abandonedCheckoutsGenerator: EntityGenerator = {
  root: ROOT,
  mutable: { defaultSize: 25, gidType: 'AbandonedCheckout', idBase: IDS.AbandonedCheckout },
  nodes: mutableNodes(ROOT, IDS.AbandonedCheckout, (g, i) => buildCheckout(g, i).record),
  truth(g, window) {
    const tally = new Tally(['abandoned_checkouts', 'abandoned_checkout_line_items']);
    for (const i of rootIndexes(g, ROOT, (t) => inWindow(window, t.updated))) {
      tally.add('abandoned_checkouts');
      tally.add('abandoned_checkout_line_items', buildCheckout(g, i).lineItems);
    }
    return tally.counts;
  },
};
