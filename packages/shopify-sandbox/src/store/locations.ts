// Locations: a few, created early in the store's life; every third one after the first is inactive.
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, type Rec } from './model.ts';
import { LOCATION_NAMES, PLACES, STREETS } from './names.ts';
import { rngFor, Streams } from './prng.ts';
import type { EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { DAY, iso } from './time.ts';
import { metafieldConnection } from './metafields.ts';

export function isActiveLocation(l: number): boolean {
  return !(l > 0 && l % 3 === 2);
}

export function locationTimes(g: StoreGraph, l: number): { created: number; updated: number; deactivated: number | null } {
  const rng = rngFor(g.ctx.seed, Streams.location, l);
  const { start, end } = g.ctx.timeline;
  const created = start + l * 7 * DAY + rng.int(DAY);
  const updated = created + rng.int(end - created);
  return { created, updated, deactivated: isActiveLocation(l) ? null : updated };
}

export function locationRecord(g: StoreGraph, l: number): Rec {
  const rng = rngFor(g.ctx.seed, Streams.location, l, 1);
  const place = PLACES[(l * 5 + 1) % PLACES.length] ?? PLACES[0]!;
  const active = isActiveLocation(l);
  const times = locationTimes(g, l);
  const name = LOCATION_NAMES[l % LOCATION_NAMES.length] ?? 'Location';
  return {
    __typename: 'Location',
    id: gid('Location', numericId(g.ctx.seed, IdBase.Location, l)),
    name: l < LOCATION_NAMES.length ? name : `${name} ${l + 1}`,
    isActive: active,
    fulfillsOnlineOrders: active && l !== 2,
    shipsInventory: active,
    hasActiveInventory: active,
    createdAt: iso(times.created),
    updatedAt: iso(times.updated),
    deactivatedAt: times.deactivated === null ? null : iso(times.deactivated),
    address: {
      __typename: 'LocationAddress',
      address1: `${rng.range(1, 400)} ${rng.pick(STREETS)}`,
      address2: rng.chance(0.3) ? `Unit ${rng.range(1, 20)}` : null,
      city: place.city,
      province: place.province,
      provinceCode: place.provinceCode,
      country: place.country,
      countryCode: place.countryCode,
      zip: place.zip,
      phone: rng.chance(0.6) ? `+1 555 01${rng.range(10, 99)}` : null,
    },
    inventoryLevels: () => new Connection(g.levelsAtLocation(l)),
    metafields: metafieldConnection(g.ctx, 'LOCATION', l, times.created),
  };
}

export const locationsGenerator: EntityGenerator = {
  root: 'locations',
  // Shopify offers no date filter on locations, so `query` narrows nothing here.
  *nodes(g, _filter, args) {
    for (let l = 0; l < g.ctx.size.locations; l++) if (args['includeInactive'] === true || isActiveLocation(l)) yield g.location(l);
  },
  truth: (g) => ({ locations: g.ctx.size.locations }),
};
