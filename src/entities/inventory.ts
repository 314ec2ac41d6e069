// Inventory items with their levels per location (a connection: one JSONL line per level). A full
// snapshot each run: quantities change without bumping the item's updatedAt.
import { bool, id, moneyV2, parentId, pivot, ref, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

/** quantities is a list of { name, quantity } for the names inventory.graphql asks for in quantities(names:); one INTEGER column each. */
const quantities = pivot('quantities', {
  names: ['available', 'on_hand', 'committed', 'incoming', 'reserved', 'damaged', 'quality_control', 'safety_stock'],
  nameKey: 'name',
  valueKey: 'quantity',
  label: 'Quantity',
});

const items = table({
  name: 'inventory_items',
  description: 'One row per inventory item (a variant\'s stock-keeping unit). unit_cost is the item\'s cost.',
  columns: [
    id(), str('sku'), bool('tracked'), bool('requiresShipping'), str('countryCodeOfOrigin'), str('provinceCodeOfOrigin'),
    str('harmonizedSystemCode'), ts('createdAt'), ts('updatedAt'), moneyV2('unitCost'),
  ],
});

const levels = table({
  name: 'inventory_levels',
  description: 'One row per inventory item and location, one INTEGER column per quantity name. (inventory_item_id, location_id) is the natural key.',
  parent: { column: 'inventory_item_id', table: 'inventory_items' },
  columns: [id(), parentId('inventory_item_id'), ref('location.id', 'location_id'), bool('isActive'), ts('createdAt'), ts('updatedAt'), quantities],
});

export const inventoryEntity = defineEntity({
  name: 'inventory',
  scopes: ['read_inventory'],
  sync: 'snapshot',
  tables: [items, levels],
  routes: { InventoryItem: items, InventoryLevel: levels },
});
