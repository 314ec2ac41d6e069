// Admin API versions and the bulk-operation behaviour that changes with them
// (docs/shopify-bulk-api.md#endpoint-and-versions). Versions are quarterly `YYYY-MM` names, so string
// comparison orders them; `unstable` is newer than every dated version.

/** The newest stable version this project is tested against (the CLI default; docs/design.md#cli-contract). */
export const DEFAULT_API_VERSION = '2026-10';

const VERSION_PATTERN = /^\d{4}-(01|04|07|10)$/;

export function isApiVersion(v: string): boolean {
  return v === 'unstable' || VERSION_PATTERN.test(v);
}

/** True when `v` is `since` or newer. */
function atLeast(v: string, since: string): boolean {
  return v === 'unstable' || v >= since;
}

/** Concurrent bulk *query* operations per app and shop: five from 2026-01, one before. */
export function bulkConcurrencyLimit(v: string): number {
  return atLeast(v, '2026-01') ? 5 : 1;
}

/** `bulkOperation(id:)` and `bulkOperations(...)` exist from 2026-01; older versions read `node(id:)`. */
export function hasBulkOperationQuery(v: string): boolean {
  return atLeast(v, '2026-01');
}

/**
 * The `groupObjects` argument of bulkOperationRunQuery: absent (null) before 2025-07, where output is
 * always grouped; from 2025-07 it defaults to true, and from 2026-01 to false.
 */
export function groupObjectsArgument(v: string): { defaultValue: boolean } | null {
  if (!atLeast(v, '2025-07')) return null;
  return { defaultValue: !atLeast(v, '2026-01') };
}
