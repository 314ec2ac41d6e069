// Products, their options, variants, media and metafields. A product's "core" (what line items and
// inventory items need from it) is derived from (seed, index) alone; records add the lazy parts.
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, money, moneyV2, RawJson, type Args, type Rec } from './model.ts';
import { ADJECTIVES, NOUNS, OPTION_VALUES, PRODUCT_TYPES, TAGS, VENDORS } from './names.ts';
import { hash32, rngFor, Streams, type Rng } from './prng.ts';
import type { StoreContext } from './context.ts';
import type { StoreGraph } from './graph.ts';
import { iso, isoDate } from './time.ts';

export const MAX_VARIANTS = 8;
const MAX_MEDIA = 6;
const MAX_METAFIELDS = 8;

export interface VariantCore {
  index: number;
  id: string;
  title: string;
  /** Null for the single variant of a product without options ("Default Title"). */
  variantTitle: string | null;
  sku: string | null;
  barcode: string | null;
  priceCents: number;
  compareAtCents: number | null;
  inventoryPolicy: 'DENY' | 'CONTINUE';
  taxable: boolean;
  selectedOptions: ReadonlyArray<{ name: string; value: string }>;
  created: number;
  updated: number;
}

export interface ProductCore {
  index: number;
  id: string;
  title: string;
  handle: string;
  vendor: string;
  productType: string;
  status: 'ACTIVE' | 'DRAFT' | 'ARCHIVED';
  tags: readonly string[];
  isGiftCard: boolean;
  tracked: boolean;
  options: ReadonlyArray<{ name: string; values: readonly string[] }>;
  variants: readonly VariantCore[];
  created: number;
  baseUpdated: number;
}

export function productCore(ctx: StoreContext, p: number): ProductCore {
  const rng = rngFor(ctx.seed, Streams.product, p);
  const { created, baseUpdated } = ctx.rootTimes('products', p);
  const isGiftCard = p % 29 === 7;
  const title = isGiftCard ? 'Gift Card' : `${rng.pick(ADJECTIVES)} ${rng.pick(NOUNS)}`;
  const handle = `${slug(title)}-${p + 1}`;
  const options = isGiftCard ? [{ name: 'Denominations', values: ['$25', '$50', '$100'] }] : pickOptions(rng);
  const basePrice = rng.range(4, 150) * 100 + rng.pick([0, 0, 50, 99]);
  const skuStem = handle.replace(/[^a-z0-9]/g, '').slice(0, 6).toUpperCase() || 'SKU';
  const combos = cartesian(options.map((o) => o.values)).slice(0, MAX_VARIANTS);
  const variants = combos.map((values, v): VariantCore => {
    const hasOptions = options[0]?.name !== 'Title';
    const skuKind = rng.weighted([80, 10, 10]);
    const priceCents = isGiftCard ? [2500, 5000, 10000][v] ?? 2500 : basePrice + v * rng.pick([0, 0, 100, 250]);
    return {
      index: v,
      id: gid('ProductVariant', numericId(ctx.seed, IdBase.ProductVariant, p * MAX_VARIANTS + v)),
      title: values.join(' / '),
      variantTitle: hasOptions ? values.join(' / ') : null,
      sku: skuKind === 0 ? `${skuStem}-${p + 1}-${v + 1}` : skuKind === 1 ? '' : null,
      barcode: rng.chance(0.4) ? String(4_000_000_000_000 + rng.int(999_999_999)) : null,
      priceCents,
      compareAtCents: rng.chance(0.25) ? Math.round(priceCents * 1.25) : null,
      inventoryPolicy: rng.chance(0.85) ? 'DENY' : 'CONTINUE',
      taxable: !isGiftCard && rng.chance(0.9),
      selectedOptions: options.map((o, i) => ({ name: o.name, value: values[i] ?? '' })),
      created,
      updated: created + Math.floor(rng.float() * (baseUpdated - created)),
    };
  });
  return {
    index: p,
    id: gid('Product', numericId(ctx.seed, IdBase.Product, p)),
    title,
    handle,
    vendor: rng.pick(VENDORS),
    productType: isGiftCard ? 'Gift Card' : rng.pick(PRODUCT_TYPES),
    status: (['ACTIVE', 'DRAFT', 'ARCHIVED'] as const)[rng.weighted([80, 12, 8])] ?? 'ACTIVE',
    tags: rng.some(TAGS, 3),
    isGiftCard,
    tracked: !isGiftCard && rng.chance(0.9),
    options,
    variants,
    created,
    baseUpdated,
  };
}

function pickOptions(rng: Rng): Array<{ name: string; values: string[] }> {
  const names = Object.keys(OPTION_VALUES).slice(0, rng.weighted([30, 40, 20, 10]));
  if (names.length === 0) return [{ name: 'Title', values: ['Default Title'] }];
  return names.map((name) => {
    const all = OPTION_VALUES[name] ?? [];
    return { name, values: all.slice(0, rng.range(1, Math.min(all.length, names.length === 1 ? 5 : 3))) };
  });
}

