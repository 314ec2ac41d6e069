// --format parquet against --format ndjson: the same sandbox store extracted once in each format, and
// every Parquet table read back by an independent reader (DuckDB) must hold the NDJSON output's rows
// value for value: each column of the Parquet type its BigQuery type names (ids INT64, money
// DECIMAL(38,9), timestamps in UTC, lists of structs, _extra as JSON), the hive columns from the path,
// and the manifests' crc32c, bytes and rows those of the files. The sandbox's records have no field
// beyond the columns, so the entities' fixtures (which do, in `_extra`) are also run through both.
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { expect } from 'chai';
import { createReadStream, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { entities } from '../../src/entities/index.ts';
import { parquetSchema } from '../../src/parquet/schema.ts';
import { processJsonl, processPlain, type RunMeta } from '../../src/pipeline/process.ts';
import { TableWriters } from '../../src/pipeline/table-writer.ts';
import { WorkerPool } from '../../src/pipeline/worker-pool.ts';
import type { JsonObject, TableDef } from '../../src/rows/types.ts';
import { crc32c, crc32cBase64 } from '../../src/io/crc.ts';
import { bigQuerySchema, type BigQueryField } from '../../src/rows/schema.ts';
import { DuckViews } from '../support/duckdb.ts';
import { createFakeGcs } from '../support/fake-gcs.ts';
import { withTestDefaults } from '../support/cli.ts';
import { silentLogger } from '../support/log.ts';
import { parseConfig, type RunConfig } from '../../src/cli/config.ts';
import { runJob } from '../../src/sync/run.ts';
import { runAgainst } from '../support/etl.ts';
import { manifests, readParts, readTable, tablesWritten } from '../support/output.ts';

type Row = Record<string, unknown>;
const RUN = ['--safety-lag', '0s', '--window', '90d'];
/** The run's own columns: the two runs differ there (the hive path holds _shop and _run_id in Parquet). */
const RUN_COLUMNS = new Set(['_shop', '_run_id', '_extracted_at']);

/** The DuckDB type a BigQuery column's Parquet column must read as (written out here, not taken from src/). */
function duckType(f: BigQueryField): string {
  const base: string = {
    STRING: 'VARCHAR', INTEGER: 'BIGINT', NUMERIC: 'DECIMAL(38,9)', FLOAT: 'DOUBLE', BOOLEAN: 'BOOLEAN',
    TIMESTAMP: 'TIMESTAMP WITH TIME ZONE', DATE: 'DATE', JSON: 'JSON',
    RECORD: `STRUCT(${(f.fields ?? []).map((s) => `${s.name} ${duckType(s)}`).join(', ')})`,
  }[f.type];
  return f.mode === 'REPEATED' ? `${base}[]` : base;
}

/** Microseconds since the epoch of an ISO timestamp (NDJSON) or DuckDB's JSON text of a TIMESTAMPTZ. */
function micros(text: string): string {
  const iso = text.replace(' ', 'T').replace(/\+00$/, 'Z');
  const fraction = /\.(\d+)/.exec(iso)?.[1] ?? '';
  return String(BigInt(Date.parse(iso)) * 1000n + BigInt(fraction.slice(3, 6).padEnd(3, '0')));
}

/** A decimal without trailing zeros: `12.500000000` and `12.50` are both `12.5`. */
function decimal(text: string): string {
  const [whole, frac = ''] = text.split('.');
  const trimmed = frac.replace(/0+$/, '');
  const out = trimmed ? `${whole}.${trimmed}` : whole!;
  return out === '-0' ? '0' : out;
}

/** What both outputs are compared as: ids as digits, decimals trimmed, timestamps as microseconds, JSON parsed. */
function normal(f: BigQueryField, v: unknown, fromParquet: boolean, seen: Set<string>): unknown {
  if (v === null || v === undefined) {
    seen.add('null');
    return null;
  }
  if (f.mode === 'REPEATED') {
    expect(v, f.name).to.be.an('array');
    if ((v as unknown[]).length > 0) seen.add(`list ${f.type}`);
    return (v as unknown[]).map((e) => normal({ ...f, mode: 'NULLABLE' }, e, fromParquet, seen));
  }
  switch (f.type) {
    case 'INTEGER':
      seen.add('integer');
      return String(v);
    case 'NUMERIC':
      seen.add('numeric');
      return decimal(String(v));
    case 'TIMESTAMP':
      seen.add('timestamp');
      return micros(String(v));
    case 'JSON':
      seen.add('json');
      return fromParquet ? JSON.parse(String(v)) : v;
    case 'RECORD':
      return Object.fromEntries((f.fields ?? []).map((s) => [s.name, normal(s, (v as Row)[s.name], fromParquet, seen)]));
    case 'STRING':
      // eslint-disable-next-line no-control-regex
      if (/[^\x00-\x7f]/.test(String(v))) seen.add('non-ascii');
      return v;
    default:
      seen.add(f.type.toLowerCase());
      return v;
  }
}

/** The Parquet files' rows (DuckDB) equal the NDJSON rows, column for column, each of its schema's type. */
async function expectSameRows(duck: DuckDBConnection, def: TableDef, glob: string, ndRows: Row[], seen: Set<string>): Promise<Row[]> {
  const schema = bigQuerySchema(def).filter((f) => !RUN_COLUMNS.has(f.name));
  const described = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${glob}, hive_partitioning = false)`)).getRowObjectsJson();
  // DuckDB quotes the field names that are keywords (key, value): compared without its quotes.
  expect(described.map((d) => `${String(d.column_name)} ${String(d.column_type).replaceAll('"', '')}`), `${def.name}: columns and types`).to.deep.equal(
    [...schema, { name: '_extracted_at', type: 'TIMESTAMP', mode: 'REQUIRED' } as BigQueryField].map((f) => `${f.name} ${duckType(f)}`),
  );
  const parquetRows = (await duck.runAndReadAll(`SELECT * FROM read_parquet(${glob}, hive_partitioning = false)`)).getRowObjectsJson() as Row[];
  const key = (rows: Row[], fromParquet: boolean): string[] => rows.map((r) => JSON.stringify(schema.map((f) => normal(f, r[f.name], fromParquet, seen)))).sort();
  expect(key(parquetRows, true), `${def.name}: rows`).to.deep.equal(key(ndRows, false));
  return parquetRows;
}

describe('--format parquet: every table equals the NDJSON output of the same store', function () {
  this.timeout(300_000);
  let dir: string;
  let sandbox: Sandbox;
  let db: DuckDBInstance;
  let duck: DuckDBConnection;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-parquet-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 60, customers: 20, products: 15 } });
    for (const [name, format] of [['nd', 'ndjson'], ['pq', 'parquet']] as const) {
      const result = await runAgainst(sandbox, join(dir, name), [...RUN, '--format', format]);
      expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.filter((e) => e.status !== 'committed'))).to.equal(0);
    }
    db = await DuckDBInstance.create(':memory:');
    duck = await db.connect();
  });
  after(async () => {
    duck?.closeSync();
    db?.closeSync();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes the same tables, each column typed from its schema and every value equal', async () => {
    const nd = join(dir, 'nd', 'out');
    const pq = join(dir, 'pq', 'out');
    const [run] = manifests(pq);
    const listed = run!.windows.flatMap((w) => w.files);
    const tables = [...new Set(listed.map((f) => f.table))].sort();
    expect(tables).to.deep.equal(tablesWritten(nd));
    expect(listed.every((f) => f.objectName.endsWith('.parquet')), 'every part is a .parquet file').to.equal(true);
    const defs = new Map(entities.flatMap((e) => e.tables).map((t) => [t.name, t]));
    const seen = new Set<string>();
    let rowsCompared = 0;
    for (const table of tables) {
      const glob = `'${join(pq, table)}/*/*/*/*.parquet'`;
      const ndRows = (await readTable(nd, table)) as Row[];
      await expectSameRows(duck, defs.get(table)!, glob, ndRows, seen);
      const hive = (await duck.runAndReadAll(`SELECT shop, run, _extracted_at FROM read_parquet(${glob}, hive_partitioning = true)`)).getRowObjectsJson() as Row[];
      for (const r of hive) {
        expect(r.shop, `${table}: shop from the path`).to.equal(run!.shop);
        expect(r.run, `${table}: run from the path`).to.equal(run!.runId);
        expect(r._extracted_at, `${table}: _extracted_at`).to.be.a('string');
      }
      for (const r of ndRows) expect(r._shop).to.equal(run!.shop);
      rowsCompared += ndRows.length;
    }
    expect(rowsCompared).to.be.greaterThan(1000);
    // The comparison met every kind of value the issue names (the sandbox leaves _extra null: the fixtures below fill it).
    expect([...seen].sort()).to.include.members(['integer', 'numeric', 'timestamp', 'null', 'non-ascii', 'list RECORD', 'list STRING', 'boolean', 'float']);
  });

  it('writes every entity fixture as the NDJSON path does, _extra as JSON included', async () => {
    const meta: RunMeta = { shop: 'maple-goods.myshopify.com', runId: 'run-1', extractedAt: new Date('2026-03-05T00:00:00Z'), currency: 'CAD' };
    const fixtures = new URL('../fixtures/', import.meta.url);
    const seen = new Set<string>();
    const pool = new WorkerPool(1);
    try {
      for (const part of entities.flatMap((e) => e.parts)) {
        const plain = part.kind === 'plain';
        const fixture = new URL(`${part.name}.${plain ? 'json' : 'jsonl'}`, fixtures);
        if (!existsSync(fixture)) continue;
        const out: Record<string, string> = {};
        for (const format of ['ndjson', 'parquet'] as const) {
          const stagingDir = join(dir, 'fixtures', format, part.name);
          out[format] = stagingDir;
          const writers = new TableWriters({
            stagingDir,
            objectName: (t, n) => `${t}/part-${n}.${format === 'parquet' ? 'parquet' : 'ndjson.gz'}`,
            ...(format === 'parquet' ? { parquet: (t: string) => parquetSchema(part.tables.find((d) => d.name === t)!) } : {}),
          });
          const m = { ...meta, format };
          if (plain) await processPlain(part, (JSON.parse(readFileSync(fixture, 'utf8')) as { data: JsonObject }).data, writers, m, 1);
          else await processJsonl(part, createReadStream(fixture), writers, m, { pool, gzipLevel: 1 });
          await writers.close();
        }
        for (const def of part.tables) {
          const ndFiles = [join(out.ndjson!, def.name, 'part-0.ndjson.gz')].filter(existsSync);
          if (ndFiles.length === 0) continue;
          await expectSameRows(duck, def, `'${join(out.parquet!, def.name)}/*.parquet'`, (await readParts(ndFiles)) as Row[], seen);
        }
      }
    } finally {
      await pool.close();
    }
    expect([...seen].sort()).to.include.members(['integer', 'numeric', 'timestamp', 'null', 'json', 'non-ascii', 'list RECORD', 'list STRING', 'boolean']);
  });

  it('gives the same current-state views (DuckDB, as the views command prints them) over the Parquet parts', async () => {
    const [nd, pq] = await Promise.all([DuckViews.of(join(dir, 'nd', 'out')), DuckViews.of(join(dir, 'pq', 'out'))]);
    try {
      for (const table of entities.flatMap((e) => e.tables.map((t) => t.name))) {
        const rows = await pq.contents(`shopify_${table}_current`);
        expect(rows, `${table}: current state`).to.deep.equal(await nd.contents(`shopify_${table}_current`));
        if (table === 'orders') expect(rows.length).to.be.greaterThan(0);
      }
    } finally {
      nd.close();
      pq.close();
    }
  });

  it('uploads Parquet parts to GCS as application/vnd.apache.parquet, each object the manifest lists with its crc32c, bytes and rows', async () => {
    const fake = createFakeGcs();
    const endpoint = await fake.listen(0);
    try {
      fake.createBucket('pq');
      const config = await parseConfig(
        ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--dest', 'gs://pq/prefix', '--state', join(dir, 'gcs-state.db'), '--gcs-endpoint', endpoint, '--poll-interval', '50ms', ...withTestDefaults([...RUN, '--format', 'parquet', '--entities', 'orders'])],
        { SHOPIFY_ACCESS_TOKEN: sandbox.token },
        false,
      );
      const gcs = await runJob(config as RunConfig, { logger: silentLogger, live: null, signal: new AbortController().signal });
      expect(gcs.exitCode, JSON.stringify(gcs.shops[0]?.entities.filter((e) => e.status !== 'committed'))).to.equal(0);
      const manifest = fake.objects('pq').find((o) => o.name.startsWith('prefix/_manifests/'))!;
      const files = (JSON.parse(manifest.bytes.toString('utf8')) as { windows: Array<{ files: Array<{ objectName: string; crc32c: string; bytes: number; rows: number }> }> }).windows.flatMap((w) => w.files);
      expect(files.length).to.be.greaterThan(3);
      const local = join(dir, 'gcs-read');
      mkdirSync(local, { recursive: true });
      for (const [i, f] of files.entries()) {
        const stored = fake.object('pq', `prefix/${f.objectName}`)!;
        expect({ contentType: stored.contentType, crc32c: stored.crc32c, bytes: stored.bytes.length }, f.objectName).to.deep.equal({ contentType: 'application/vnd.apache.parquet', crc32c: f.crc32c, bytes: f.bytes });
        const path = join(local, `${i}.parquet`);
        writeFileSync(path, stored.bytes);
        const [count] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${path}')`)).getRowObjectsJson();
        expect(count!.n, f.objectName).to.equal(f.rows);
      }
    } finally {
      await fake.close();
    }
  });

  it('lists each Parquet part in the manifest with its crc32c, bytes and rows', async () => {
    const pq = join(dir, 'pq', 'out');
    const files = manifests(pq).flatMap((m) => m.windows.flatMap((w) => w.files));
    for (const f of files) {
      const bytes = readFileSync(join(pq, f.objectName));
      expect({ crc32c: f.crc32c, bytes: f.bytes }, f.objectName).to.deep.equal({ crc32c: crc32cBase64(crc32c(bytes)), bytes: bytes.length });
      const [count] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${join(pq, f.objectName)}')`)).getRowObjectsJson();
      expect(count!.n, f.objectName).to.equal(f.rows);
    }
  });
});
