// The generated SQL, where it cannot be executed here: BigQuery's. Every registry table gets its
// current-state view in both dialects, from one logic (the two texts differ only in how names are
// quoted and how committed rows are read); BigQuery's views parse as BigQuery SQL; its external
// tables declare each table's schema; and its reading of the manifests as tab-separated lines finds
// exactly the files a manifest (as the run writes it) lists.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import NodeSqlParser from 'node-sql-parser';
import { deletionsTable } from '../../src/entities/deletions.ts';
import { entities } from '../../src/entities/index.ts';
import { defineEntity } from '../../src/entities/define.ts';
import { partObjectName } from '../../src/load/layout.ts';
import { LocalDestination } from '../../src/load/local.ts';
import { Manifest } from '../../src/load/manifest.ts';
import { bigQuerySchema } from '../../src/rows/schema.ts';
import { id, parentId, str, table, ts } from '../../src/rows/spec.ts';
import { currentStates } from '../../src/views/model.ts';
import { viewStatements } from '../../src/views/sql.ts';

const TABLES = entities.flatMap((e) => e.tables.map((t) => t.name));
const duck = viewStatements('duckdb', { dest: '/data/out' });
const bq = viewStatements('bigquery', { dest: 'gs://bucket/shopify', dataset: 'analytics' });
const named = (statements: string[], pattern: RegExp): Map<string, string> =>
  new Map(statements.flatMap((s) => { const m = pattern.exec(s); return m ? [[m[1]!, s] as const] : []; }));

