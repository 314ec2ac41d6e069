// A product's media (images, videos, external videos) and metafields, and its variants' metafields:
// the children of a product record, derived from its core like the rest of it.
import { gid, IdBase, numericId } from './ids.ts';
import { RawJson, type Args, type Rec } from './model.ts';
import { hash32, rngFor, Streams, type Rng } from './prng.ts';
import { MAX_VARIANTS, type ProductCore, type VariantCore } from './products.ts';
import type { StoreContext } from './context.ts';
import { iso, isoDate } from './time.ts';

const MAX_MEDIA = 6;
const MAX_METAFIELDS = 8;

/** About a third of variants carry a swatch metafield (enough for two-level nested exports). */
export function variantMetafields(ctx: StoreContext, core: ProductCore, variant: VariantCore): Rec[] {
  const ordinal = core.index * MAX_VARIANTS + variant.index;
  if (hash32(ctx.seed, Streams.metafield, ordinal, 1) % 3 !== 0) return [];
  const value = variant.selectedOptions.map((o) => o.value).join(' / ');
  return [{
    __typename: 'Metafield',
    id: gid('Metafield', numericId(ctx.seed, IdBase.VariantMetafield, ordinal)),
    ownerType: 'PRODUCTVARIANT',
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
      ownerType: 'PRODUCT',
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
export function filterMetafields(fields: Rec[], args: Args): Rec[] {
  const namespace = typeof args['namespace'] === 'string' ? args['namespace'] : null;
  const keys = Array.isArray(args['keys']) ? (args['keys'] as unknown[]).map(String) : null;
  return fields.filter((f) => (namespace === null || f['namespace'] === namespace) && (keys === null || keys.includes(`${String(f['namespace'])}.${String(f['key'])}`)));
}
