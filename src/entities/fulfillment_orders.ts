// Fulfillment orders and their line items, from the fulfillmentOrders root (closed ones included).
// Incremental on the fulfillment order's own updated_at, not its order's: a hold placed or released, a
// move to another location or a line's remaining quantity changes the fulfillment order and leaves
// the order's updatedAt where it was, so reading them under orders would miss those changes. Shopify
// offers no fulfillmentOrdersCount, so their windows are not count-checked.
import { bool, id, int, parentId, records, ref, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const fulfillmentOrders = table({
  name: 'fulfillment_orders',
  description: 'One row per fulfillment order (closed ones included): its order, status, request status, assigned location, destination, delivery method and holds (fulfillment_holds, a REPEATED RECORD).',
  references: { column: 'order_id', table: 'orders', onDelete: 'cascade' },
  columns: [
    id(), ref('orderId', 'order_id'), str('orderName'), ts('orderProcessedAt'), str('status'), str('requestStatus'), ts('createdAt'), ts('updatedAt'), ts('fulfillAt'), ts('fulfillBy'),
    ref('assignedLocation.location.id', 'assigned_location_id'), str('assignedLocation.name', 'assigned_location_name'), str('assignedLocation.countryCode', 'assigned_location_country_code'),
    str('assignedLocation.city', 'assigned_location_city'), str('assignedLocation.province', 'assigned_location_province'), str('assignedLocation.zip', 'assigned_location_zip'),
    str('destination.city'), str('destination.province'), str('destination.countryCode'), str('destination.zip'),
    str('deliveryMethod.methodType', 'delivery_method_type'), str('deliveryMethod.presentedName', 'delivery_method_name'),
    records('fulfillmentHolds', 'fulfillment_holds', [str('id'), str('reason'), str('reasonNotes'), str('displayReason')], 'The holds keeping the fulfillment order from being fulfilled: hold GID, reason, notes, display text.'),
  ],
});

const lineItems = table({
  name: 'fulfillment_order_line_items',
  description: 'One row per fulfillment order line item: the order line item it fulfils (line_item_id), its total quantity and the quantity still to fulfil.',
  parent: { column: 'fulfillment_order_id', table: 'fulfillment_orders' },
  columns: [
    id(), parentId('fulfillment_order_id'), ref('lineItem.id', 'line_item_id'), ref('variant.id', 'variant_id'), ref('inventoryItemId', 'inventory_item_id'),
    str('sku'), str('productTitle'), str('variantTitle'), str('vendor'), bool('requiresShipping'), int('totalQuantity'), int('remainingQuantity'),
  ],
});

export const fulfillmentOrdersEntity = defineEntity({
  name: 'fulfillment_orders',
  // Merchant-managed locations' fulfillment orders; those of fulfillment services need
  // read_third_party_fulfillment_orders too, and are left out without it (Shopify filters, not fails).
  scopes: ['read_merchant_managed_fulfillment_orders'],
  sync: 'incremental',
  counted: false,
  tables: [fulfillmentOrders, lineItems],
  routes: { FulfillmentOrder: fulfillmentOrders, FulfillmentOrderLineItem: lineItems },
});
