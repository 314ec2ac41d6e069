// Orders. Line items, shipping lines and discount applications are connections (their own JSONL lines,
// linked by __parentId); transactions, refunds and fulfillments are inline lists on the order line.
// Agreements, returns and attribution come from a second query on the same window (orders-details.ts);
// the agreements' sales are the order_sales entity's (order_sales.ts).
import { address, bool, decimal, float, id, int, money, parentId, records, ref, str, strings, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';
import { ordersDetails } from './orders-details.ts';

/** Tax lines as they appear on orders, line items, shipping lines and draft orders. */
export const taxLines = () => records('taxLines', 'tax_lines', [str('title'), float('rate'), money('priceSet', 'price')], 'Tax lines: title, rate (a fraction), price and price_currency in the shop currency');

export const ORDER_ADDRESS = ['address1', 'address2', 'city', 'province', 'provinceCode', 'country', 'countryCodeV2', 'zip'];

const transactions = table({
  name: 'order_transactions',
  description: 'One row per order transaction (from the inline Order.transactions list).',
  parent: { column: 'order_id', table: 'orders' },
  columns: [id(), parentId('order_id'), str('kind'), str('status'), str('gateway'), bool('test'), ts('createdAt'), ts('processedAt'), ref('parentTransaction.id', 'parent_transaction_id'), money('amountSet')],
});

const refunds = table({
  name: 'order_refunds',
  description: 'One row per refund (from the inline Order.refunds list). Its line items, refunded shipping and order adjustments are a connection inside the list, which bulk queries refuse: the refund_detail entity reads them (order_refund_line_items, order_refund_shipping_lines, order_adjustments).',
  parent: { column: 'order_id', table: 'orders' },
  columns: [id(), parentId('order_id'), ts('createdAt'), ts('processedAt'), str('note'), money('totalRefundedSet')],
});

const fulfillments = table({
  name: 'order_fulfillments',
  description: 'One row per fulfillment (from the inline Order.fulfillments list); tracking_info is a REPEATED RECORD.',
  parent: { column: 'order_id', table: 'orders' },
  columns: [
    id(), parentId('order_id'), str('name'), str('status'), str('displayStatus'), ts('createdAt'), ts('updatedAt'), int('totalQuantity'), ref('location.id', 'location_id'),
    records('trackingInfo', 'tracking_info', [str('company'), str('number'), str('url')], 'Tracking numbers: company, number, url'),
  ],
});

const orders = table({
  name: 'orders',
  description: 'One row per order. Money columns are in the shop currency (shopMoney); addresses are flattened; tax_lines is a REPEATED RECORD.',
  inline: [
    { key: 'transactions', table: transactions },
    { key: 'refunds', table: refunds },
    { key: 'fulfillments', table: fulfillments },
  ],
  columns: [
    id(), str('name'), int('number'), ts('createdAt'), ts('updatedAt'), ts('processedAt'), ts('cancelledAt'), str('cancelReason'), ts('closedAt'),
    str('email'), str('phone'), bool('test'), bool('confirmed'), str('currencyCode', 'currency'), str('presentmentCurrencyCode', 'presentment_currency'),
    str('displayFinancialStatus'), str('displayFulfillmentStatus'), str('sourceName'), strings('tags'), str('note'), ref('customer.id', 'customer_id'),
    // total_price is after edits (before returns); original_total_price as placed: what the edits changed is their difference.
    money('subtotalPriceSet'), money('totalPriceSet'), money('originalTotalPriceSet'), money('totalTaxSet'), money('totalDiscountsSet'), money('totalShippingPriceSet'), money('totalRefundedSet'),
    // What totalPriceSet holds beyond goods, shipping and taxes; duties and fees as placed (their current* fields drop with returns and edits), as total_price is.
    // Duties of a market pricing with duties included are inside the line items' prices instead (duties_included).
    money('totalTipReceivedSet'), money('originalTotalDutiesSet'), money('originalTotalAdditionalFeesSet'), bool('dutiesIncluded'),
    // An edit keeps a removed line on the order with its original_total while total_price is after it: order_totals leaves edited orders out.
    bool('edited'),
    ...address(ORDER_ADDRESS, 'billingAddress'), ...address(ORDER_ADDRESS, 'shippingAddress'), taxLines(),
  ],
});

const lineItems = table({
  name: 'order_line_items',
  description: 'One row per order line item. Money columns are in the shop currency; tax_lines is a REPEATED RECORD.',
  parent: { column: 'order_id', table: 'orders' },
  columns: [
    id(), parentId('order_id'), str('name'), str('title'), str('variantTitle'), str('sku'), str('vendor'), int('quantity'), int('currentQuantity'),
    bool('requiresShipping'), bool('taxable'), bool('isGiftCard'), ref('variant.id', 'variant_id'), ref('product.id', 'product_id'),
    money('originalUnitPriceSet'), money('discountedUnitPriceSet'), money('originalTotalSet'), money('discountedTotalSet'), money('totalDiscountSet'), taxLines(),
  ],
});

const shippingLines = table({
  name: 'order_shipping_lines',
  description: 'One row per shipping line (id can be null on some shipping lines). Money in the shop currency; tax_lines is a REPEATED RECORD.',
  parent: { column: 'order_id', table: 'orders' },
  // Shopify's ShippingLine.id is nullable; a shipping line without one is never merged with another.
  key: ['id'],
  columns: [id({ required: false }), parentId('order_id'), str('title'), str('code'), str('source'), str('carrierIdentifier'), money('originalPriceSet'), money('discountedPriceSet'), taxLines()],
});

const discountApplications = table({
  name: 'order_discount_applications',
  description: 'One row per discount application; these have no id, the key is (order_id, index). value is either an amount (value_amount, value_currency) or a percentage (value_percentage), as value_type says.',
  parent: { column: 'order_id', table: 'orders' },
  key: ['order_id', 'index'],
  columns: [
    parentId('order_id'), int('index'), str('__typename', 'discount_type'), str('allocationMethod'), str('targetSelection'), str('targetType'),
    str('value.__typename', 'value_type'), decimal('value.amount', 'value_amount'), str('value.currencyCode', 'value_currency'), float('value.percentage', 'value_percentage'),
    str('code'), str('title'), str('description'),
  ],
});

export const ordersEntity = defineEntity({
  name: 'orders',
  // read_returns too: the second query reads Order.returns and ReturnAgreement.return, and Shopify's
  // Return object requires it (https://shopify.dev/docs/api/admin-graphql/2024-01/objects/Return).
  // Without it Shopify would refuse that query and so every orders window; the preflight names it
  // first. An incremental entity's windows are whole or not committed, so its queries cannot be
  // left out one by one as a snapshot's are.
  scopes: ['read_orders', 'read_returns'],
  sync: 'incremental',
  tables: [orders, lineItems, transactions, refunds, fulfillments, shippingLines, discountApplications],
  routes: {
    Order: orders,
    LineItem: lineItems,
    ShippingLine: shippingLines,
    AutomaticDiscountApplication: discountApplications,
    DiscountCodeApplication: discountApplications,
    ManualDiscountApplication: discountApplications,
    ScriptDiscountApplication: discountApplications,
  },
  parts: [ordersDetails],
});
