// Draft orders and their line items (lineItems is a connection: one JSONL line per item). A draft's
// discount is one applied discount (not discount applications as on orders), flattened into columns.
import { address, bool, float, id, int, money, parentId, ref, str, strings, table, ts, type ColumnSpec } from '../rows/spec.ts';
import { defineEntity } from './define.ts';
import { ORDER_ADDRESS, taxLines } from './orders.ts';

/** DraftOrderAppliedDiscount: value is an amount or a percentage as value_type says; amount is what it takes off, in the shop currency. */
const appliedDiscount = (): ColumnSpec[] => [
  str('appliedDiscount.title'), str('appliedDiscount.description'), float('appliedDiscount.value'), str('appliedDiscount.valueType'), money('appliedDiscount.amountSet'),
];

const draftOrders = table({
  name: 'draft_orders',
  description: 'One row per draft order. Money columns are in the shop currency (shopMoney); order_id is the order a completed draft became; note is Shopify\'s note2; addresses are flattened; tax_lines is a REPEATED RECORD.',
  columns: [
    id(), str('name'), str('status'), ts('createdAt'), ts('updatedAt'), ts('completedAt'), ts('invoiceSentAt'), str('invoiceUrl'), ts('reserveInventoryUntil'),
    str('email'), str('phone'), str('note2', 'note'), str('poNumber'), strings('tags'), bool('ready'), bool('taxExempt'), bool('taxesIncluded'),
    str('currencyCode', 'currency'), str('presentmentCurrencyCode', 'presentment_currency'), int('totalQuantityOfLineItems'),
    ref('customer.id', 'customer_id'), ref('order.id', 'order_id'), ...appliedDiscount(),
    money('subtotalPriceSet'), money('totalLineItemsPriceSet'), money('totalDiscountsSet'), money('totalShippingPriceSet'), money('totalTaxSet'), money('totalPriceSet'),
    ...address(ORDER_ADDRESS, 'billingAddress'), ...address(ORDER_ADDRESS, 'shippingAddress'), taxLines(),
  ],
});

const lineItems = table({
  name: 'draft_order_line_items',
  description: 'One row per draft order line item. custom is true for an item not backed by a variant (variant_id and product_id null). Money in the shop currency; tax_lines is a REPEATED RECORD.',
  parent: { column: 'draft_order_id', table: 'draft_orders' },
  columns: [
    id(), parentId('draft_order_id'), str('name'), str('title'), str('variantTitle'), str('sku'), str('vendor'), int('quantity'), bool('custom'),
    bool('requiresShipping'), bool('taxable'), bool('isGiftCard'), ref('variant.id', 'variant_id'), ref('product.id', 'product_id'), ...appliedDiscount(),
    money('originalUnitPriceSet'), money('originalTotalSet'), money('discountedTotalSet'), money('totalDiscountSet'), taxLines(),
  ],
});

export const draftOrdersEntity = defineEntity({
  name: 'draft_orders',
  scopes: ['read_draft_orders'],
  sync: 'incremental',
  tables: [draftOrders, lineItems],
  routes: { DraftOrder: draftOrders, DraftOrderLineItem: lineItems },
});
