// Helpers for the store tests: run a query through the store and read its JSONL back.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'graphql';
import { Store, type BulkFileResult, type Ordering, type StoreSize } from '../../src/store/index.ts';

export const NOW = new Date('2026-06-01T12:34:56Z');
export type Line = Record<string, unknown> & { __typename?: string; id?: string; __parentId?: string };

export function makeStore(size: Partial<StoreSize> = {}, seed = 7): Store {
  return new Store({ seed, size, shopDomain: 'sandbox-test.myshopify.com', now: () => NOW });
}


export type Rec = Record<string, unknown>;

/** A field of a record of the store's rootValue(): a function of its arguments is called, a connection read whole. */
export function field<T = unknown>(rec: Rec, name: string, args: Rec = {}): T {
  const value = typeof rec[name] === 'function' ? (rec[name] as (args: Rec) => unknown)(args) : rec[name];
  return (value !== null && typeof value === 'object' && 'nodes' in value ? [...(value as { nodes: Iterable<Rec> }).nodes] : value) as T;
}

export interface BulkRun {
  result: BulkFileResult;
  text: string;
  lines: Line[];
}

const dir = mkdtempSync(join(tmpdir(), 'store-test-'));
let files = 0;
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Runs a query (text) through writeBulkResult and parses every line of the file. */
export async function runBulk(store: Store, query: string, ordering: Ordering = 'grouped'): Promise<BulkRun> {
  const path = join(dir, `run-${files++}.jsonl`);
  const result = await store.writeBulkResult(parse(query), path, { ordering });
  const text = readFileSync(path, 'utf8');
  rmSync(path);
  const lines = text === '' ? [] : text.replace(/\n$/, '').split('\n').map((l) => JSON.parse(l) as Line);
  return { result, text, lines };
}

export function withFilter(query: string, root: string, filter: string): string {
  return query.replace(new RegExp(`\\b${root}\\s*\\{`), `${root}(query: ${JSON.stringify(filter)}) {`);
}
