// How each SQL dialect reads the output. DuckDB reads the local folder itself: one view per table
// over the part files a manifest lists (read_json, built in: no extension to download). BigQuery reads
// the bucket through external tables named as the README's "Querying from BigQuery" names them
// (<dataset>.shopify_<table>, Hive columns shop, dt, run), plus the manifests read as lines: BigQuery
// cannot parse pretty-printed JSON files, and the files' "objectName" lines are all the views need.
import { join, resolve } from 'node:path';
import { bigQuerySchema, type BigQueryField } from '../rows/schema.ts';
import type { TableDef } from '../rows/types.ts';

export type DialectName = 'duckdb' | 'bigquery';

export interface ViewsTarget {
  /** The ETL's --dest: a local folder (DuckDB) or gs://bucket/prefix (BigQuery). */
  dest: string;
  /** BigQuery: the dataset (or project.dataset) that holds the external tables and the views. */
  dataset?: string;
  /** Tables with no file at the destination yet: BigQuery reads them as empty (a query over an external table that matches no file fails). */
  absent?: ReadonlySet<string>;
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
const PART_FILES = '*/shop=*/dt=*/run=*/part-*.ndjson.gz';
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
        return [
          `CREATE OR REPLACE VIEW ${q(`shopify_${t.name}`)} AS`,
          `SELECT ${schema.map((f) => q(f.name)).join(', ')}`,
          `FROM read_json(${quoteLiteral(join(dest, PART_FILES))}, format = 'newline_delimited', filename = true, hive_partitioning = false, columns = {${columns}})`,
          `WHERE prefix(filename, ${quoteLiteral(join(dest, t.name, '/'))}) AND filename IN (SELECT ${quoteLiteral(`${dest}/`)} || object_name FROM ${q(COMMITTED)})`,
        ].join('\n');
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
          `OPTIONS (format = 'NEWLINE_DELIMITED_JSON', compression = 'GZIP', uris = [${quoteLiteral(`${bucket}/${t.name}/*`)}], hive_partition_uri_prefix = ${quoteLiteral(`${bucket}/${t.name}`)})`,
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
      if (absent.has(t.name)) return `(SELECT ${schema.map((f) => `CAST(NULL AS ${bigQueryType(f)}) AS \`${f.name}\``).join(', ')} LIMIT 0)`;
      const objectName = 'REGEXP_EXTRACT(_FILE_NAME, r\'([^/]+/shop=[^/]+/dt=[^/]+/run=[^/]+/part-[0-9]+[.]ndjson[.]gz)$\')';
      return `(SELECT * FROM ${name(`shopify_${t.name}`)} WHERE ${objectName} IN (SELECT object_name FROM ${name(COMMITTED)}))`;
    },
  };
}

export const dialects: Record<DialectName, (target: ViewsTarget) => Dialect> = { duckdb, bigquery };