function cartesian(lists: readonly (readonly string[])[]): string[][] {
  return lists.reduce<string[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
}

export function slug(text: string): string {
  const ascii = text.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  return ascii.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '') || 'item';
}

export function productRecord(g: StoreGraph, p: number): Rec {
  const core = g.productCore(p);
  const { updated } = g.ctx.rootTimes('products', p);
  const currency = g.ctx.shopCurrency;
  const prices = core.variants.map((v) => v.priceCents);
  return {
    __typename: 'Product',
    id: core.id,
    title: core.title,
    handle: core.handle,
    status: core.status,
    vendor: core.vendor,
    productType: core.productType,
    tags: core.tags,
    createdAt: iso(core.created),
    updatedAt: iso(updated),
    totalInventory: () => core.variants.reduce((sum, v) => sum + g.availableQuantity(p, v.index), 0),
    tracksInventory: core.tracked,
    options: core.options.map((o, i) => ({
      __typename: 'ProductOption',
      id: gid('ProductOption', numericId(g.ctx.seed, IdBase.ProductOption, p * 4 + i)),
      name: o.name,
      position: i + 1,
      values: o.values,
    })),
    priceRangeV2: {
      __typename: 'ProductPriceRangeV2',
      minVariantPrice: moneyV2(Math.min(...prices), currency),
      maxVariantPrice: moneyV2(Math.max(...prices), currency),
    },
    variants: () => new Connection(core.variants.map((v) => g.variant(p, v.index))),
    media: () => new Connection(mediaOf(g.ctx, core)),
    metafields: (args) => new Connection(filterMetafields(metafieldsOf(g.ctx, core), args)),
    collections: () => new Connection(g.collectionsOfProduct(p)),
  };
}

export function variantRecord(g: StoreGraph, p: number, v: number): Rec {
  const core = g.productCore(p);
  const variant = core.variants[v];
  if (!variant) throw new Error(`product ${p} has no variant ${v}`);
  return {
    __typename: 'ProductVariant',
    id: variant.id,
    title: variant.title,
    sku: variant.sku,
    barcode: variant.barcode,
    position: v + 1,
    price: money(variant.priceCents),
    compareAtPrice: variant.compareAtCents === null ? null : money(variant.compareAtCents),
    inventoryQuantity: () => g.availableQuantity(p, v),
    inventoryPolicy: variant.inventoryPolicy,
    taxable: variant.taxable,
    createdAt: iso(variant.created),
    updatedAt: iso(variant.updated),
    selectedOptions: variant.selectedOptions.map((o) => ({ __typename: 'SelectedOption', ...o })),
    inventoryItem: () => g.inventoryItem(p, v),
    product: () => g.product(p),
    metafields: () => new Connection(variantMetafields(g.ctx, core, variant)),
  };
}

/** About a third of variants carry a swatch metafield (enough for two-level nested exports). */
function variantMetafields(ctx: StoreContext, core: ProductCore, variant: VariantCore): Rec[] {
  const ordinal = core.index * MAX_VARIANTS + variant.index;
  if (hash32(ctx.seed, Streams.metafield, ordinal, 1) % 3 !== 0) return [];
  const value = variant.selectedOptions.map((o) => o.value).join(' / ');
  return [{
    __typename: 'Metafield',
    id: gid('Metafield', numericId(ctx.seed, IdBase.VariantMetafield, ordinal)),
    namespace: 'custom',
    key: 'swatch',
    type: 'single_line_text_field',
    value,
    jsonValue: new RawJson(value),
    createdAt: iso(variant.created),
    updatedAt: iso(variant.updated),
  }];
}

