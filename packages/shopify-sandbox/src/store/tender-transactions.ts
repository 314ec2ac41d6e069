// Tender transactions: the money that actually moved between a buyer and the shop, one per successful
// sale, capture or refund among an order's transactions (authorizations and voids move nothing). A
// refund's amount is negative, so an order's tender transactions sum to what it was paid minus what was
// refunded. They never change once processed, and are searched by processed_at.
import { inWindow, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, numericId } from './ids.ts';
import { moneyV2, type Rec } from './model.ts';
import { buildOrder } from './orders.ts';
import { iso } from './time.ts';

const ROOT = 'tenderTransactions';
// This module's id space (apart from ids.ts's and the other modules').
const IDS = { TenderTransaction: 2_893_000_000_000 } as const;
/** Transactions per order at most (order-parts.ts numbers them i * 8 + k). */
const PER_ORDER = 8;
const MOVES_MONEY: Readonly<Record<string, 1 | -1>> = { SALE: 1, CAPTURE: 1, REFUND: -1 };
const METHODS: Readonly<Record<string, string>> = { shopify_payments: 'credit_card', paypal: 'paypal', gift_card: 'gift_card', manual: 'cash' };

interface BuiltTender {
  record: Rec;
  processed: number;
}

/** Money moved by an order's transactions: successful sales and captures less refunds, in cents. */
function moved(order: Rec): number {
  let cents = 0;
  for (const tx of order['transactions'] as Rec[]) {
    const sign = MOVES_MONEY[tx['kind'] as string];
    if (sign !== undefined && tx['status'] === 'SUCCESS') cents += sign * Math.round(Number(((tx['amountSet'] as Rec)['shopMoney'] as Rec)['amount']) * 100);
  }
  return cents;
}

/**
 * The tender transactions of order i, in id order. They are those of the order as placed: an edit
 * (store.editOrders) that takes an item off a paid order does not change what was paid, it refunds
 * the difference at the edit, one more (negative) tender transaction.
 */
export function tenderTransactionsOf(g: StoreGraph, i: number): BuiltTender[] {
  const editedAt = g.ctx.overlay.editedOrders.get(i);
  const edited = editedAt !== undefined;
  // Shopify keeps a deleted order's tender transactions and answers their order as null.
  const gone = g.ctx.overlay.isDeleted('orders', i);
  const placed = edited ? buildOrder(g, i, true).record : g.order(i);
  const current = edited ? g.order(i) : placed;
  const tenders: BuiltTender[] = [];
  const add = (ordinal: number, cents: number, currency: string, processedAt: string, gateway: string, test: boolean): void => {
    const card = gateway === 'shopify_payments';
    tenders.push({
      processed: Date.parse(processedAt) / 1000,
      record: {
        __typename: 'TenderTransaction',
        id: gid('TenderTransaction', numericId(g.ctx.seed, IDS.TenderTransaction, ordinal)),
        amount: moneyV2(cents, currency),
        paymentMethod: METHODS[gateway] ?? gateway,
        processedAt,
        remoteReference: card ? `${cents < 0 ? 're' : 'ch'}_${(ordinal * 7919).toString(36).padStart(10, '0')}` : null,
        test,
        order: () => (gone ? null : current),
        transactionDetails: card ? { __typename: 'TenderTransactionCreditCardDetails', creditCardCompany: ['Visa', 'Mastercard', 'American Express'][i % 3]!, creditCardNumber: `•••• ${String(4242 + (i % 5000)).slice(-4)}` } : null,
      },
    });
  };
  const transactions = placed['transactions'] as Rec[];
  transactions.forEach((tx, k) => {
    const sign = MOVES_MONEY[tx['kind'] as string];
    if (sign === undefined || tx['status'] !== 'SUCCESS') return;
    const shopMoney = (tx['amountSet'] as Rec)['shopMoney'] as Rec;
    add(i * PER_ORDER + k, Math.round(Number(shopMoney['amount']) * 100) * sign, shopMoney['currencyCode'] as string, tx['processedAt'] as string, tx['gateway'] as string, tx['test'] as boolean);
  });
  const refund = edited ? moved(placed) - moved(current) : 0;
  const first = transactions[0];
  if (refund !== 0 && first && editedAt !== undefined) add(i * PER_ORDER + PER_ORDER - 1, -refund, g.ctx.shopCurrency, iso(editedAt), first['gateway'] as string, first['test'] as boolean);
  return tenders;
}

/** Every order's index, deleted ones included: their tender transactions stay. */
function* everyOrder(g: StoreGraph): Generator<number> {
  for (let i = 0; i < g.ctx.count('orders'); i++) yield i;
}

export const tenderTransactionsGenerator: EntityGenerator = {
  root: ROOT,
  searchFields: ['processed_at', 'id'],
  *nodes(g, filter) {
    for (const i of everyOrder(g)) {
      for (const t of tenderTransactionsOf(g, i)) {
        if (filter.matches({ processed_at: t.processed, id: Number(String(t.record['id']).split('/').pop()) })) yield t.record;
      }
    }
  },
  truth(g, window) {
    const tally = new Tally(['tender_transactions']);
    for (const i of everyOrder(g)) for (const t of tenderTransactionsOf(g, i)) if (inWindow(window, t.processed)) tally.add('tender_transactions');
    return tally.counts;
  },
};
