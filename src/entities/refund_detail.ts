// Refund and return detail (queries/refund_detail.graphql): what each return takes back, line by line,
// and what each refund pays back: its line items, its refunded shipping and its order adjustments.
// Paged, not bulk: return line items lie three connections deep (orders → returns → returnLineItems),
// past the two a bulk query nests, and a refund's line items are a connection inside the inline
// refunds list, which bulk queries refuse. The sales ledger (order_sales) does not carry them: its
// refund agreements hold sales (what was returned, or one adjustment of the amount), without a
// refund's restock type, location or discrepancy. So they cost ordinary requests over every order of
// the window (some 10 points an order, README: "Refund and return detail"), by default as the ledger
// does. Its windows are the orders' (updated_at).
import { bool, id, int, money, parentId, ref, str, table } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const returnLineItems = table({
  name: 'return_line_items',
  description: 'One row per line item of a return (Return.returnLineItems): quantity returned, how much of it is still refundable and how much was refunded, the return reason (its definition\'s handle) and notes, and what it takes back: the fulfillment line item and, through it, the order\'s line item (order_line_items.id). An unverified return line item (line_type UnverifiedReturnLineItem) points at neither.',
  parent: { column: 'return_id', table: 'returns' },
  columns: [
    id(), parentId('return_id'), str('__typename', 'line_type'), int('quantity'), int('refundableQuantity'), int('refundedQuantity'),
    str('returnReasonDefinition.handle', 'return_reason'), str('returnReasonNote'), str('customerNote'),
    ref('fulfillmentLineItem.id', 'fulfillment_line_item_id'), ref('fulfillmentLineItem.lineItem.id', 'line_item_id'),
  ],
});

const refundLineItems = table({
  name: 'order_refund_line_items',
  description: 'One row per line item of a refund (Refund.refundLineItems): the order line item refunded (order_line_items.id), the quantity, how it was restocked (RETURN, CANCEL, NO_RESTOCK, LEGACY_RESTOCK) and at which location, and the subtotal and tax refunded for it. A refund\'s total (order_refunds.total_refunded) is its line items\' subtotal and tax, plus its refunded shipping (order_refund_shipping_lines), less its order adjustments (order_adjustments) with their tax.',
  parent: { column: 'refund_id', table: 'order_refunds' },
  // Shopify's RefundLineItem.id is nullable (as ShippingLine.id is); one without an id is never merged with another.
  key: ['id'],
  columns: [
    id({ required: false }), parentId('refund_id'), ref('lineItem.id', 'line_item_id'), int('quantity'), str('restockType'), bool('restocked'), ref('location.id', 'location_id'),
    money('subtotalSet'), money('totalTaxSet'),
  ],
});

const refundShippingLines = table({
  name: 'order_refund_shipping_lines',
  description: 'One row per shipping line a refund pays back (Refund.refundShippingLines): the order\'s shipping line (order_shipping_lines.id), and the subtotal and tax refunded for it.',
  parent: { column: 'refund_id', table: 'order_refunds' },
  columns: [id(), parentId('refund_id'), ref('shippingLine.id', 'shipping_line_id'), money('subtotalAmountSet', 'subtotal_amount'), money('taxAmountSet', 'tax_amount')],
});

const adjustments = table({
  name: 'order_adjustments',
  description: 'One row per order adjustment of a refund (Refund.orderAdjustments): the difference between what the refund\'s line items and shipping come to and what was actually refunded, with its tax and reason (REFUND_DISCREPANCY, CUSTOMER, DAMAGE, RESTOCK, …). Positive where less was refunded than calculated, negative where more (an amount refunded with no line item).',
  parent: { column: 'refund_id', table: 'order_refunds' },
  columns: [id(), parentId('refund_id'), str('reason'), money('amountSet', 'amount'), money('taxAmountSet', 'tax_amount')],
});

export const refundDetailEntity = defineEntity({
  name: 'refund_detail',
  root: 'orders',
  sync: 'incremental',
  paged: true,
  scopes: ['read_orders', 'read_returns'],
  tables: [returnLineItems, refundLineItems, refundShippingLines, adjustments],
  // Orders, returns and refunds come through only as the parents of the detail: their rows are the orders entity's.
  routes: {
    Order: null, Return: null, Refund: null,
    ReturnLineItem: returnLineItems, UnverifiedReturnLineItem: returnLineItems,
    RefundLineItem: refundLineItems, RefundShippingLine: refundShippingLines, OrderAdjustment: adjustments,
  },
});
