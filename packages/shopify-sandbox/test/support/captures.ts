// Reads the recorded Shopify interactions in test/captures/: real answers of a development store,
// trimmed to what the tests read (provenance.json says where from; scripts/refresh-captures.ts
// rebuilds them). A capture file is one scenario; its interactions are found by a path of keys.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const CAPTURES_DIR = join(import.meta.dirname, '../captures');

/** The recording development store is not on Shopify Plus: a sandbox replaying it has its rate limit (src/cost.ts). */
export const RECORDED_FEATURES = { shopifyPlus: false } as const;

export interface Interaction {
  operationName?: string;
  query: string;
  variables?: Record<string, unknown>;
  status: number;
  response: Record<string, unknown> & { data?: Record<string, unknown> | null; errors?: unknown[]; extensions?: Record<string, unknown> };
}

const cache = new Map<string, unknown>();

/** One capture file, e.g. capture('2026-04', 'bulk-operation-run-query-validators'). */
export function capture(version: string, name: string): Record<string, unknown> {
  const file = join(CAPTURES_DIR, version, `${name}.json`);
  let value = cache.get(file);
  if (!value) {
    value = JSON.parse(readFileSync(file, 'utf8'));
    cache.set(file, value);
  }
  return value as Record<string, unknown>;
}

/** Follows a path of keys (and array indexes) into a capture to an interaction. */
export function interaction(version: string, name: string, ...path: Array<string | number>): Interaction {
  let node: unknown = capture(version, name);
  for (const key of path) node = (node as Record<string | number, unknown>)[key];
  if (!node || typeof node !== 'object' || !('query' in node)) throw new Error(`no interaction at ${version}/${name}/${path.join('/')}`);
  return node as Interaction;
}
