// What a shop has beyond the scopes it granted: some data exists only on Shopify Plus (gift cards) or
// with a Shopify Payments account (payouts). Read once, in the preflight, for the features a selected
// entity requires: a shop without one gets that entity's tables empty with a note, not a failure.
import type { ShopFeature } from '../entities/types.ts';
import type { ShopifyClient } from './client.ts';

/** Why an entity's tables stay empty when the shop lacks the feature. */
export const MISSING_FEATURE: Readonly<Record<ShopFeature, string>> = {
  shopifyPlus: 'the shop is not on Shopify Plus, where its data exists',
  shopifyPayments: 'the shop has no Shopify Payments account',
};

/** Which of `wanted` the shop has. */
export async function readShopFeatures(client: ShopifyClient, wanted: ReadonlySet<ShopFeature>): Promise<Set<ShopFeature>> {
  if (wanted.size === 0) return new Set();
  const fields = [wanted.has('shopifyPlus') ? 'shop { plan { shopifyPlus } }' : '', wanted.has('shopifyPayments') ? 'shopifyPaymentsAccount { id }' : ''].filter(Boolean);
  const data = await client.request<{ shop?: { plan: { shopifyPlus: boolean } }; shopifyPaymentsAccount?: { id: string } | null }>(`query ShopFeatures { ${fields.join(' ')} }`);
  const has = new Set<ShopFeature>();
  if (data.shop?.plan.shopifyPlus === true) has.add('shopifyPlus');
  if (data.shopifyPaymentsAccount) has.add('shopifyPayments');
  return has;
}
