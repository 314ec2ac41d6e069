// Shopify Payments disputes: chargebacks and inquiries a buyer's bank opened against a charge, with
// amount, reason, status and dates. A snapshot: a dispute has no updatedAt, and its status moves on
// until it is settled. A shop without Shopify Payments has none: the table is empty.
import { id, int, moneyV2, ref, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const disputes = table({
  name: 'disputes',
  description: 'One row per Shopify Payments dispute: type (CHARGEBACK or INQUIRY), status, reason and the card network\'s reason code, disputed amount, when it was opened, evidence due and sent, when it was settled, and the order.',
  columns: [
    id(), int('legacyResourceId'), ref('order.id', 'order_id'), str('type'), str('status'), str('reasonDetails.reason', 'reason'), str('reasonDetails.networkReasonCode', 'network_reason_code'),
    moneyV2('amount'), ts('initiatedAt'), ts('evidenceDueBy'), ts('evidenceSentOn'), ts('finalizedOn'),
  ],
});

export const disputesEntity = defineEntity({
  name: 'disputes',
  scopes: ['read_shopify_payments_disputes'],
  sync: 'snapshot',
  tables: [disputes],
  routes: { ShopifyPaymentsDispute: disputes },
});
