// Shopify-looking global ids. Numeric ids are 13 digits, increase with creation order, and are unique
// per type: base + ordinal * stride + a seeded jitter below the stride, so they do not look sequential.
import { hash32, Streams } from './prng.ts';

const STRIDE = 13;

/** One id space per GID type (ordinals are assigned by the generators, e.g. order * 16 + line). */
export const IdBase = {
  Order: 5_612_000_000_000,
  LineItem: 1_418_000_000_000,
  ShippingLine: 4_702_000_000_000,
  OrderTransaction: 6_931_000_000_000,
  Refund: 9_210_000_000_000,
  Fulfillment: 5_190_000_000_000,
  FulfillmentEvent: 3_874_000_000_000,
  Address: 7_305_000_000_000,
  Customer: 7_640_000_000_000,
  CustomerAddress: 8_412_000_000_000,
  Product: 8_921_000_000_000,
  ProductVariant: 4_512_000_000_000,
  ProductOption: 1_067_000_000_000,
  Media: 3_245_000_000_000,
  ImageSource: 3_611_000_000_000,
  Metafield: 2_874_000_000_000,
  VariantMetafield: 2_996_000_000_000,
  OwnerMetafield: 2_951_000_000_000,
  InventoryItem: 4_801_000_000_000,
  InventoryLevel: 1_106_000_000_000,
  Location: 7_091_000_000_000,
  Collection: 4_390_000_000_000,
  Shop: 6_015_000_000_000,
  BasicEvent: 9_870_000_000_000,
  SalesAgreement: 2_305_000_000_000,
  Return: 9_874_000_000_000,
  CustomerVisit: 1_733_000_000_000,
  Sale: 3_377_000_000_000,
  FulfillmentLineItem: 2_561_000_000_000,
  ReturnLineItem: 6_144_000_000_000,
  RefundLineItem: 5_305_000_000_000,
  RefundShippingLine: 8_093_000_000_000,
  OrderAdjustment: 1_905_000_000_000,
  ReturnReasonDefinition: 3_950_000_000_000,
  Duty: 2_174_000_000_000,
  AdditionalFee: 6_478_000_000_000,
} as const;

export function numericId(seed: number, base: number, ordinal: number): number {
  return base + ordinal * STRIDE + (hash32(seed, Streams.ids, base / 1e9, ordinal) % STRIDE);
}

export function gid(type: string, id: number): string {
  return `gid://shopify/${type}/${id}`;
}
