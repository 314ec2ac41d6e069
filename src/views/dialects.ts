// How each SQL dialect reads the output. DuckDB reads the local folder itself: one view per table
// over the part files a manifest lists (read_json, built in: no extension to download). BigQuery reads
// the bucket through external tables named as the README's "Querying from BigQuery" names them
// (<dataset>.shopify_<table>, Hive columns shop, dt, run), plus the manifests read as lines: BigQuery
// cannot parse pretty-printed JSON files, and the files' "objectName" lines are all the views need.
// Parquet parts (--format parquet) are read beside the NDJSON ones, per table that has any: their
// `_shop` and `_run_id` are the path's shop= and run= (the files do not repeat them).
import { join, resolve } from 'node:path';
import { bigQuerySchema, type BigQueryField } from '../rows/schema.ts';
import type { TableDef } from '../rows/types.ts';
import { HIVE_COLUMNS } from '../parquet/schema.ts';

export type DialectName = 'duckdb' | 'bigquery';

export interface ViewsTarget {
  /** The ETL's --dest: a local folder (DuckDB) or gs://bucket/prefix (BigQuery). */
  dest: string;
  /** BigQuery: the dataset (or project.dataset) that holds the external tables and the views. */
  dataset?: string;
  /** BigQuery: tables with no NDJSON part at the destination yet, read as empty (a query over an external table that matches no file fails). */
  absent?: ReadonlySet<string>;
  /** Tables with Parquet parts: read too (read_parquet; a PARQUET external table `shopify_<table>_parquet`). */
  parquet?: ReadonlySet<string>;
  /** DuckDB: whether any NDJSON part exists (its one glob over every table's parts must match a file); default true. */
  ndjson?: boolean;
  /** Part files a manifest lists whose window the state has not committed (state.ts): left out. */
  withheld?: ReadonlySet<string>;
}

export interface Dialect {
  /** A view's or table's name, quoted. */
  name(name: string): string;
  column(name: string): string;
  regexpExtract(expression: string, pattern: string): string;
  /** Statements creating what the views read, before any view. */
  sources(tables: readonly TableDef[]): string[];
  /** A query with one column, object_name: every part file listed in a run manifest (null for other lines). */
  listedObjects(): string;
  /** Statements creating per-table views that the current-state views read, once shopify__committed_files exists. */
  tableViews(tables: readonly TableDef[]): string[];
  /** A relation (name or parenthesised query) of the table's rows in committed files, with at least its schema's columns. */
  committedRows(table: TableDef): string;
}

const quoteLiteral = (text: string): string => `'${text.replaceAll("'", "''")}'`;
/** A table's schema columns from a Parquet relation: the run's shop and id from its hive columns. */
const parquetColumn = (name: string, q: (n: string) => string): string => (name === '_shop' ? `shop AS ${q(name)}` : name === '_run_id' ? `run AS ${q(name)}` : q(name));
const PART_FILES = '*/shop=*/dt=*/run=*/part-*.ndjson.gz';
const PARQUET_FILES = 'shop=*/dt=*/run=*/part-*.parquet';
const COMMITTED = 'shopify__committed_files';

function duckType(f: BigQueryField): string {
  const base = {
    STRING: 'VARCHAR', INTEGER: 'BIGINT', NUMERIC: 'DECIMAL(38, 9)', FLOAT: 'DOUBLE', BOOLEAN: 'BOOLEAN',
    TIMESTAMP: 'TIMESTAMPTZ', DATE: 'DATE', JSON: 'JSON',
    RECORD: `STRUCT(${(f.fields ?? []).map((sub) => `"${sub.name}" ${duckType(sub)}`).join(', ')})`,
  }[f.type];
  return f.mode === 'REPEATED' ? `${base}[]` : base;
}

function duckdb(target: ViewsTarget): Dialect {
  const dest = resolve(target.dest);
  const q = (name: string): string => `"${name}"`;
  return {
    name: q,
    column: q,
    regexpExtract: (expression, pattern) => `NULLIF(regexp_extract(${expression}, ${quoteLiteral(pattern)}, 1), '')`,
    sources: () => [],
    listedObjects: () =>
      `SELECT f.objectName AS object_name FROM read_json(${quoteLiteral(join(dest, '_manifests/shop=*/run=*.json'))}, ` +
      `columns = {windows: 'STRUCT(files STRUCT("objectName" VARCHAR)[])[]'}) AS m, unnest(m.windows) AS w(w), unnest(w.files) AS f(f)`,
    // One glob over every table's parts, narrowed by the table's folder (DuckDB skips the other files):
    // it matches as soon as any table has a file, so a table with none yet (deletions) reads as empty.
    tableViews: (tables) =>
      tables.map((t) => {
        const schema = bigQuerySchema(t);
        const columns = schema.map((f) => `${q(f.name)}: ${quoteLiteral(duckType(f))}`).join(', ');
        const committed = `filename IN (SELECT ${quoteLiteral(`${dest}/`)} || object_name FROM ${q(COMMITTED)})`;
        const reads = [
          ...(target.ndjson ?? true
            ? [[
                `SELECT ${schema.map((f) => q(f.name)).join(', ')}`,
                `FROM read_json(${quoteLiteral(join(dest, PART_FILES))}, format = 'newline_delimited', filename = true, hive_partitioning = false, columns = {${columns}})`,
                `WHERE prefix(filename, ${quoteLiteral(join(dest, t.name, '/'))}) AND ${committed}`,
              ].join('\n')]
            : []),
          ...(target.parquet?.has(t.name)
            ? [[
                `SELECT ${schema.map((f) => parquetColumn(f.name, q)).join(', ')}`,
                `FROM read_parquet(${quoteLiteral(join(dest, t.name, PARQUET_FILES))}, filename = true, hive_partitioning = true, hive_types_autocast = false)`,
                `WHERE ${committed}`,
              ].join('\n')]
            : []),
        ];
        const body = reads.length > 0 ? reads.join('\nUNION ALL\n') : `SELECT ${schema.map((f) => `CAST(NULL AS ${duckType(f)}) AS ${q(f.name)}`).join(', ')} LIMIT 0`;
        return `CREATE OR REPLACE VIEW ${q(`shopify_${t.name}`)} AS\n${body}`;
      }),
    committedRows: (t) => q(`shopify_${t.name}`),
  };
}

