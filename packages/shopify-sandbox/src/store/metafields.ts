// Metafields of every owner but products and variants (product-media.ts has theirs): customers, orders,
// draft orders, collections, locations, companies (Plus only) and the shop, derived from (kind of owner, index) like the rest of the
// store. Edits and deletes of single metafields (Store.editMetafields, removeMetafields) live in the
// overlay and touch no owner: in Shopify, a metafield change does not move its owner's updatedAt.
// Also the productVariants root (every live variant of every live product), which reaches variants'
// metafields, and the ground truth of the ETL's one metafields table, over every owner.
import type { StoreContext } from './context.ts';
import type { EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { gid, IdBase, numericId } from './ids.ts';
import { locationTimes } from './locations.ts';
import { collectionTimes } from './collections.ts';
import { companies } from './companies.ts';
import { shopCreated } from './shop.ts';
import { Connection, RawJson, type Rec } from './model.ts';
import { rngFor, Streams, type Rng } from './prng.ts';
import { liveVariants } from './products.ts';
import { metafieldsOf, variantMetafields } from './product-media.ts';
import { rootIndexes } from './generator.ts';
import { iso, isoDate } from './time.ts';

/** The owners this module makes metafields for, as Shopify's MetafieldOwnerType names them. */
export type OwnerType = 'CUSTOMER' | 'ORDER' | 'DRAFTORDER' | 'COLLECTION' | 'LOCATION' | 'COMPANY' | 'SHOP';

interface OwnerDef {
  namespace: string;
  key: string;
  type: 'single_line_text_field' | 'multi_line_text_field' | 'number_integer' | 'boolean' | 'json' | 'date';
  /** Chance an owner has it. */
  share: number;
  value(rng: Rng): string;
}

const DEFS: Readonly<Record<OwnerType, readonly OwnerDef[]>> = {
  CUSTOMER: [
    { namespace: 'loyalty', key: 'tier', type: 'single_line_text_field', share: 0.5, value: (rng) => rng.pick(['bronze', 'silver', 'gold']) },
    { namespace: 'custom', key: 'birthday', type: 'date', share: 0.3, value: (rng) => isoDate(rng.range(0, 12_000) * 86_400) },
    { namespace: 'loyalty', key: 'points', type: 'number_integer', share: 0.4, value: (rng) => String(rng.range(0, 5000)) },
  ],
  ORDER: [
    { namespace: 'erp', key: 'export_id', type: 'single_line_text_field', share: 0.4, value: (rng) => `SO-${rng.range(10_000, 99_999)}` },
    { namespace: 'custom', key: 'gift_note', type: 'multi_line_text_field', share: 0.1, value: (rng) => rng.pick(['Joyeux anniversaire !\n— Léa', 'Happy holidays', 'お誕生日おめでとう']) },
    // A larger JSON value: metafield values run to many kilobytes, and are streamed like any other field.
    { namespace: 'erp', key: 'lines', type: 'json', share: 0.2, value: (rng) => JSON.stringify(Array.from({ length: rng.range(1, 40) }, (_, k) => ({ line: k + 1, sku: `MAP-${rng.range(100, 999)}`, qty: rng.range(1, 6), note: 'ligne / línea' }))) },
  ],
  DRAFTORDER: [
    { namespace: 'b2b', key: 'po_number', type: 'single_line_text_field', share: 0.4, value: (rng) => `PO-${rng.range(1000, 9999)}` },
    { namespace: 'b2b', key: 'terms', type: 'json', share: 0.3, value: (rng) => JSON.stringify({ net_days: rng.pick([15, 30, 60]) }) },
  ],
  COLLECTION: [
    { namespace: 'seo', key: 'hidden', type: 'number_integer', share: 0.3, value: () => '1' },
    { namespace: 'custom', key: 'banner', type: 'single_line_text_field', share: 0.6, value: (rng) => rng.pick(['Spring sugaring 🍁', 'Nouveautés', 'Sale – 20 %']) },
  ],
  COMPANY: [
    { namespace: 'b2b', key: 'credit_limit', type: 'number_integer', share: 0.6, value: (rng) => String(rng.range(1, 50) * 1000) },
    { namespace: 'b2b', key: 'contract', type: 'json', share: 0.4, value: (rng) => JSON.stringify({ renews: isoDate((20_000 + rng.range(0, 900)) * 86_400), tiers: [1, rng.range(2, 4)] }) },
  ],
  // The shop's: settings apps keep on it. Each is there (share 1): a shop has one owner only.
  SHOP: [
    { namespace: 'app--reviews', key: 'settings', type: 'json', share: 1, value: (rng) => JSON.stringify({ stars: rng.range(3, 5), moderation: rng.chance(0.5) }) },
    { namespace: 'custom', key: 'tagline', type: 'single_line_text_field', share: 1, value: (rng) => rng.pick(['Maple, straight from the grove', 'Sirop d’érable – depuis 1952']) },
    { namespace: 'custom', key: 'founded', type: 'date', share: 1, value: () => '1952-03-21' },
  ],
  LOCATION: [
    { namespace: 'ops', key: 'pickup_hours', type: 'json', share: 0.7, value: (rng) => JSON.stringify({ mon: `${rng.range(7, 10)}-17`, sat: rng.chance(0.5) ? '10-14' : null }) },
    { namespace: 'ops', key: 'dock', type: 'single_line_text_field', share: 0.5, value: (rng) => `B${rng.range(1, 9)}` },
  ],
};

const KINDS: readonly OwnerType[] = ['CUSTOMER', 'ORDER', 'DRAFTORDER', 'COLLECTION', 'LOCATION', 'COMPANY', 'SHOP'];
const MAX_PER_OWNER = 4;

/** The metafields of owner `index` of a kind, created with it (epoch seconds `created`), with the overlay's edits and deletes. */
export function ownerMetafields(ctx: StoreContext, ownerType: OwnerType, index: number, created: number): Rec[] {
  const kind = KINDS.indexOf(ownerType);
  const rng = rngFor(ctx.seed, Streams.ownerMetafield, index, kind);
  const fields: Rec[] = [];
  DEFS[ownerType].forEach((def, k) => {
    if (!rng.chance(def.share)) return;
    const value = def.value(rng);
    // Within an hour of its owner's creation, never past the data's end (an owner added later: at its creation).
    const at = created + rng.int(Math.max(1, Math.min(3600, ctx.timeline.end - created)));
    fields.push({
      __typename: 'Metafield',
      id: gid('Metafield', numericId(ctx.seed, IdBase.OwnerMetafield, (index * KINDS.length + kind) * MAX_PER_OWNER + k)),
      ownerType,
      namespace: def.namespace,
      key: def.key,
      type: def.type,
      value,
      jsonValue: new RawJson(jsonValueOf(def.type, value)),
      createdAt: iso(created),
      updatedAt: iso(at),
    });
  });
  return withChanges(ctx, fields);
}

/** A metafield connection's resolver for an owner of this module. */
export function metafieldConnection(ctx: StoreContext, ownerType: OwnerType, index: number, created: number): () => Connection {
  return () => new Connection(ownerMetafields(ctx, ownerType, index, created));
}

/** The overlay's edits and deletes of single metafields applied to an owner's list (every owner's passes here). */
export function withChanges(ctx: StoreContext, fields: Rec[]): Rec[] {
  const { metafieldEdits, deletedMetafields } = ctx.overlay;
  if (metafieldEdits.size === 0 && deletedMetafields.size === 0) return fields;
  return fields.filter((f) => !deletedMetafields.has(String(f['id']))).map((f) => {
    const edit = metafieldEdits.get(String(f['id']));
    return edit ? { ...f, value: edit.value, jsonValue: new RawJson(jsonValueOf(f['type'] as OwnerDef['type'], edit.value)), updatedAt: iso(edit.at) } : f;
  });
}

function jsonValueOf(type: OwnerDef['type'], value: string): unknown {
  switch (type) {
    case 'number_integer': return Number(value);
    case 'boolean': return value === 'true';
    case 'json': return JSON.parse(value) as unknown;
    default: return value;
  }
}

/** Every metafield of the store, owner by owner: what the ETL's metafields table holds. */
export function* allMetafields(g: StoreGraph): Generator<Rec> {
  const { ctx } = g;
  for (const p of rootIndexes(g, 'products', () => true)) {
    const core = g.productCore(p);
    yield* withChanges(ctx, metafieldsOf(ctx, core));
    for (const v of liveVariants(ctx, core)) yield* withChanges(ctx, variantMetafields(ctx, core, v));
  }
  for (const [root, ownerType] of [['customers', 'CUSTOMER'], ['orders', 'ORDER'], ['draftOrders', 'DRAFTORDER']] as const) {
    for (const i of rootIndexes(g, root, () => true)) yield* ownerMetafields(ctx, ownerType, i, ctx.rootTimes(root, i).created);
  }
  for (let k = 0; k < ctx.size.collections; k++) if (!ctx.overlay.isDeleted('collections', k)) yield* ownerMetafields(ctx, 'COLLECTION', k, collectionTimes(g, k).created);
  for (let l = 0; l < ctx.size.locations; l++) yield* ownerMetafields(ctx, 'LOCATION', l, locationTimes(g, l).created);
  for (const company of companies(g)) yield* (company['metafields'] as () => Connection)().nodes;
  yield* ownerMetafields(ctx, 'SHOP', 0, shopCreated(ctx));
}

/**
 * `productVariants`: every live variant of every live product, in product order. Its truth is the
 * metafields table's, over every owner: a snapshot, counted in full (the variants' own table is
 * products').
 */
export const productVariantsGenerator: EntityGenerator = {
  root: 'productVariants',
  *nodes(g) {
    for (const p of rootIndexes(g, 'products', () => true)) {
      for (const v of liveVariants(g.ctx, g.productCore(p))) yield g.variant(p, v.index);
    }
  },
  truth(g) {
    let metafields = 0;
    for (const _ of allMetafields(g)) metafields++;
    return { metafields };
  },
};
