// Access scopes: what the app installed on the shop was granted, read once before the first bulk
// operation (the preflight, src/sync/plan.ts checkScopes), and how a scope an entity declares is
// found among them (https://shopify.dev/docs/api/usage/access-scopes).
import type { ShopifyClient } from './client.ts';

/**
 * Orders (and what is read through them) older than 60 days are visible only with this scope on top
 * of read_orders; without it Shopify answers as if they did not exist, so nothing fails.
 */
export const ALL_ORDERS_SCOPE = 'read_all_orders';
const ORDERS_SCOPE = 'read_orders';
export const ORDER_HISTORY_MS = 60 * 24 * 60 * 60 * 1000;

/** The scope handles the app was granted on the shop, as Shopify lists them. */
export async function readGrantedScopes(client: ShopifyClient): Promise<Set<string>> {
  const data = await client.request<{ currentAppInstallation: { accessScopes: Array<{ handle: string }> } }>(
    'query GrantedScopes { currentAppInstallation { accessScopes { handle } } }',
  );
  return new Set(data.currentAppInstallation.accessScopes.map((s) => s.handle));
}

/**
 * A scope Shopify also accepts in place of another: B2B companies, their locations and contacts are
 * readable with read_customers as well as with read_companies; pages, blogs and articles with
 * read_online_store_pages as well as with read_content.
 */
const ALSO_GRANTED_BY: Readonly<Record<string, string>> = { read_companies: 'read_customers', read_content: 'read_online_store_pages' };

/** True when `scope` is granted; a granted write_… scope includes its read_… (Shopify lists only the write one), and ALSO_GRANTED_BY's alternative counts. */
export function hasScope(granted: ReadonlySet<string>, scope: string): boolean {
  const has = (s: string): boolean => granted.has(s) || (s.startsWith('read_') && granted.has(`write_${s.slice('read_'.length)}`));
  const alternative = ALSO_GRANTED_BY[scope];
  return has(scope) || (alternative !== undefined && has(alternative));
}

/** True when what an entity reads with these scopes stops at 60 days unless read_all_orders is granted too. */
export function limitedToOrderHistory(scopes: readonly string[]): boolean {
  return scopes.includes(ORDERS_SCOPE);
}

/** The scopes to name when Shopify denied an entity's operation: its own, and read_all_orders where its data is order history. */
export function scopesToGrant(scopes: readonly string[]): string[] {
  return limitedToOrderHistory(scopes) ? [...scopes, ALL_ORDERS_SCOPE] : [...scopes];
}
