// Inventory items with their levels per location (a connection: one JSONL line per level). A full
// snapshot each run: quantities change without bumping the item's updatedAt.
import { bool, encode, id, isPlainObject, keyCount, moneyV2, parentId, ref, routeByTypename, str, table, ts, type Mapping } from '../rows/columns.ts';
import type { Entity } from './types.ts';
import type { JsonValue } from '../rows/types.ts';

/** The names inventory.graphql asks for in quantities(names:), one INTEGER column each. */
const QUANTITY_NAMES = ['available', 'on_hand', 'committed', 'incoming', 'reserved', 'damaged', 'quality_control', 'safety_stock'];

const QUANTITIES_NULL = QUANTITY_NAMES.map((name) => `"${name}":null,`).join('');

// quantities is a list of { name, quantity }; pivot it into columns. A name without a column stays
// unread, so it shows up in _extra.
const quantities: Mapping = {
  columns: QUANTITY_NAMES.map((name) => ({ name, type: 'INTEGER' as const, description: `Quantity "${name}"` })),
  read(src, row) {
    for (const name of QUANTITY_NAMES) row[name] = null;
    for (const q of src.list('quantities')) {
      const name = q.peek('name');
      if (typeof name !== 'string' || !QUANTITY_NAMES.includes(name)) continue;
      q.string('name');
      row[name] = q.integer('quantity');
    }
  },
  fast: {
    paths: ['quantities'],
    write: (record) => writeQuantities(record.quantities),
    scan: { kind: 'value', path: 'quantities', write: (v) => writeQuantities(v) },
  },
};

// Each known name at most once, as { name, quantity } and nothing else; anything else takes read().
function writeQuantities(list: JsonValue | undefined): string | undefined {
  if (!Array.isArray(list)) return list == null ? QUANTITIES_NULL : undefined;
  const values: Array<string | undefined> = new Array(QUANTITY_NAMES.length);
  for (const q of list) {
    if (!isPlainObject(q) || keyCount(q) !== 2 || typeof q.name !== 'string' || q.quantity === undefined) return undefined;
    const at = QUANTITY_NAMES.indexOf(q.name);
    if (at === -1 || values[at] !== undefined) return undefined;
    values[at] = encode.integer(q.quantity);
    if (values[at] === undefined) return undefined;
  }
  let text = '';
  for (let i = 0; i < QUANTITY_NAMES.length; i++) text += `"${QUANTITY_NAMES[i]}":${values[i] ?? 'null'},`;
  return text;
}

const items = table({
  name: 'inventory_items',
  description: 'One row per inventory item (a variant\'s stock-keeping unit). unit_cost is the item\'s cost.',
  fields: [
    id(), str('sku'), bool('tracked'), bool('requiresShipping'), str('countryCodeOfOrigin'), str('provinceCodeOfOrigin'),
    str('harmonizedSystemCode'), ts('createdAt'), ts('updatedAt'), moneyV2('unitCost'),
  ],
});

const levels = table({
  name: 'inventory_levels',
  description: 'One row per inventory item and location, one INTEGER column per quantity name. (inventory_item_id, location_id) is the natural key.',
  parent: { column: 'inventory_item_id', table: 'inventory_items' },
  fields: [id(), parentId('inventory_item_id'), ref('location.id', 'location_id'), bool('isActive'), ts('createdAt'), ts('updatedAt'), quantities],
});

export const inventoryEntity: Entity = {
  name: 'inventory',
  kind: 'bulk',
  queryFile: 'inventory.graphql',
  incremental: null,
  tables: [items, levels].map((t) => t.def),
  ...routeByTypename('inventory', { InventoryItem: items, InventoryLevel: levels }),
};
