// Shopify Payments disputes: a few of the card charges (a Shopify Payments sale or capture) are
// disputed by the buyer's bank, for the charge's amount, some days after it: an inquiry or a
// chargeback, open (evidence due two weeks after), under review, or settled (won, lost, accepted). A
// shop without a Shopify Payments account has none.
import { rootIndexes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import { moneyV2, type Rec } from './model.ts';
import { rngFor } from './prng.ts';
import { DAY, iso } from './time.ts';

const ROOT = 'disputes';
// This module's id space and random stream (apart from ids.ts's and the other modules').
const IDS = { ShopifyPaymentsDispute: 3_359_000_000_000 } as const;
const STREAM = 0x4450; // 'DP'
const REASONS = ['FRAUDULENT', 'PRODUCT_NOT_RECEIVED', 'PRODUCT_UNACCEPTABLE', 'DUPLICATE', 'SUBSCRIPTION_CANCELLED', 'UNRECOGNIZED', 'GENERAL'] as const;
const NETWORK_CODES: Readonly<Record<string, string>> = { FRAUDULENT: '10.4', PRODUCT_NOT_RECEIVED: '13.1', PRODUCT_UNACCEPTABLE: '13.3', DUPLICATE: '12.6.1', SUBSCRIPTION_CANCELLED: '13.2', UNRECOGNIZED: '10.4', GENERAL: '13.7' };

/** The dispute of order i, if its card charge was disputed. */
export function disputeOf(g: StoreGraph, i: number): Rec | null {
  if (!g.ctx.features.shopifyPayments) return null;
  const rng = rngFor(g.ctx.seed, STREAM, i);
  if (!rng.chance(0.06)) return null;
  const order = g.order(i);
  const charge = (order['transactions'] as Rec[]).find((tx) => tx['gateway'] === 'shopify_payments' && tx['status'] === 'SUCCESS' && (tx['kind'] === 'SALE' || tx['kind'] === 'CAPTURE'));
  if (!charge || order['test'] === true) return null;
  const charged = Date.parse(String(charge['processedAt'])) / 1000;
  const { end } = g.ctx.timeline;
  if (charged + 3 * DAY >= end) return null;
  const initiated = charged + 3 * DAY + rng.int(Math.min(40 * DAY, end - charged - 3 * DAY));
  const status = rng.pick(['NEEDS_RESPONSE', 'UNDER_REVIEW', 'WON', 'LOST', 'ACCEPTED'] as const);
  const reason = rng.pick(REASONS);
  const settled = status === 'WON' || status === 'LOST' || status === 'ACCEPTED';
  const evidenceSent = status === 'UNDER_REVIEW' || status === 'WON' || status === 'LOST';
  const at = (days: number): string | null => (initiated + days * DAY < end ? iso(initiated + days * DAY) : null);
  const shopMoney = (charge['amountSet'] as Rec)['shopMoney'] as Rec;
  const id = numericId(g.ctx.seed, IDS.ShopifyPaymentsDispute, i);
  return {
    __typename: 'ShopifyPaymentsDispute',
    id: gid('ShopifyPaymentsDispute', id),
    legacyResourceId: String(id),
    order,
    type: rng.chance(0.8) ? 'CHARGEBACK' : 'INQUIRY',
    status,
    reasonDetails: { __typename: 'ShopifyPaymentsDisputeReasonDetails', reason, networkReasonCode: NETWORK_CODES[reason] ?? null },
    amount: moneyV2(Math.round(Number(shopMoney['amount']) * 100), shopMoney['currencyCode'] as string),
    initiatedAt: iso(initiated),
    evidenceDueBy: iso(initiated + 14 * DAY),
    evidenceSentOn: evidenceSent ? at(5) : null,
    finalizedOn: settled ? at(30) : null,
  };
}

export const disputesGenerator: EntityGenerator = {
  root: ROOT,
  // Read whole every run (a snapshot): a dispute has no updatedAt to follow its status by.
  *nodes(g) {
    for (const i of rootIndexes(g, 'orders', () => true)) {
      const dispute = disputeOf(g, i);
      if (dispute) yield dispute;
    }
  },
  truth(g) {
    const tally = new Tally(['disputes']);
    for (const i of rootIndexes(g, 'orders', () => true)) if (disputeOf(g, i)) tally.add('disputes');
    return tally.counts;
  },
};
