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

/** True when `scope` is granted; a granted write_… scope includes its read_… (Shopify lists only the write one). */
export function hasScope(granted: ReadonlySet<string>, scope: string): boolean {
  return granted.has(scope) || (scope.startsWith('read_') && granted.has(`write_${scope.slice('read_'.length)}`));
}

/** True when what an entity reads with these scopes stops at 60 days unless read_all_orders is granted too. */
export function limitedToOrderHistory(scopes: readonly string[]): boolean {
  return scopes.includes(ORDERS_SCOPE);
}

/** The scopes to name when Shopify denied an entity's operation: its own, and read_all_orders where its data is order history. */
export function scopesToGrant(scopes: readonly string[]): string[] {
  return limitedToOrderHistory(scopes) ? [...scopes, ALL_ORDERS_SCOPE] : [...scopes];
}
