// Locations: their own registry entry because Shopify offers no updated_at filter on them; they are
// few, so each run takes a full snapshot.
import { address, bool, id, routeByTypename, str, table, ts } from '../rows/columns.ts';
import type { Entity } from './types.ts';

const locations = table({
  name: 'locations',
  description: 'One row per location, active or not (full snapshot each run). The address is flattened into address_* columns.',
  fields: [
    id(), str('name'), bool('isActive'), bool('fulfillsOnlineOrders'), bool('shipsInventory'), bool('hasActiveInventory'),
    ts('createdAt'), ts('updatedAt'), ts('deactivatedAt'),
    ...address(['address1', 'address2', 'city', 'province', 'provinceCode', 'country', 'countryCode', 'zip', 'phone'], 'address'),
  ],
});

export const locationsEntity: Entity = {
  name: 'locations',
  kind: 'bulk',
  queryFile: 'locations.graphql',
  incremental: null,
  tables: [locations.def],
  ...routeByTypename('locations', { Location: locations }),
};