function bigQueryType(f: BigQueryField): string {
  const base = {
    STRING: 'STRING', INTEGER: 'INT64', NUMERIC: 'NUMERIC', FLOAT: 'FLOAT64', BOOLEAN: 'BOOL', TIMESTAMP: 'TIMESTAMP', DATE: 'DATE', JSON: 'JSON',
    RECORD: `STRUCT<${(f.fields ?? []).map((sub) => `\`${sub.name}\` ${bigQueryType(sub)}`).join(', ')}>`,
  }[f.type];
  return f.mode === 'REPEATED' ? `ARRAY<${base}>` : base;
}

function bigquery(target: ViewsTarget): Dialect {
  const bucket = target.dest.replace(/\/+$/, '');
  const dataset = target.dataset ?? 'analytics';
  const name = (n: string): string => `\`${dataset}.${n}\``;
  const absent = target.absent ?? new Set<string>();
  const parquet = target.parquet ?? new Set<string>();
  return {
    name,
    column: (n) => `\`${n}\``,
    regexpExtract: (expression, pattern) => `REGEXP_EXTRACT(${expression}, r${quoteLiteral(pattern)})`,
    sources: (tables) => [
      ...tables.filter((t) => !absent.has(t.name)).map((t) =>
        [
          `CREATE OR REPLACE EXTERNAL TABLE ${name(`shopify_${t.name}`)} (`,
          bigQuerySchema(t).map((f) => `  \`${f.name}\` ${bigQueryType(f)}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`).join(',\n'),
          ')',
          'WITH PARTITION COLUMNS (shop STRING, dt STRING, run STRING)',
          // Beside Parquet parts, the NDJSON table must not match them.
          `OPTIONS (format = 'NEWLINE_DELIMITED_JSON', compression = 'GZIP', uris = [${quoteLiteral(`${bucket}/${t.name}/*${parquet.has(t.name) ? '.ndjson.gz' : ''}`)}], hive_partition_uri_prefix = ${quoteLiteral(`${bucket}/${t.name}`)})`,
        ].join('\n'),
      ),
      ...tables.filter((t) => parquet.has(t.name)).map((t) =>
        [
          `CREATE OR REPLACE EXTERNAL TABLE ${name(`shopify_${t.name}_parquet`)} (`,
          bigQuerySchema(t).filter((f) => !HIVE_COLUMNS.has(f.name)).map((f) => `  \`${f.name}\` ${bigQueryType(f)}${f.mode === 'REQUIRED' ? ' NOT NULL' : ''}`).join(',\n'),
          ')',
          'WITH PARTITION COLUMNS (shop STRING, dt STRING, run STRING)',
          `OPTIONS (format = 'PARQUET', enable_list_inference = true, uris = [${quoteLiteral(`${bucket}/${t.name}/*.parquet`)}], hive_partition_uri_prefix = ${quoteLiteral(`${bucket}/${t.name}`)})`,
        ].join('\n'),
      ),
      // JSON.stringify never writes a raw tab, so a tab-separated reading gives one whole line per row.
      `CREATE OR REPLACE EXTERNAL TABLE ${name('shopify__manifest_lines')} (line STRING)\n` +
        `OPTIONS (format = 'CSV', field_delimiter = '\\t', quote = '', uris = [${quoteLiteral(`${bucket}/_manifests/*`)}])`,
    ],
    listedObjects: () => `SELECT REGEXP_EXTRACT(line, r'^\\s*"objectName": "([^"]+)",?$') AS object_name FROM ${name('shopify__manifest_lines')}`,
    tableViews: () => [],
    committedRows: (t) => {
      const schema = bigQuerySchema(t);
      const committed = (extension: string): string => `REGEXP_EXTRACT(_FILE_NAME, r'([^/]+/shop=[^/]+/dt=[^/]+/run=[^/]+/part-[0-9]+${extension})$') IN (SELECT object_name FROM ${name(COMMITTED)})`;
      const reads = [
        ...(absent.has(t.name) ? [] : [`SELECT * FROM ${name(`shopify_${t.name}`)} WHERE ${committed('[.]ndjson[.]gz')}`]),
        ...(parquet.has(t.name)
          ? [`SELECT ${schema.map((f) => parquetColumn(f.name, (n) => `\`${n}\``)).join(', ')} FROM ${name(`shopify_${t.name}_parquet`)} WHERE ${committed('[.]parquet')}`]
          : []),
      ];
      if (reads.length === 0) return `(SELECT ${schema.map((f) => `CAST(NULL AS ${bigQueryType(f)}) AS \`${f.name}\``).join(', ')} LIMIT 0)`;
      // Both kinds of parts: the schema's columns of each, the NDJSON table's hive columns (shop, dt, run) left out.
      if (reads.length === 2) reads[0] = `SELECT ${schema.map((f) => `\`${f.name}\``).join(', ')} FROM ${name(`shopify_${t.name}`)} WHERE ${committed('[.]ndjson[.]gz')}`;
      return `(${reads.join(' UNION ALL ')})`;
    },
  };
}

export const dialects: Record<DialectName, (target: ViewsTarget) => Dialect> = { duckdb, bigquery };
