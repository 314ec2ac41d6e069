// Object names of the output layout (docs/design.md#output-layout), in one place so every writer agrees:
//   <table>/shop=<shop>/dt=<YYYY-MM-DD>/run=<run_id>/part-<00000>.ndjson.gz (or .parquet: --format)
//   _manifests/shop=<shop>/run=<run_id>.json
//   _schemas/<table>.json
// Hive-style key=value folders let BigQuery external tables with hive partitioning read it as is.
import { join } from 'node:path';

/** How part files are written (--format): gzip NDJSON, or Parquet (src/parquet/). */
export type OutputFormat = 'ndjson' | 'parquet';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['ndjson', 'parquet'];

const PART_EXTENSION: Record<OutputFormat, string> = { ndjson: '.ndjson.gz', parquet: '.parquet' };

/** What a part file is to the destination: the gzip or Parquet its name ends in. */
export function partContentType(objectName: string): string {
  return objectName.endsWith(PART_EXTENSION.parquet) ? 'application/vnd.apache.parquet' : 'application/gzip';
}

export function partObjectName(table: string, shop: string, runDate: string, runId: string, part: number, format: OutputFormat = 'ndjson'): string {
  return `${table}/shop=${shop}/dt=${runDate}/run=${runId}/part-${String(part).padStart(5, '0')}${PART_EXTENSION[format]}`;
}

/** The folder of one run's parts of one table: everything it uploaded there, listed or not. */
export function runPartsPrefix(table: string, shop: string, runId: string): string {
  return `${table}/shop=${shop}/dt=${runDateOf(runId)}/run=${runId}/`;
}

export function manifestObjectName(shop: string, runId: string): string {
  return `_manifests/shop=${shop}/run=${runId}.json`;
}

/** The shop of a manifest's object name (manifestObjectName); null for any other name. */
export function manifestShop(objectName: string): string | null {
  return /^_manifests\/shop=([^/]+)\/run=[^/]+\.json$/.exec(objectName)?.[1] ?? null;
}

export function schemaObjectName(table: string): string {
  return `_schemas/${table}.json`;
}

/** Where an object of the destination `dest` (a folder or gs://bucket/prefix) is, for people to find it. */
export function objectLocation(dest: string, objectName: string): string {
  return dest.startsWith('gs://') ? `${dest.replace(/\/+$/, '')}/${objectName}` : join(dest, objectName);
}

/** The table a part file belongs to: its first path segment. */
export function tableOfObject(objectName: string): string {
  return objectName.slice(0, objectName.indexOf('/'));
}

/**
 * Run ids sort by time and stay readable: 20261121T020304.005Z-a1b2c3. The milliseconds are kept: the
 * snapshot views take the greatest run id as the latest run, and two runs of one shop can start within
 * one second, where the random part alone would order them.
 */
export function newRunId(now: Date, random: string): string {
  return `${now.toISOString().replace(/[-:]/g, '')}-${random}`;
}

/** The run's start date (UTC), read from its id: the dt= partition of every part it writes. */
export function runDateOf(runId: string): string {
  return `${runId.slice(0, 4)}-${runId.slice(4, 6)}-${runId.slice(6, 8)}`;
}
