// Shopify Payments payouts: what was paid to the merchant's bank (or withdrawn from it), when, and its
// charges, fees and refunds. Read whole every run with ordinary queries a page at a time (a 'paged'
// entity): the payouts connection sits under the shopifyPaymentsAccount object, where bulk operations
// do not reach. A shop without Shopify Payments gets the table empty, with a note.
import { id, int, moneyV2, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const payouts = table({
  name: 'payouts',
  description: 'One row per Shopify Payments payout: issued at, status, direction (DEPOSIT to the bank, WITHDRAWAL from it), net amount, and the summary\'s charges gross, charge fees and refunds. Its balance transactions (balance_transactions.payout_id) sum to its net, negated for a WITHDRAWAL.',
  columns: [
    id(), int('legacyResourceId'), ts('issuedAt'), str('status'), str('transactionType'), moneyV2('net'),
    moneyV2('summary.chargesGross', 'charges_gross'), moneyV2('summary.chargesFee', 'charges_fee'), moneyV2('summary.refundsFeeGross', 'refunds_gross'),
  ],
});

export const payoutsEntity = defineEntity({
  name: 'payouts',
  scopes: ['read_shopify_payments_payouts'],
  requires: 'shopifyPayments',
  sync: 'snapshot',
  paged: true,
  connection: ['shopifyPaymentsAccount', 'payouts'],
  tables: [payouts],
  routes: { ShopifyPaymentsPayout: payouts },
});