/** Media: mostly images (whose `image` is null while Shopify still processes them), some videos. */
export function mediaOf(ctx: StoreContext, core: ProductCore): Rec[] {
  const rng = rngFor(ctx.seed, Streams.media, core.index);
  const count = core.isGiftCard ? 1 : rng.weighted([10, 35, 25, 15, 8, 5, 2]);
  const media: Rec[] = [];
  for (let m = 0; m < Math.min(count, MAX_MEDIA); m++) {
    const n = numericId(ctx.seed, IdBase.Media, core.index * MAX_MEDIA + m);
    const created = core.created + rng.int(Math.max(1, core.baseUpdated - core.created));
    const alt = rng.pick([core.title, '', null, `${core.title} – détail ${m + 1}`]);
    const kind = rng.weighted([80, 10, 10]);
    const common = { alt, createdAt: iso(created), updatedAt: iso(Math.min(created + rng.int(3600), core.baseUpdated)) };
    if (kind === 0) {
      const ready = rng.chance(0.9);
      media.push({
        __typename: 'MediaImage',
        id: gid('MediaImage', n),
        mediaContentType: 'IMAGE',
        status: ready ? 'READY' : rng.pick(['UPLOADED', 'PROCESSING']),
        ...common,
        mimeType: 'image/jpeg',
        image: ready
          ? {
              __typename: 'Image',
              id: gid('ImageSource', numericId(ctx.seed, IdBase.ImageSource, core.index * MAX_MEDIA + m)),
              url: `https://cdn.shopify.com/s/files/1/0612/3456/7890/files/${core.handle}-${m + 1}.jpg?v=${created}`,
              altText: alt,
              width: rng.pick([800, 1024, 2048]),
              height: rng.pick([800, 1024, 1536]),
            }
          : null,
      });
    } else if (kind === 1) {
      media.push({
        __typename: 'Video',
        id: gid('Video', n),
        mediaContentType: 'VIDEO',
        status: 'READY',
        ...common,
        duration: rng.chance(0.8) ? rng.range(5_000, 120_000) : null,
        filename: `${core.handle}-${m + 1}.mp4`,
      });
    } else {
      const key = `dQw${n.toString(36).slice(-8)}`;
      media.push({
        __typename: 'ExternalVideo',
        id: gid('ExternalVideo', n),
        mediaContentType: 'EXTERNAL_VIDEO',
        status: 'READY',
        ...common,
        embedUrl: `https://www.youtube.com/embed/${key}`,
        host: 'YOUTUBE',
        originUrl: `https://www.youtube.com/watch?v=${key}`,
      });
    }
  }
  return media;
}

interface MetafieldDef {
  namespace: string;
  key: string;
  type: 'single_line_text_field' | 'number_integer' | 'boolean' | 'json' | 'date';
  value(rng: Rng, core: ProductCore): string;
}

const METAFIELD_DEFS: readonly MetafieldDef[] = [
  { namespace: 'custom', key: 'subtitle', type: 'single_line_text_field', value: (_, c) => `${c.title} — ${c.vendor}` },
  { namespace: 'custom', key: 'warranty_years', type: 'number_integer', value: (rng) => String(rng.range(0, 5)) },
  { namespace: 'custom', key: 'is_featured', type: 'boolean', value: (rng) => String(rng.chance(0.3)) },
  { namespace: 'specs', key: 'dimensions', type: 'json', value: (rng) => JSON.stringify({ width_cm: rng.range(5, 80), height_cm: rng.range(5, 80), materials: ['cotton', 'recycled/poly'].slice(0, rng.range(1, 2)) }) },
  { namespace: 'custom', key: 'release_date', type: 'date', value: (rng, c) => isoDate(c.created + rng.int(30) * 86_400) },
  { namespace: 'seo', key: 'hidden', type: 'number_integer', value: () => '1' },
  { namespace: 'custom', key: 'care_instructions', type: 'single_line_text_field', value: (rng) => rng.pick(['Machine wash 30°C', 'Handwäsche', 'Do not tumble dry', '陰干し']) },
];

export function metafieldsOf(ctx: StoreContext, core: ProductCore): Rec[] {
  const rng = rngFor(ctx.seed, Streams.metafield, core.index);
  const fields: Rec[] = [];
  METAFIELD_DEFS.forEach((def, k) => {
    if (!rng.chance(k === 5 ? 0.1 : 0.5)) return;
    const value = def.value(rng, core);
    const created = core.created + rng.int(Math.max(1, core.baseUpdated - core.created));
    fields.push({
      __typename: 'Metafield',
      id: gid('Metafield', numericId(ctx.seed, IdBase.Metafield, core.index * MAX_METAFIELDS + k)),
      namespace: def.namespace,
      key: def.key,
      type: def.type,
      value,
      jsonValue: new RawJson(jsonValueOf(def.type, value)),
      createdAt: iso(created),
      updatedAt: iso(Math.max(created, core.baseUpdated - rng.int(3600))),
    });
  });
  return fields;
}

function jsonValueOf(type: MetafieldDef['type'], value: string): unknown {
  switch (type) {
    case 'number_integer': return Number(value);
    case 'boolean': return value === 'true';
    case 'json': return JSON.parse(value) as unknown;
    default: return value;
  }
}

/** `metafields(namespace:, keys: ["ns.key"])` narrow the connection as Shopify does. */
function filterMetafields(fields: Rec[], args: Args): Rec[] {
  const namespace = typeof args['namespace'] === 'string' ? args['namespace'] : null;
  const keys = Array.isArray(args['keys']) ? (args['keys'] as unknown[]).map(String) : null;
  return fields.filter((f) => (namespace === null || f['namespace'] === namespace) && (keys === null || keys.includes(`${String(f['namespace'])}.${String(f['key'])}`)));
}
