// Products with their variants and media (connections: their own JSONL lines, linked by __parentId).
// Options and tags are inline lists on the product line.
import { bool, decimal, id, int, moneyV2, parentId, records, ref, str, strings, table, ts } from '../rows/spec.ts';
import { defineEntity } from './define.ts';

const products = table({
  name: 'products',
  description: 'One row per product. options is a REPEATED RECORD (name, position, values); tags is REPEATED.',
  columns: [
    id(), str('title'), str('handle'), str('status'), str('vendor'), str('productType'), strings('tags'), ts('createdAt'), ts('updatedAt'),
    int('totalInventory'), bool('tracksInventory'),
    records('options', 'options', [str('name'), int('position'), strings('values')], 'Product options: name, position, values'),
    moneyV2('priceRangeV2.minVariantPrice', 'min_variant_price'), moneyV2('priceRangeV2.maxVariantPrice', 'max_variant_price'),
  ],
});

const variants = table({
  name: 'product_variants',
  description: 'One row per product variant. price and compare_at_price are in the shop currency, named in price_currency and compare_at_price_currency. selected_options is a REPEATED RECORD (name, value).',
  parent: { column: 'product_id', table: 'products' },
  columns: [
    id(), parentId('product_id'), str('title'), str('sku'), str('barcode'), int('position'), decimal('price'), decimal('compareAtPrice'),
    int('inventoryQuantity'), str('inventoryPolicy'), bool('taxable'), ts('createdAt'), ts('updatedAt'),
    records('selectedOptions', 'selected_options', [str('name'), str('value')], 'Selected options: name, value'),
    ref('inventoryItem.id', 'inventory_item_id'),
  ],
  // Shopify gives variant prices as bare amounts (Money, not MoneyV2), always in the shop's currency.
  inShopCurrency: ['price', 'compare_at_price'],
});

const media = table({
  name: 'product_media',
  description: 'One row per product media item (image, video, 3D model); image_* columns are set for images only, and can be null while an image is processing.',
  parent: { column: 'product_id', table: 'products' },
  columns: [
    id(), parentId('product_id'), str('__typename', 'media_type'), str('alt'), str('mediaContentType'), str('status'),
    str('image.url'), int('image.width'), int('image.height'),
  ],
});

export const productsEntity = defineEntity({
  name: 'products',
  scopes: ['read_products'],
  sync: 'incremental',
  tables: [products, variants, media],
  routes: {
    Product: products,
    ProductVariant: variants,
    MediaImage: media,
    Video: media,
    ExternalVideo: media,
    Model3d: media,
  },
  // Deleting a variant does not move its product's updatedAt: only an id snapshot of variants sees it.
  deletedQuietly: { variants },
});
