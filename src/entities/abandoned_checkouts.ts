// Abandoned checkouts and their line items (lineItems is a connection: one JSONL line per item).
// Incremental on updated_at: Shopify's abandonedCheckouts root filters on it and counts a window
// (abandonedCheckoutsCount); a change to the cart, the buyer's details or its recovery (completedAt)
// is a change to the checkout, so its updatedAt moves with its line items.
import { address, bool, id, int, money, parentId, records, ref, str, strings, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';
import { ORDER_ADDRESS, taxLines } from './orders.ts';

const customAttributes = () => records('customAttributes', 'custom_attributes', [str('key'), str('value')], 'Custom attributes the buyer or the storefront attached: key, value');

const checkouts = table({
  name: 'abandoned_checkouts',
  description: 'One row per abandoned checkout (recovered ones too: completed_at is set once the buyer paid). Money columns are in the shop currency (shopMoney); addresses are flattened; discount_codes are the codes the buyer entered; tax_lines and custom_attributes are REPEATED RECORDs.',
  columns: [
    id(), str('name'), ts('createdAt'), ts('updatedAt'), ts('completedAt'), str('abandonedCheckoutUrl'), str('note'), strings('discountCodes'), bool('taxesIncluded'),
    ref('customer.id', 'customer_id'), customAttributes(),
    money('subtotalPriceSet'), money('totalLineItemsPriceSet'), money('totalDiscountSet'), money('totalTaxSet'), money('totalDutiesSet'), money('totalPriceSet'),
    ...address(ORDER_ADDRESS, 'billingAddress'), ...address(ORDER_ADDRESS, 'shippingAddress'), taxLines(),
  ],
});

const lineItems = table({
  name: 'abandoned_checkout_line_items',
  description: 'One row per line item of an abandoned checkout: the variant and product, quantity, and prices before and after discounts in the shop currency; custom_attributes is a REPEATED RECORD.',
  parent: { column: 'abandoned_checkout_id', table: 'abandoned_checkouts' },
  columns: [
    id(), parentId('abandoned_checkout_id'), str('title'), str('variantTitle'), str('sku'), int('quantity'), ref('variant.id', 'variant_id'), ref('product.id', 'product_id'),
    customAttributes(), money('originalUnitPriceSet'), money('originalTotalPriceSet'), money('discountedUnitPriceSet'), money('discountedTotalPriceSet'),
  ],
});

export const abandonedCheckoutsEntity = defineEntity({
  name: 'abandoned_checkouts',
  scopes: ['read_orders'],
  sync: 'incremental',
  tables: [checkouts, lineItems],
  routes: { AbandonedCheckout: checkouts, AbandonedCheckoutLineItem: lineItems },
});
