// Tender transactions: every movement of money between a buyer and the shop (a payment positive, a
// refund negative), the table cash reconciliation starts from. Shopify never changes one after it is
// processed, so it is read incrementally on processed_at (the root has no updated_at, no
// tenderTransactionsCount and no sortKey).
import { bool, id, moneyV2, ref, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const tenderTransactions = table({
  name: 'tender_transactions',
  description: 'One row per tender transaction: money that moved between a buyer and the shop (payments positive, refunds negative), its payment method, card details where a card paid, and its order (order_id null once the order is deleted).',
  references: { column: 'order_id', table: 'orders', onDelete: 'null' },
  columns: [
    id(), ref('order.id', 'order_id'), ts('processedAt'), str('paymentMethod'), str('remoteReference'), bool('test'), moneyV2('amount'),
    str('transactionDetails.creditCardCompany', 'credit_card_company'), str('transactionDetails.creditCardNumber', 'credit_card_number'),
  ],
});

export const tenderTransactionsEntity = defineEntity({
  name: 'tender_transactions',
  scopes: ['read_orders'],
  sync: 'incremental',
  cursor: 'processedAt',
  counted: false,
  sortsById: false,
  tables: [tenderTransactions],
  routes: { TenderTransaction: tenderTransactions },
});
