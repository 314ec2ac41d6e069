// The access scopes a bulk query needs, read from its root connections. A FAILED operation with
// ACCESS_DENIED does not say which scope was missing, so the error names the ones the query's roots
// require (https://shopify.dev/docs/api/usage/access-scopes) and the operator knows what to grant.

const ROOT_SCOPES: Readonly<Record<string, readonly string[]>> = {
  // Orders older than 60 days need read_all_orders on top of read_orders.
  orders: ['read_orders', 'read_all_orders'],
  draftOrders: ['read_draft_orders'],
  products: ['read_products'],
  productVariants: ['read_products'],
  collections: ['read_products'],
  customers: ['read_customers'],
  inventoryItems: ['read_inventory'],
  locations: ['read_locations'],
};

/** Scopes the query's top-level fields need, in a stable order; empty when none is known. */
export function scopesForQuery(query: string | null): string[] {
  if (!query) return [];
  const body = query.replace(/#[^\n\r]*/g, '');
  const open = body.indexOf('{');
  if (open < 0) return [];
  const scopes = new Set<string>();
  // Top-level field names: identifiers at brace depth 1 of the operation's selection set.
  let depth = 0;
  for (const token of body.slice(open).matchAll(/[{}]|"(?:[^"\\]|\\.)*"|\([^)]*\)|[A-Za-z_][A-Za-z0-9_]*/g)) {
    const text = token[0];
    if (text === '{') depth += 1;
    else if (text === '}') depth -= 1;
    else if (depth === 1) for (const scope of ROOT_SCOPES[text] ?? []) scopes.add(scope);
  }
  return [...scopes];
}
