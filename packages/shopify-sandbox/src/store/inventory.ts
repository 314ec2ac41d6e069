// Inventory items (one per variant) and their levels at active locations, with Shopify's named
// quantities. on_hand is the sum of the states stock can be in (available, committed, reserved,
// damaged, quality_control, safety_stock); incoming is stock not yet received.
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, moneyV2, type Args, type Rec } from './model.ts';
import { hash32, rngFor, Streams } from './prng.ts';
import { MAX_VARIANTS, variantExists } from './products.ts';
import { matchesTimes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { iso } from './time.ts';

export const QUANTITY_NAMES = ['available', 'on_hand', 'committed', 'incoming', 'reserved', 'damaged', 'quality_control', 'safety_stock'] as const;
export type QuantityName = (typeof QUANTITY_NAMES)[number];

export function itemOrdinal(p: number, v: number): number {
  return p * MAX_VARIANTS + v;
}

export function itemNumericId(g: StoreGraph, p: number, v: number): number {
  return numericId(g.ctx.seed, IdBase.InventoryItem, itemOrdinal(p, v));
}

export interface ItemTimes {
  created: number;
  updated: number;
}

/** Inventory items change on their own clock (stock moves), not when their product is edited. */
export function itemTimes(g: StoreGraph, p: number, v: number): ItemTimes {
  const variant = g.productCore(p).variants[v];
  const created = variant?.created ?? g.ctx.timeline.start;
  const end = Math.max(created + 1, g.ctx.timeline.end);
  const rng = rngFor(g.ctx.seed, Streams.inventoryItem, itemOrdinal(p, v));
  return { created, updated: p >= g.ctx.size.products ? created : created + rng.int(end - created) };
}

/** Active locations stocking an item: always the first active one, then about three in four others. */
export function levelLocations(g: StoreGraph, p: number, v: number): number[] {
  const active = g.activeLocations();
  return active.filter((l, i) => i === 0 || hash32(g.ctx.seed, Streams.inventoryLevel, itemOrdinal(p, v), l) % 4 !== 0);
}

export function levelQuantities(g: StoreGraph, p: number, v: number, l: number): Record<QuantityName, number> {
  const rng = rngFor(g.ctx.seed, Streams.inventoryLevel, itemOrdinal(p, v), l + 1);
  const q = {
    available: rng.chance(0.1) ? 0 : rng.range(-2, 120),
    committed: rng.chance(0.6) ? 0 : rng.range(1, 6),
    reserved: rng.chance(0.8) ? 0 : rng.range(1, 3),
    damaged: rng.chance(0.9) ? 0 : rng.range(1, 2),
    quality_control: rng.chance(0.9) ? 0 : rng.range(1, 2),
    safety_stock: rng.chance(0.7) ? 0 : rng.range(1, 5),
    incoming: rng.chance(0.7) ? 0 : rng.range(5, 50),
  };
  return { ...q, on_hand: Math.max(0, q.available) + q.committed + q.reserved + q.damaged + q.quality_control + q.safety_stock };
}

export function inventoryItemRecord(g: StoreGraph, p: number, v: number): Rec {
  const core = g.productCore(p);
  const variant = core.variants[v];
  if (!variant) throw new Error(`product ${p} has no variant ${v}`);
  const rng = rngFor(g.ctx.seed, Streams.inventoryItem, itemOrdinal(p, v), 1);
  const times = itemTimes(g, p, v);
  const origin = rng.weighted([40, 20, 20, 20]);
  return {
    __typename: 'InventoryItem',
    id: gid('InventoryItem', itemNumericId(g, p, v)),
    sku: variant.sku,
    tracked: core.tracked,
    requiresShipping: !core.isGiftCard,
    countryCodeOfOrigin: [null, 'US', 'CN', 'PT'][origin] ?? null,
    provinceCodeOfOrigin: origin === 1 && rng.chance(0.5) ? 'CA' : null,
    harmonizedSystemCode: rng.chance(0.4) ? rng.pick(['610910', '420292', '691200', '481910']) : null,
    createdAt: iso(times.created),
    updatedAt: iso(times.updated),
    unitCost: rng.chance(0.7) ? moneyV2(Math.round(variant.priceCents * 0.4), g.ctx.shopCurrency) : null,
    inventoryLevels: () => new Connection(levelLocations(g, p, v).map((l) => inventoryLevelRecord(g, p, v, l))),
    variant: () => g.variant(p, v),
  };
}

export function inventoryLevelRecord(g: StoreGraph, p: number, v: number, l: number): Rec {
  const itemId = itemNumericId(g, p, v);
  const levelId = numericId(g.ctx.seed, IdBase.InventoryLevel, itemOrdinal(p, v) * Math.max(1, g.ctx.size.locations) + l);
  const times = itemTimes(g, p, v);
  const quantities = levelQuantities(g, p, v, l);
  return {
    __typename: 'InventoryLevel',
    // Shopify's level ids carry the item as a query parameter; consumers must not assume digits only.
    id: `${gid('InventoryLevel', levelId)}?inventory_item_id=${itemId}`,
    isActive: true,
    createdAt: iso(times.created),
    updatedAt: iso(times.updated),
    item: () => g.inventoryItem(p, v),
    location: () => g.location(l),
    quantities: (args: Args) => {
      const names = Array.isArray(args['names']) ? (args['names'] as unknown[]) : [];
      return names
        .filter((name): name is QuantityName => (QUANTITY_NAMES as readonly unknown[]).includes(name))
        .map((name) => ({
          __typename: 'InventoryQuantity',
          id: `gid://shopify/InventoryQuantity/${levelId}?inventory_item_id=${itemId}&name=${name}`,
          name,
          quantity: quantities[name],
          updatedAt: quantities[name] === 0 ? null : iso(times.updated),
        }));
    },
  };
}

/** Inventory items of every product's variants, filtered by their own times; a snapshot in the truth. */
export const inventoryItemsGenerator: EntityGenerator = {
  root: 'inventoryItems',
  *nodes(g, filter) {
    const products = g.ctx.count('products');
    for (let p = 0; p < products; p++) {
      const variants = g.productCore(p).variants.length;
      for (let v = 0; v < variants; v++) if (variantExists(g.ctx, p, v) && (filter.isEmpty || matchesTimes(filter)(itemTimes(g, p, v)))) yield g.inventoryItem(p, v);
    }
  },
  truth(g) {
    const tally = new Tally(['inventory_items', 'inventory_levels']);
    const products = g.ctx.count('products');
    for (let p = 0; p < products; p++) {
      const variants = g.productCore(p).variants.length;
      for (let v = 0; v < variants; v++) {
        if (!variantExists(g.ctx, p, v)) continue;
        tally.add('inventory_items');
        tally.add('inventory_levels', levelLocations(g, p, v).length);
      }
    }
    return tally.counts;
  },
};
