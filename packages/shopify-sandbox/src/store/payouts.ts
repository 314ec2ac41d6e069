// The Shopify Payments account: its balance transactions (a charge for each successful Shopify
// Payments sale or capture, less its fee; a refund, negative) and its payouts. Each day's transactions
// are paid out together two days later, so a payout's net is, to the cent, the sum of its balance
// transactions' nets (a day that nets negative is a WITHDRAWAL of that amount); transactions whose
// payout day is still to come are PENDING, with no payout. Served to ordinary queries only, a page at
// a time with cursors (bulk operations do not reach connections under an object root). A shop without
// Shopify Payments has no account: shopifyPaymentsAccount is null.
import { rootIndexes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import { moneyV2, type Args, type Rec } from './model.ts';
import { DAY, iso } from './time.ts';

const ROOT = 'shopifyPaymentsAccount';
// This module's id spaces (apart from ids.ts's and the other modules').
const IDS = { Account: 3_481_000_000_000, BalanceTransaction: 3_593_000_000_000, Payout: 3_707_000_000_000 } as const;
/** Transactions per order at most (order-parts.ts numbers them i * 8 + k). */
const PER_ORDER = 8;
const PAYOUT_DELAY_DAYS = 2;
const MAX_PAGE = 250;

interface Movement {
  ordinal: number;
  order: number;
  type: 'CHARGE' | 'REFUND';
  at: number;
  amount: number;
  fee: number;
  test: boolean;
}

/** The Shopify Payments money movements of order i. */
function movementsOf(g: StoreGraph, i: number): Movement[] {
  const out: Movement[] = [];
  (g.order(i)['transactions'] as Rec[]).forEach((tx, k) => {
    if (tx['gateway'] !== 'shopify_payments' || tx['status'] !== 'SUCCESS') return;
    const type = tx['kind'] === 'SALE' || tx['kind'] === 'CAPTURE' ? 'CHARGE' : tx['kind'] === 'REFUND' ? 'REFUND' : null;
    if (type === null) return;
    const cents = Math.round(Number(((tx['amountSet'] as Rec)['shopMoney'] as Rec)['amount']) * 100);
    // Shopify Payments' card rate in the sandbox: 2.9% + 30¢ per charge; a refund returns no fee.
    const fee = type === 'CHARGE' ? Math.round(cents * 0.029) + 30 : 0;
    out.push({ ordinal: i * PER_ORDER + k, order: i, type, at: Date.parse(String(tx['processedAt'])) / 1000, amount: type === 'CHARGE' ? cents : -cents, fee, test: tx['test'] === true });
  });
  return out.filter((m) => !m.test);
}

function* movements(g: StoreGraph): Generator<Movement> {
  for (const i of rootIndexes(g, 'orders', () => true)) yield* movementsOf(g, i);
}

/** The day (epoch days) a movement is paid out on, or null while that day is still to come. */
function payoutDay(g: StoreGraph, m: Movement): number | null {
  const day = Math.floor(m.at / DAY) + PAYOUT_DELAY_DAYS;
  return day * DAY <= g.ctx.timeline.end ? day : null;
}

function payoutId(g: StoreGraph, day: number): string {
  return gid('ShopifyPaymentsPayout', numericId(g.ctx.seed, IDS.Payout, day));
}

function balanceTransaction(g: StoreGraph, m: Movement): Rec {
  const currency = g.ctx.shopCurrency;
  const day = payoutDay(g, m);
  const order = g.order(m.order);
  return {
    __typename: 'ShopifyPaymentsBalanceTransaction',
    id: gid('ShopifyPaymentsBalanceTransaction', numericId(g.ctx.seed, IDS.BalanceTransaction, m.ordinal)),
    type: m.type,
    test: m.test,
    transactionDate: iso(m.at),
    amount: moneyV2(m.amount, currency),
    fee: moneyV2(m.fee, currency),
    net: moneyV2(m.amount - m.fee, currency),
    sourceType: m.type,
    associatedOrder: { __typename: 'ShopifyPaymentsAssociatedOrder', id: order['id'] as string, name: order['name'] as string },
    associatedPayout: { __typename: 'ShopifyPaymentsBalanceTransactionAssociatedPayout', id: day === null ? null : payoutId(g, day), status: day === null ? 'PENDING' : 'PAID' },
  };
}

interface PayoutTotals {
  net: number;
  charges: number;
  fees: number;
  refunds: number;
}

/** Each payout day's totals, by day: one pass over the orders, memory by day. */
function payoutTotals(g: StoreGraph): Map<number, PayoutTotals> {
  const days = new Map<number, PayoutTotals>();
  for (const m of movements(g)) {
    const day = payoutDay(g, m);
    if (day === null) continue;
    const t = days.get(day) ?? { net: 0, charges: 0, fees: 0, refunds: 0 };
    t.net += m.amount - m.fee;
    if (m.amount >= 0) t.charges += m.amount;
    else t.refunds -= m.amount;
    t.fees += m.fee;
    days.set(day, t);
  }
  return days;
}

function payout(g: StoreGraph, day: number, t: PayoutTotals): Rec {
  const currency = g.ctx.shopCurrency;
  const id = numericId(g.ctx.seed, IDS.Payout, day);
  return {
    __typename: 'ShopifyPaymentsPayout',
    id: gid('ShopifyPaymentsPayout', id),
    legacyResourceId: String(id),
    issuedAt: iso(day * DAY + 6 * 3600),
    status: 'PAID',
    transactionType: t.net < 0 ? 'WITHDRAWAL' : 'DEPOSIT',
    net: moneyV2(Math.abs(t.net), currency),
    summary: { __typename: 'ShopifyPaymentsPayoutSummary', chargesGross: moneyV2(t.charges, currency), chargesFee: moneyV2(t.fees, currency), refundsFeeGross: moneyV2(t.refunds, currency) },
  };
}

function* byOrdinal(items: Iterable<Movement>): Generator<[number, Movement]> {
  for (const m of items) yield [m.ordinal, m];
}

/** A page of `items` (position, item) after the cursor `after` (a position, base64), `first` at most. */
function connection<T>(items: Iterable<[number, T]>, args: Args, node: (position: number, item: T) => Rec): Rec {
  const first = Math.min(typeof args['first'] === 'number' ? args['first'] : MAX_PAGE, MAX_PAGE);
  const after = typeof args['after'] === 'string' ? Number(Buffer.from(args['after'], 'base64').toString('utf8')) : -1;
  const edges: Array<{ cursor: string; node: Rec }> = [];
  let more = false;
  for (const [position, item] of items) {
    if (position <= after) continue;
    if (edges.length === first) {
      more = true;
      break;
    }
    edges.push({ cursor: Buffer.from(String(position)).toString('base64'), node: node(position, item) });
  }
  return { edges, pageInfo: { hasNextPage: more, hasPreviousPage: after >= 0, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null } };
}

export const payoutsGenerator: EntityGenerator = {
  root: ROOT,
  value: (g) => (g.ctx.features.shopifyPayments
    ? {
        __typename: 'ShopifyPaymentsAccount',
        id: gid('ShopifyPaymentsAccount', numericId(g.ctx.seed, IDS.Account, 0)),
        activated: true,
        country: 'US',
        defaultCurrency: g.ctx.shopCurrency,
        payouts: (args: Args) => connection([...payoutTotals(g)].sort(([a], [b]) => a - b), args, (day, t) => payout(g, day, t)),
        balanceTransactions: (args: Args) => connection(byOrdinal(movements(g)), args, (_, m) => balanceTransaction(g, m)),
      }
    : null),
  truth(g) {
    const tally = new Tally(['payouts', 'balance_transactions']);
    if (!g.ctx.features.shopifyPayments) return tally.counts;
    tally.add('payouts', payoutTotals(g).size);
    for (const _ of movements(g)) tally.add('balance_transactions');
    return tally.counts;
  },
};