describe('current-state SQL', () => {
  it('has a current view for every table of the registry, in both dialects, after the views it reads', () => {
    const duckViews = [...named(duck, /^CREATE OR REPLACE VIEW "(\w+)"/).keys()];
    const bqViews = [...named(bq, /^CREATE OR REPLACE VIEW `analytics\.(\w+)`/).keys()];
    expect(bqViews).to.deep.equal(duckViews.filter((v) => v.endsWith('_current') || v.startsWith('shopify__')));
    for (const t of TABLES) expect(bqViews, t).to.include(`shopify_${t}_current`);
    // Each view only reads views created before it.
    for (const statements of [duck, bq]) {
      const created: string[] = [];
      for (const s of statements) {
        const [, name] = /^CREATE OR REPLACE (?:EXTERNAL TABLE|VIEW) [`"](?:analytics\.)?(\w+)[`"]/.exec(s)!;
        const read = [...s.slice(s.indexOf('\n')).matchAll(/[`"](?:analytics\.)?(shopify_\w+)[`"]/g)].map((m) => m[1]!);
        for (const r of read) expect(created, `${name} reads ${r}`).to.include(r);
        created.push(name!);
      }
    }
  });

  it('keys, orders and joins the same way in both dialects: the texts differ only in quoting and in how committed rows are read', () => {
    const normal = (s: string): string =>
      s
        .replace(/\(SELECT \* FROM `analytics\.(shopify_\w+)` WHERE REGEXP_EXTRACT\(_FILE_NAME, r'[^']+'\) IN \(SELECT object_name FROM `analytics\.shopify__committed_files`\)\)/g, '$1')
        .replaceAll('`analytics.', '')
        .replace(/[`"]/g, '');
    const duckCurrent = named(duck, /^CREATE OR REPLACE VIEW "(shopify_\w+_current|shopify__deleted)"/);
    const bqCurrent = named(bq, /^CREATE OR REPLACE VIEW `analytics\.(shopify_\w+_current|shopify__deleted)`/);
    expect([...bqCurrent.keys()]).to.deep.equal([...duckCurrent.keys()]);
    for (const [name, statement] of bqCurrent) expect(normal(statement), name).to.equal(normal(duckCurrent.get(name)!));
  });

  it('parses as BigQuery SQL, every view; the external tables declare each table\'s schema over its Hive folder', () => {
    const parser = new NodeSqlParser.Parser();
    for (const s of bq.filter((s) => s.startsWith('CREATE OR REPLACE VIEW'))) {
      expect(() => parser.astify(s, { database: 'BigQuery' }), s.slice(0, 80)).to.not.throw();
    }
    const external = named(bq, /^CREATE OR REPLACE EXTERNAL TABLE `analytics\.(\w+)`/);
    for (const t of [...entities.flatMap((e) => e.tables), deletionsTable.def]) {
      const ddl = external.get(`shopify_${t.name}`)!;
      expect([...ddl.matchAll(/^ {2}`(\w+)` /gm)].map((m) => m[1]), t.name).to.deep.equal(bigQuerySchema(t).map((f) => f.name));
      expect(ddl).to.include(`uris = ['gs://bucket/shopify/${t.name}/*'], hive_partition_uri_prefix = 'gs://bucket/shopify/${t.name}'`);
      expect(ddl).to.include('WITH PARTITION COLUMNS (shop STRING, dt STRING, run STRING)');
    }
  });

  it('reads Parquet parts (--format parquet) beside NDJSON ones in BigQuery: a PARQUET external table without the hive columns, _shop and _run_id from the path', () => {
    const statements = viewStatements('bigquery', { dest: 'gs://bucket/shopify', absent: new Set(['products']), parquet: new Set(['orders', 'products']) });
    const parser = new NodeSqlParser.Parser();
    for (const s of statements.filter((s) => s.startsWith('CREATE OR REPLACE VIEW'))) expect(() => parser.astify(s, { database: 'BigQuery' }), s.slice(0, 80)).to.not.throw();
    const external = named(statements, /^CREATE OR REPLACE EXTERNAL TABLE `analytics\.(\w+)`/);
    const orders = entities.flatMap((e) => e.tables).find((t) => t.name === 'orders')!;
    const ddl = external.get('shopify_orders_parquet')!;
    expect([...ddl.matchAll(/^ {2}`(\w+)` /gm)].map((m) => m[1])).to.deep.equal(bigQuerySchema(orders).map((f) => f.name).filter((n) => n !== '_shop' && n !== '_run_id'));
    expect(ddl).to.include("format = 'PARQUET', enable_list_inference = true, uris = ['gs://bucket/shopify/orders/*.parquet']");
    // The NDJSON table beside it matches only NDJSON parts; a table with Parquet parts only has no NDJSON table.
    expect(external.get('shopify_orders')).to.include("uris = ['gs://bucket/shopify/orders/*.ndjson.gz']");
    expect(external.has('shopify_products')).to.equal(false);
    const current = statements.find((s) => s.startsWith('CREATE OR REPLACE VIEW `analytics.shopify_products_current`'))!;
    expect(current).to.include('shop AS `_shop`').and.include('run AS `_run_id`').and.include('FROM `analytics.shopify_products_parquet`');
  });

  it('reads a table with no files yet (BigQuery fails on an external table that matches none) as typed and empty', () => {
    const statements = viewStatements('bigquery', { dest: 'gs://bucket/shopify', absent: new Set(['deletions']) });
    expect(statements.some((s) => s.includes('EXTERNAL TABLE `analytics.shopify_deletions`'))).to.equal(false);
    const deleted = statements.find((s) => s.startsWith('CREATE OR REPLACE VIEW `analytics.shopify__deleted`'))!;
    expect(deleted).to.include('CAST(NULL AS INT64) AS `id`').and.include('CAST(NULL AS BOOL) AS `restored`').and.include('LIMIT 0');
  });

  it('finds, reading a run manifest as tab-separated lines, exactly the files it lists; and the file of a row from its gs:// name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'views-manifest-'));
    try {
      const manifest = new Manifest(new LocalDestination(dir), { runId: '20261202T101010Z-abc123', shop: 'acme.myshopify.com', apiVersion: '2026-10', startedAt: '2026-12-02T10:10:10.000Z', toolVersion: '0.1.0' });
      const files = ['orders', 'order_line_items', 'orders'].map((t, i) => ({ objectName: partObjectName(t, 'acme.myshopify.com', '2026-12-02', '20261202T101010Z-abc123', i), rows: 3, bytes: 100, crc32c: 'AAAAAA==' }));
      await manifest.addWindow({ windowKey: 'r/1', entity: 'orders', since: null, until: '2026-12-02T10:00:00Z', operationId: 'gid://shopify/BulkOperation/1', checks: { objectCount: 9, linesRead: 9, linesMatchObjectCount: true } }, files);
      manifest.addFailure('products', 'BULK_FAILED', 'a message with "quotes", a tab\there and "objectName": "x"');
      await manifest.finish('partial', '2026-12-02T10:20:00.000Z');
      const text = readFileSync(join(dir, manifest.objectName), 'utf8');
      expect(text).to.not.include('\t');
      const [, pattern] = /REGEXP_EXTRACT\(line, r'([^']+)'\)/.exec(bq.find((s) => s.includes('shopify__committed_files` AS'))!)!;
      const listed = text.split('\n').flatMap((line) => new RegExp(pattern!.replaceAll('\\s', '\\s')).exec(line)?.[1] ?? []);
      expect(listed).to.deep.equal(files.map((f) => f.objectName));
      const [, filePattern] = /REGEXP_EXTRACT\(_FILE_NAME, r'([^']+)'\)/.exec(bq.find((s) => s.includes('shopify_orders_current` AS'))!)!;
      expect(new RegExp(filePattern!).exec(`gs://bucket/shopify/${files[0]!.objectName}`)?.[1]).to.equal(files[0]!.objectName);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('gives a new entity its views with no SQL written for it: a snapshot entity\'s tables, an incremental one\'s root and child', () => {
    const root = table({ name: 'widgets', description: 'w', columns: [id(), str('title'), ts('updatedAt')] });
    const child = table({ name: 'widget_parts', description: 'p', parent: { column: 'widget_id', table: 'widgets' }, columns: [id(), parentId('widget_id')] });
    const incremental = defineEntity({ name: 'widgets', sync: 'incremental', scopes: [], tables: [child, root], routes: { Widget: root, WidgetPart: child } });
    const snapshot = defineEntity({ name: 'gadgets', sync: 'snapshot', scopes: [], tables: [root], routes: { Widget: root } });
    expect(currentStates([incremental]).map((s) => [s.table.name, s.kind])).to.deep.equal([['widgets', 'latest'], ['widget_parts', 'child']]);
    expect(currentStates([snapshot]).map((s) => [s.table.name, s.kind])).to.deep.equal([['widgets', 'snapshot']]);
    const sql = viewStatements('duckdb', { dest: '/out' }, [incremental]).join('\n');
    expect(sql).to.include('CREATE OR REPLACE VIEW "shopify_widget_parts_current"').and.include('ORDER BY t.updated_at DESC, t._extracted_at DESC, t._run_id DESC');
  });

  it('refuses a table without a key rather than leaving it out', () => {
    const keyless = table({ name: 'keyless', description: 'k', columns: [str('title')] });
    const entity = defineEntity({ name: 'keyless', sync: 'snapshot', scopes: [], tables: [keyless], routes: { Keyless: keyless } });
    expect(() => viewStatements('duckdb', { dest: '/out' }, [entity])).to.throw('keyless has no key');
  });
});
