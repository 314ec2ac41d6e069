// `shopify-bulk-etl models` (and `run --models`): the models of definitions.ts computed by an embedded
// DuckDB over a local destination's current-state views, less what the runs' states have not committed
// (state.ts), and written next to the data, one file per model (<dest>/_models/<model>/<model>.ndjson.gz),
// replaced whole each time; and the same models as BigQuery views (modelsSql).
import type { DuckDBConnection } from '@duckdb/node-api';
import { mkdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../report/log.ts';
import type { DialectName } from '../views/dialects.ts';
import { destinationViewStatements } from '../views/index.ts';
import { modelDialect, type ModelDialect } from './dialect.ts';
import { models, type ModelDef, type ModelParams } from './definitions.ts';
import type { ShopState } from '../views/state.ts';
import { incrementalEntitiesOf, warnStates } from './state.ts';

const MODELS_FOLDER = '_models';

/** How the model files are written: NDJSON.gz always (what the report reads), and Parquet too where the runs wrote Parquet parts (--format parquet). */
type ModelFormat = 'ndjson' | 'parquet';

const EXTENSION: Record<ModelFormat, string> = { ndjson: 'ndjson.gz', parquet: 'parquet' };
// Instants as ISO-8601 in UTC, as the part files write them.
const COPY_OPTIONS: Record<ModelFormat, string> = { ndjson: "FORMAT json, COMPRESSION 'gzip', TIMESTAMP_FORMAT '%Y-%m-%dT%H:%M:%S.%gZ'", parquet: 'FORMAT parquet' };

/** A model as a view statement in a dialect. */
export function modelStatement(d: ModelDialect, model: ModelDef, params: ModelParams): string {
  return `CREATE OR REPLACE VIEW ${d.name(model.name)} AS\n${model.sql(d, params)}`;
}

/** Every model's view in one dialect (BigQuery: in `dataset`, over its current-state views). */
export function modelsSql(dialect: DialectName, params: ModelParams, dataset?: string): Map<string, string> {
  const d = modelDialect(dialect, dataset);
  return new Map(models.map((m) => [m.name, `${modelStatement(d, m, params)};\n`]));
}

/** Where the BigQuery views are kept in the repository, and the dataset their SQL names (scripts/bigquery-models.sh puts yours in its place). */
export const BIGQUERY_FOLDER = 'models/bigquery';
export const BIGQUERY_DATASET = 'analytics';

/** The committed files of models/bigquery: one per model, with the defaults of every flag. */
export function bigQueryModelFiles(params: ModelParams): Map<string, string> {
  const sql = modelsSql('bigquery', params, BIGQUERY_DATASET);
  return new Map(models.map((m) => [
    `${m.name}.sql`,
    [
      `-- ${m.name}: ${m.description}`,
      '-- Generated from src/models/definitions.ts by `node scripts/models-sql.ts` (the flags\' defaults); do not edit.',
      `-- Reads the current-state views (\`shopify-bulk-etl views --dialect bigquery\`) in the dataset \`${BIGQUERY_DATASET}\`.`,
      sql.get(m.name)!,
    ].join('\n'),
  ]));
}

export interface WrittenModel {
  model: string;
  path: string;
  rows: number;
}

export interface ModelsTarget {
  /** A local folder a run wrote. */
  dest: string;
  params: ModelParams;
  /** The runs' states (src/views/state.ts): their uncommitted files are left out, and what they say is logged (state.ts). */
  states: readonly ShopState[];
}

const quote = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * Computes every model over what the states committed of `dest` and writes it under <dest>/_models/;
 * says which shops' ledger figures are null and why, and what the states say of the data (state.ts).
 */
export async function writeModels(target: ModelsTarget, logger: Pick<Logger, 'warn' | 'info'>): Promise<WrittenModel[]> {
  const d = modelDialect('duckdb');
  const statements = models.map((m) => modelStatement(d, m, target.params));
  const views = neededViews(await destinationViewStatements({ dialect: 'duckdb', dest: target.dest, dataset: 'analytics', gcsEndpoint: undefined, states: target.states }, logger), statements);
  // Loaded here, not at startup: a run without --models never pays for DuckDB's native library.
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  try {
    // Instants are UTC, whatever the machine's zone; days are the shop's own (definitions.ts).
    await connection.run("SET TimeZone = 'UTC'");
    for (const view of views) await connection.run(view);
    // The views the models read, each computed once (from the files) into a table that shadows it:
    // seven models reading the views themselves would read and rank every copy again, each time.
    await connection.run('CREATE SCHEMA inputs');
    for (const name of new Set(statements.flatMap(readNames))) {
      await connection.run(`CREATE TABLE inputs."${name}" AS SELECT * FROM main."${name}"`);
    }
    await connection.run("SET search_path = 'inputs,main'");
    for (const statement of statements) await connection.run(statement);
    warnStates(target.states, incrementalEntitiesOf(new Set(statements.flatMap(readNames))), logger);
    await warnLedger(connection, logger);
    const parquet = (await connection.runAndReadAll(`SELECT 1 FROM "shopify__committed_files" WHERE object_name LIKE '%.parquet' LIMIT 1`)).getRows().length > 0;
    const formats: ModelFormat[] = parquet ? ['ndjson', 'parquet'] : ['ndjson'];
    const written: WrittenModel[] = [];
    for (const model of models) {
      const folder = join(target.dest, MODELS_FOLDER, model.name);
      mkdirSync(folder, { recursive: true });
      for (const format of formats) {
        const path = join(folder, `${model.name}.${EXTENSION[format]}`);
        // Written aside and renamed: a reader never sees half a file, and a failed write leaves the last one.
        const partial = `${path}.partial`;
        try {
          const result = await connection.run(`COPY (SELECT * FROM ${d.name(model.name)} ORDER BY ${model.orderBy}) TO ${quote(partial)} (${COPY_OPTIONS[format]})`);
          renameSync(partial, path);
          written.push({ model: model.name, path, rows: Number(result.rowsChanged) });
        } finally {
          rmSync(partial, { force: true });
        }
      }
    }
    return written;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const createdName = (statement: string): string | undefined => /^CREATE OR REPLACE (?:VIEW|TABLE) "(\w+)"/.exec(statement)?.[1];
/** The current-state views (and their sources) a statement reads: every quoted shopify_ name after its first line. */
const readNames = (statement: string): string[] => [...statement.slice(statement.indexOf('\n')).matchAll(/"(shopify_\w+)"/g)].map((m) => m[1]!);

/**
 * Of the destination's view statements, those the models read, and those these read, in their order:
 * creating all of them (a view per table, each binding its files) would take longer than the models.
 */
function neededViews(views: readonly string[], models: readonly string[]): string[] {
  const needed = new Set(models.flatMap(readNames));
  const kept: string[] = [];
  for (const view of [...views].reverse()) {
    const name = createdName(view);
    if (name !== undefined && !needed.has(name)) continue;
    for (const read of readNames(view)) needed.add(read);
    kept.push(view);
  }
  return kept.reverse();
}

/** A shop with orders whose ledger is missing or older than its orders: its ledger columns are null, and the log says why. */
async function warnLedger(connection: DuckDBConnection, logger: Pick<Logger, 'warn'>): Promise<void> {
  const reader = await connection.runAndReadAll([
    "SELECT shop, MAX(CASE WHEN table_name = 'orders' THEN run_id END) AS orders_run, MAX(CASE WHEN table_name = 'order_sales' THEN run_id END) AS sales_run",
    `FROM "shopify__committed_files" WHERE table_name IN ('orders', 'order_sales') GROUP BY shop`,
    "HAVING MAX(CASE WHEN table_name = 'order_sales' THEN run_id END) IS NULL OR MAX(CASE WHEN table_name = 'order_sales' THEN run_id END) < MAX(CASE WHEN table_name = 'orders' THEN run_id END)",
  ].join('\n'));
  const columns = models.filter((m) => m.ledgerColumns.length > 0).map((m) => `${m.name} (${m.ledgerColumns.join(', ')})`).join('; ');
  for (const row of reader.getRowObjectsJson()) {
    const why = row.sales_run === null ? 'no run extracted order_sales (the sales ledger)' : `the sales ledger was last extracted by run ${String(row.sales_run)}, before the latest orders (run ${String(row.orders_run)})`;
    logger.warn(`${String(row.shop)}: ${why}, so the ledger's figures are null rather than short: ${columns}; run with --entities including order_sales`, { shop: row.shop, ledgerRun: row.sales_run, ordersRun: row.orders_run });
  }
}
