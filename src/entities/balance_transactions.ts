// Shopify Payments balance transactions: every movement of the Shopify Payments balance (a charge less
// its fee, a refund, …) and the payout that paid it out. Read whole every run with ordinary queries a
// page at a time, like payouts (src/entities/payouts.ts), which they sum to.
import { bool, id, moneyV2, ref, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const balanceTransactions = table({
  name: 'balance_transactions',
  description: 'One row per Shopify Payments balance transaction: type and source, date, amount, fee and net (amount - fee), the order it came from, and the payout that paid it out (payout_id null while PENDING).',
  columns: [
    id(), str('type'), str('sourceType'), bool('test'), ts('transactionDate'), moneyV2('amount'), moneyV2('fee'), moneyV2('net'),
    ref('associatedOrder.id', 'order_id'), str('associatedOrder.name', 'order_name'), ref('associatedPayout.id', 'payout_id'), str('associatedPayout.status', 'payout_status'),
  ],
});

export const balanceTransactionsEntity = defineEntity({
  name: 'balance_transactions',
  scopes: ['read_shopify_payments_payouts'],
  requires: 'shopifyPayments',
  sync: 'snapshot',
  paged: true,
  connection: ['shopifyPaymentsAccount', 'balanceTransactions'],
  tables: [balanceTransactions],
  routes: { ShopifyPaymentsBalanceTransaction: balanceTransactions },
});
