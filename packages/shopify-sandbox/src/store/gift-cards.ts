// Gift cards: one per gift card unit sold (an order's line item of a gift card product issues one card
// per unit, worth the unit's price, to the order's customer), each redeemed in part, in full or not at
// all, a few disabled or with an expiry date. Gift cards exist only on Shopify Plus: a shop without it
// serves none.
import { rootIndexes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import { Connection, moneyV2, type Rec } from './model.ts';
import { NOTES } from './names.ts';
import { rngFor } from './prng.ts';
import { DAY, iso, isoDate } from './time.ts';

const ROOT = 'giftCards';
// This module's id space and random stream (apart from ids.ts's and the other modules').
const IDS = { GiftCard: 3_127_000_000_000 } as const;
const STREAM = 0x4743; // 'GC'
/** Line items per order at most (orders.ts numbers them i * 16 + j), gift cards per line at most (quantity ≤ 3). */
const MAX_LINES = 16;
const PER_LINE = 4;

/** The gift cards order i issued, in id order. */
export function giftCardsOf(g: StoreGraph, i: number): Rec[] {
  if (!g.ctx.features.shopifyPlus) return [];
  const built = g.buildOrder(i);
  const order = built.record;
  const lines = [...((order['lineItems'] as () => Connection)().nodes)];
  const cards: Rec[] = [];
  const { end } = g.ctx.timeline;
  const created = g.ctx.rootTimes('orders', i).created;
  lines.forEach((line, j) => {
    // A gift card line an edit removed issued none.
    if (line['isGiftCard'] !== true || built.removed.has(line['id'] as string)) return;
    const unit = Math.round(Number(((line['originalUnitPriceSet'] as Rec)['shopMoney'] as Rec)['amount']) * 100);
    for (let u = 0; u < (line['quantity'] as number); u++) {
      const ordinal = (i * MAX_LINES + j) * PER_LINE + u;
      const rng = rngFor(g.ctx.seed, STREAM, ordinal);
      const spent = [0, Math.round(unit * rng.range(10, 90) / 100), unit][rng.weighted([40, 35, 25])] ?? 0;
      const updated = spent === 0 ? created : created + rng.int(Math.max(1, end - created));
      const enabled = rng.chance(0.95);
      const code = (numericId(g.ctx.seed, IDS.GiftCard, ordinal) % 0xffff).toString(16).padStart(4, '0');
      cards.push({
        __typename: 'GiftCard',
        id: gid('GiftCard', numericId(g.ctx.seed, IDS.GiftCard, ordinal)),
        createdAt: iso(created),
        updatedAt: iso(updated),
        deactivatedAt: enabled ? null : iso(updated),
        enabled,
        expiresOn: rng.chance(0.3) ? isoDate(created + 365 * DAY) : null,
        initialValue: moneyV2(unit, g.ctx.shopCurrency),
        balance: moneyV2(unit - spent, g.ctx.shopCurrency),
        lastCharacters: code,
        maskedCode: `•••• •••• •••• ${code}`,
        note: rng.chance(0.2) ? rng.pick(NOTES) : null,
        order,
        lineItem: { __typename: 'LineItem', id: line['id'] as string },
        customer: order['customer'] as Rec['customer'],
      });
    }
  });
  return cards;
}

export const giftCardsGenerator: EntityGenerator = {
  root: ROOT,
  // A snapshot: Shopify filters gift cards by created_at, not updated_at, and a redemption moves only
  // the latter. The filter is applied all the same.
  *nodes(g, filter) {
    for (const i of rootIndexes(g, 'orders', () => true)) {
      for (const card of giftCardsOf(g, i)) {
        if (filter.matches({ created_at: Date.parse(String(card['createdAt'])) / 1000, updated_at: Date.parse(String(card['updatedAt'])) / 1000 })) yield card;
      }
    }
  },
  truth(g) {
    const tally = new Tally(['gift_cards']);
    for (const i of rootIndexes(g, 'orders', () => true)) tally.add('gift_cards', giftCardsOf(g, i).length);
    return tally.counts;
  },
};
