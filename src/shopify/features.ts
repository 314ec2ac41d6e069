// What a shop has beyond the scopes it granted: some data exists only on Shopify Plus (gift cards) or
// with a Shopify Payments account (payouts), and some only a shop's plan lets apps read (staff
// accounts: Plus and Advanced). Read once, in the preflight, for the features a selected entity
// requires: a shop without one gets that entity's tables empty with a note, not a failure.
import type { ShopFeature } from '../entities/types.ts';
import { ErrorCodes, isEtlError } from '../errors/index.ts';
import type { ShopifyClient } from './client.ts';

/** Why an entity's tables stay empty when the shop lacks the feature. */
export const MISSING_FEATURE: Readonly<Record<ShopFeature, string>> = {
  shopifyPlus: 'the shop is not on Shopify Plus, where its data exists',
  shopifyPayments: 'the shop has no Shopify Payments account',
  staffAccess: 'the shop\'s plan does not let apps read its staff, as Shopify Plus and Advanced do',
};

/** Which of `wanted` the shop has. */
export async function readShopFeatures(client: ShopifyClient, wanted: ReadonlySet<ShopFeature>): Promise<Set<ShopFeature>> {
  const has = new Set<ShopFeature>();
  const fields = [wanted.has('shopifyPlus') ? 'shop { plan { shopifyPlus } }' : '', wanted.has('shopifyPayments') ? 'shopifyPaymentsAccount { id }' : ''].filter(Boolean);
  if (fields.length > 0) {
    const data = await client.request<{ shop?: { plan: { shopifyPlus: boolean } }; shopifyPaymentsAccount?: { id: string } | null }>(`query ShopFeatures { ${fields.join(' ')} }`);
    if (data.shop?.plan.shopifyPlus === true) has.add('shopifyPlus');
    if (data.shopifyPaymentsAccount) has.add('shopifyPayments');
  }
  if (wanted.has('staffAccess') && (await readsStaff(client))) has.add('staffAccess');
  return has;
}

/**
 * Whether Shopify answers the app's staffMembers: with read_users granted, a plan other than Plus or
 * Advanced still answers ACCESS_DENIED. The plan's name would say it only through names Shopify does
 * not document (trial and development plans among them), so the preflight asks for one staff member.
 */
async function readsStaff(client: ShopifyClient): Promise<boolean> {
  try {
    await client.request('query StaffAccess { staffMembers(first: 1) { edges { node { id } } } }');
    return true;
  } catch (err) {
    if (isEtlError(err, ErrorCodes.ACCESS_DENIED)) return false;
    throw err;
  }
}
