// Reads what the ETL wrote to a local destination: every row of a table across its part files, and
// the run manifests. Uses ndjson's streaming parser, as a consumer of the files would.
import { createReadStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import ndjson from 'ndjson';
import type { ManifestDocument } from '../../src/load/manifest.ts';

export type OutputRow = Record<string, unknown>;

/** A money column (a decimal string in the files) as whole cents, so sums compare exactly. */
export const cents = (amount: unknown): number => Math.round(Number(amount) * 100);

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

export function partFiles(dest: string, table: string): string[] {
  return walk(join(dest, table)).filter((f) => f.endsWith('.ndjson.gz')).sort();
}

export async function readParts(files: string[]): Promise<OutputRow[]> {
  const rows: OutputRow[] = [];
  for (const file of files) {
    await pipeline(createReadStream(file), createGunzip(), ndjson.parse({ strict: true }), async function* (source: AsyncIterable<OutputRow>) {
      for await (const row of source) rows.push(row);
    });
  }
  return rows;
}

export function readTable(dest: string, table: string): Promise<OutputRow[]> {
  return readParts(partFiles(dest, table));
}

/** Tables that have at least one part file. */
export function tablesWritten(dest: string): string[] {
  if (!existsSync(dest)) return [];
  return readdirSync(dest).filter((d) => !d.startsWith('_') && partFiles(dest, d).length > 0).sort();
}

export function manifests(dest: string): ManifestDocument[] {
  // In run order: by start time, as the run ids sort too (src/load/layout.ts).
  return walk(join(dest, '_manifests'))
    .map((f) => JSON.parse(readFileSync(f, 'utf8')) as ManifestDocument)
    .sort((a, b) => Date.parse(a.startedAt) - Date.parse(b.startedAt) || a.runId.localeCompare(b.runId));
}

/** Rows of the files a set of manifests lists (what a manifest-driven reader sees). */
export async function readPublished(dest: string, docs: ManifestDocument[], table: string): Promise<OutputRow[]> {
  const names = docs.flatMap((m) => m.windows.flatMap((w) => w.files)).filter((f) => f.table === table).map((f) => join(dest, f.objectName));
  return readParts(names);
}

export function relativeFiles(dest: string): string[] {
  return walk(dest).map((f) => relative(dest, f)).sort();
}
