// Discounts: a fixed set covering Shopify's eight discount types (code and automatic; basic, buy X
// get Y, free shipping, app), with percentage, fixed-amount and buy-X-get-Y values, minimum
// requirements, one expired and one scheduled, and a campaign of many unique codes. Served by two
// roots, as Shopify serves them: discountNodes (every discount, as DiscountNode) and codeDiscountNodes
// (the code ones, as DiscountCodeNode, with their redeem codes); a discount has one numeric id under
// either. A code's usage count is its own; a code discount's is the sum of its codes'.
import { matchesTimes, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import { Connection, moneyV2, type Rec } from './model.ts';
import { rngFor } from './prng.ts';
import { DAY, iso } from './time.ts';

// This module's id spaces and random stream (apart from ids.ts's and the other modules').
const IDS = { Discount: 4_111_000_000_000, DiscountRedeemCode: 4_137_000_000_000, App: 4_159_000_000_000 } as const;
const STREAM = 0x4453; // 'DS'
/** Unique codes of the influencer campaign: more than one page of any ordinary read. */
export const CAMPAIGN_CODES = 300;

type GetsValue = { kind: 'percentage'; percentage: number } | { kind: 'amount'; cents: number; eachItem: boolean } | { kind: 'bxgy'; quantity: number; percentage: number } | null;
type Minimum = { kind: 'quantity'; quantity: number } | { kind: 'subtotal'; cents: number } | null;

interface DiscountSpec {
  type: 'DiscountCodeBasic' | 'DiscountCodeBxgy' | 'DiscountCodeFreeShipping' | 'DiscountCodeApp' | 'DiscountAutomaticBasic' | 'DiscountAutomaticBxgy' | 'DiscountAutomaticFreeShipping' | 'DiscountAutomaticApp';
  title: string;
  classes: readonly string[];
  value: GetsValue;
  minimum: Minimum;
  /** Days from the timeline's end: it starts (negative: in the past) and ends (null: never). */
  starts: number;
  ends: number | null;
  /** The redeem codes of a code discount ('#' numbered ones: the campaign). */
  codes: readonly string[] | '#';
  combines: readonly [order: boolean, product: boolean, shipping: boolean];
}

// WELCOME10, SUMMER25 and FREESHIP are among the codes abandoned checkouts carry (abandoned-checkouts.ts).
const SPECS: readonly DiscountSpec[] = [
  { type: 'DiscountCodeBasic', title: 'Welcome 10%', classes: ['ORDER'], value: { kind: 'percentage', percentage: 0.1 }, minimum: null, starts: -300, ends: null, codes: ['WELCOME10'], combines: [false, true, true] },
  { type: 'DiscountCodeBasic', title: 'Sommer 25 % ☀', classes: ['PRODUCT'], value: { kind: 'percentage', percentage: 0.25 }, minimum: { kind: 'subtotal', cents: 5000 }, starts: -200, ends: -110, codes: ['SUMMER25'], combines: [false, false, true] },
  { type: 'DiscountCodeFreeShipping', title: 'Free shipping on 2+', classes: ['SHIPPING'], value: null, minimum: { kind: 'quantity', quantity: 2 }, starts: -250, ends: 40, codes: ['FREESHIP'], combines: [true, true, false] },
  { type: 'DiscountCodeBasic', title: 'Influencer $15 off', classes: ['ORDER'], value: { kind: 'amount', cents: 1500, eachItem: false }, minimum: { kind: 'subtotal', cents: 6000 }, starts: -90, ends: 90, codes: '#', combines: [false, false, false] },
  { type: 'DiscountCodeBxgy', title: 'Buy 2, get 1 free', classes: ['PRODUCT'], value: { kind: 'bxgy', quantity: 1, percentage: 1 }, minimum: null, starts: -60, ends: null, codes: ['B2G1'], combines: [false, false, true] },
  { type: 'DiscountCodeApp', title: 'Partner app code', classes: ['ORDER'], value: null, minimum: null, starts: -30, ends: null, codes: ['APP-PARTNER', 'APP-VIP'], combines: [false, false, false] },
  { type: 'DiscountAutomaticBasic', title: '$5 off each item over $100', classes: ['PRODUCT'], value: { kind: 'amount', cents: 500, eachItem: true }, minimum: { kind: 'subtotal', cents: 10000 }, starts: -150, ends: null, codes: [], combines: [false, true, false] },
  { type: 'DiscountAutomaticBxgy', title: 'Buy 3, get 1 half off', classes: ['PRODUCT'], value: { kind: 'bxgy', quantity: 1, percentage: 0.5 }, minimum: null, starts: -20, ends: 10, codes: [], combines: [false, false, false] },
  { type: 'DiscountAutomaticFreeShipping', title: 'Free shipping over $75', classes: ['SHIPPING'], value: null, minimum: { kind: 'subtotal', cents: 7500 }, starts: -365, ends: null, codes: [], combines: [true, true, false] },
  { type: 'DiscountAutomaticApp', title: 'Loyalty tiers (app)', classes: ['ORDER'], value: null, minimum: null, starts: 14, ends: null, codes: [], combines: [false, false, false] },
];

const isCode = (spec: DiscountSpec): boolean => spec.type.startsWith('DiscountCode');
const codesOf = (spec: DiscountSpec): readonly string[] => (spec.codes === '#' ? Array.from({ length: CAMPAIGN_CODES }, (_, j) => `INFL-${(j * 7919 + 1000).toString(36).toUpperCase()}`) : spec.codes);

interface BuiltDiscount {
  id: number;
  spec: DiscountSpec;
  /** The type's own fields (a DiscountCodeBasic, …), as both roots serve them. */
  discount: Rec;
  codes: number;
  created: number;
  updated: number;
}

function money(cents: number, g: StoreGraph): Rec {
  return moneyV2(cents, g.ctx.shopCurrency);
}

function valueRec(value: GetsValue, g: StoreGraph): Rec | null {
  if (value === null) return null;
  if (value.kind === 'percentage') return { __typename: 'DiscountPercentage', percentage: value.percentage };
  if (value.kind === 'amount') return { __typename: 'DiscountAmount', amount: money(value.cents, g), appliesOnEachItem: value.eachItem };
  return {
    __typename: 'DiscountOnQuantity',
    quantity: { __typename: 'DiscountQuantity', quantity: String(value.quantity) },
    effect: { __typename: 'DiscountPercentage', percentage: value.percentage },
  };
}

function minimumRec(minimum: Minimum, g: StoreGraph): Rec | null {
  if (minimum === null) return null;
  return minimum.kind === 'quantity'
    ? { __typename: 'DiscountMinimumQuantity', greaterThanOrEqualToQuantity: String(minimum.quantity) }
    : { __typename: 'DiscountMinimumSubtotal', greaterThanOrEqualToSubtotal: money(minimum.cents, g) };
}

function build(g: StoreGraph, k: number, firstCode: number): BuiltDiscount {
  const spec = SPECS[k]!;
  const { start, end } = g.ctx.timeline;
  const rng = rngFor(g.ctx.seed, STREAM, k);
  const startsAt = end + spec.starts * DAY;
  const created = Math.max(start, Math.min(startsAt, end - DAY) - rng.int(10 * DAY));
  const updated = created + rng.int(end - created);
  const endsAt = spec.ends === null ? null : end + spec.ends * DAY;
  const status = startsAt > end ? 'SCHEDULED' : endsAt !== null && endsAt <= end ? 'EXPIRED' : 'ACTIVE';
  const app = spec.type.endsWith('App');
  const appRec: Rec = { __typename: 'App', id: gid('App', numericId(g.ctx.seed, IDS.App, 0)), title: 'Loyalty & Codes' };
  const codeNames = codesOf(spec);
  // A code is used only once it has started; a campaign code at most once per buyer.
  const codes = codeNames.map((code, j): Rec => ({
    __typename: 'DiscountRedeemCode',
    id: gid('DiscountRedeemCode', numericId(g.ctx.seed, IDS.DiscountRedeemCode, firstCode + j)),
    code,
    asyncUsageCount: startsAt > end ? 0 : spec.codes === '#' ? rng.int(2) : rng.int(60),
    createdBy: app ? appRec : null,
  }));
  const used = isCode(spec) ? codes.reduce((n, c) => n + (c['asyncUsageCount'] as number), 0) : startsAt > end ? 0 : rng.int(400);
  const [orderDiscounts, productDiscounts, shippingDiscounts] = spec.combines;
  const hasValue = spec.type.includes('Basic') || spec.type.includes('Bxgy');
  const hasMinimum = spec.type.includes('Basic') || spec.type.includes('FreeShipping');
  // Each type has only its own fields (a fragment on it reads those alone).
  const discount: Rec = {
    __typename: spec.type,
    title: spec.title,
    status,
    ...(app ? { appDiscountType: { __typename: 'AppDiscountType', functionId: `0199${(k * 104729).toString(16).padStart(8, '0')}-fn`, title: 'Tiered loyalty' } } : { summary: `${spec.title}${spec.minimum ? ' • minimum applies' : ''}` }),
    startsAt: iso(startsAt),
    endsAt: endsAt === null ? null : iso(endsAt),
    createdAt: iso(created),
    updatedAt: iso(updated),
    discountClasses: spec.classes,
    tags: rng.chance(0.4) ? ['promo'] : [],
    asyncUsageCount: used,
    combinesWith: { __typename: 'DiscountCombinesWith', orderDiscounts, productDiscounts, shippingDiscounts },
    ...(hasValue ? { customerGets: { __typename: 'DiscountCustomerGets', value: valueRec(spec.value, g) } } : {}),
    ...(hasMinimum ? { minimumRequirement: minimumRec(spec.minimum, g) } : {}),
    ...(isCode(spec)
      ? {
          usageLimit: spec.codes === '#' ? CAMPAIGN_CODES : rng.chance(0.5) ? 1000 : null,
          appliesOncePerCustomer: spec.codes === '#',
          codesCount: { __typename: 'Count', count: codes.length, precision: 'EXACT' },
          totalSales: used === 0 ? null : money(used * rng.range(1500, 9000), g),
          codes: () => new Connection(codes),
        }
      : {}),
  };
  return { id: numericId(g.ctx.seed, IDS.Discount, k), spec, discount, codes: codes.length, created, updated };
}

function* discounts(g: StoreGraph, keep: (d: BuiltDiscount) => boolean, codeOnly: boolean): Generator<BuiltDiscount> {
  let firstCode = 0;
  for (let k = 0; k < SPECS.length; k++) {
    const built = build(g, k, firstCode);
    firstCode += built.codes;
    if ((!codeOnly || isCode(built.spec)) && keep(built)) yield built;
  }
}

export const discountNodesGenerator: EntityGenerator = {
  root: 'discountNodes',
  // Read whole every run (a snapshot): status and usage change without moving updatedAt.
  *nodes(g, filter) {
    const matches = matchesTimes(filter);
    for (const d of discounts(g, (d) => matches(d), false)) yield { __typename: 'DiscountNode', id: gid('DiscountNode', d.id), discount: d.discount };
  },
  truth(g) {
    return { discounts: [...discounts(g, () => true, false)].length };
  },
};

export const codeDiscountNodesGenerator: EntityGenerator = {
  root: 'codeDiscountNodes',
  *nodes(g, filter) {
    const matches = matchesTimes(filter);
    for (const d of discounts(g, (d) => matches(d), true)) yield { __typename: 'DiscountCodeNode', id: gid('DiscountCodeNode', d.id), codeDiscount: d.discount };
  },
  truth(g) {
    return { discount_codes: [...discounts(g, () => true, true)].reduce((n, d) => n + d.codes, 0) };
  },
};
