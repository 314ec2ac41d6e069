// The sandbox's example clients: the bulk queries of the shopify-bulk-etl package in this repository
// (queries/ at the repository root). They select every type the store serves, so the store tests run
// them rather than keep copies that would drift.
import { readdirSync, readFileSync } from 'node:fs';

export const QUERIES_DIR = new URL('../../../../queries/', import.meta.url);

/** The text of queries/<name>.graphql. */
export function queryFile(name: string): string {
  return readFileSync(new URL(`${name}.graphql`, QUERIES_DIR), 'utf8');
}

/** Every query file's name (without .graphql), sorted. */
export function queryNames(): string[] {
  return readdirSync(QUERIES_DIR).filter((f) => f.endsWith('.graphql')).map((f) => f.slice(0, -'.graphql'.length)).sort();
}
