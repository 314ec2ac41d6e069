// Products, their options, variants, media and metafields. A product's "core" (what line items and
// inventory items need from it) is derived from (seed, index) alone; records add the lazy parts.
import { gid, IdBase, numericId } from './ids.ts';
import { Connection, money, moneyV2, type Rec } from './model.ts';
import { ADJECTIVES, NOUNS, OPTION_VALUES, PRODUCT_TYPES, TAGS, VENDORS } from './names.ts';
import { rngFor, Streams, type Rng } from './prng.ts';
import { filterMetafields, mediaOf, metafieldsOf, variantMetafields } from './product-media.ts';
import { withChanges } from './metafields.ts';
import type { StoreContext } from './context.ts';
import { inWindow, mutableNodes, rootIndexes, Tally, type EntityGenerator } from './generator.ts';
import type { StoreGraph } from './graph.ts';
import { iso } from './time.ts';

export const MAX_VARIANTS = 8;

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
      id: gid('ProductVariant', numericId(ctx.seed, IdBase.ProductVariant, variantOrdinal(p, v))),
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

/** The variant's key among deleted records (remove() in index.ts): `productVariants`, p * MAX_VARIANTS + v. */
export function variantOrdinal(p: number, v: number): number {
  return p * MAX_VARIANTS + v;
}

/** Whether the product and its variant still exist (neither was deleted). */
export function variantExists(ctx: StoreContext, p: number, v: number): boolean {
  return !ctx.overlay.isDeleted('products', p) && !ctx.overlay.isDeleted('productVariants', variantOrdinal(p, v));
}

/** The product's variants not deleted. */
export function liveVariants(ctx: StoreContext, core: ProductCore): VariantCore[] {
  return core.variants.filter((v) => variantExists(ctx, core.index, v.index));
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
    variants: () => new Connection(liveVariants(g.ctx, core).map((v) => g.variant(p, v.index))),
    media: () => new Connection(mediaOf(g.ctx, core)),
    metafields: (args) => new Connection(filterMetafields(withChanges(g.ctx, metafieldsOf(g.ctx, core)), args)),
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
    metafields: () => new Connection(withChanges(g.ctx, variantMetafields(g.ctx, core, variant))),
  };
}

export const productsGenerator: EntityGenerator = {
  root: 'products',
  mutable: { defaultSize: 40, gidType: 'Product', idBase: IdBase.Product },
  nodes: mutableNodes('products', IdBase.Product, (g, p) => g.product(p)),
  truth(g, window) {
    const tally = new Tally(['products', 'product_variants', 'product_media']);
    for (const p of rootIndexes(g, 'products', (t) => inWindow(window, t.updated))) {
      const core = g.productCore(p);
      tally.add('products');
      tally.add('product_variants', liveVariants(g.ctx, core).length);
      tally.add('product_media', mediaOf(g.ctx, core).length);
    }
    return tally.counts;
  },
};
