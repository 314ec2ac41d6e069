// Locations: their own registry entry because Shopify offers no updated_at filter on them; they are
// few, so each run takes a full snapshot.
import { address, bool, id, str, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const locations = table({
  name: 'locations',
  description: 'One row per location, active or not (full snapshot each run). The address is flattened into address_* columns.',
  columns: [
    id(), str('name'), bool('isActive'), bool('fulfillsOnlineOrders'), bool('shipsInventory'), bool('hasActiveInventory'),
    ts('createdAt'), ts('updatedAt'), ts('deactivatedAt'),
    ...address(['address1', 'address2', 'city', 'province', 'provinceCode', 'country', 'countryCode', 'zip', 'phone'], 'address'),
  ],
});

export const locationsEntity = defineEntity({
  name: 'locations',
  scopes: ['read_locations'],
  sync: 'snapshot',
  tables: [locations],
  routes: { Location: locations },
});
