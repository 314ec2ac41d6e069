// The model tables the charts draw, read from where `shopify-bulk-etl models` writes them
// (<dest>/_models/<model>/<model>.ndjson.gz, one JSON object a line, a `shop` column first). Models
// are computed over a local destination only, so a gs:// --dest has none to read; a model not
// written yet is reported as missing, never as an error: the report of a job that has not run the
// models still shows its runs.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ErrorCodes, EtlError, fromSystemError } from '../../errors/index.ts';

/** The models the charts draw, by the names the models stage writes them under. */
export const CHARTED_MODELS = ['daily_financials', 'customer_lifetime_value', 'product_performance', 'geography', 'customer_cohorts'] as const;
export type ChartedModel = (typeof CHARTED_MODELS)[number];

export type ModelRow = Record<string, unknown>;

/** Each model's rows, or why there are none: `missing` (not written), or the reason it could not be read. */
export type ModelTable = { rows: ModelRow[] } | { missing: string };

export async function readModels(dest: string): Promise<Record<ChartedModel, ModelTable>> {
  const tables = {} as Record<ChartedModel, ModelTable>;
  for (const model of CHARTED_MODELS) {
    tables[model] = dest.startsWith('gs://')
      ? { missing: 'models are computed over a local --dest only' }
      : await readModel(join(dest, '_models', model, `${model}.ndjson.gz`));
  }
  return tables;
}

async function readModel(path: string): Promise<ModelTable> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { missing: `not written yet (${path}); run shopify-bulk-etl models` };
    throw fromSystemError(err, `reading the model ${path}`);
  }
  try {
    const text = gunzipSync(bytes).toString('utf8');
    return { rows: text.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as ModelRow) };
  } catch (err) {
    // A file the models stage writes whole and renames into place: damage is not ours to draw around.
    throw new EtlError(ErrorCodes.MODEL_UNREADABLE, `the model file ${path} is not gzip'd NDJSON (${(err as Error).message}); run shopify-bulk-etl models again to rewrite it`, { cause: err });
  }
}
