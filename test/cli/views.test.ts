// `views` as a user calls it: the BigQuery form for a gs:// destination (over the fake GCS server)
// names what the bucket holds, reads a table without files as empty, leaves out the files its gs://
// state has not committed and names a shop no state holds; bad pairs of flags and a destination no run has published to exit 2 with
// one line. The states are real SQLite files written through StateDb.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDb } from '../../src/state/db.ts';
import { runCli } from '../support/cli.ts';
import { createFakeGcs, type FakeGcs } from '../support/fake-gcs.ts';

const SHOP = 'acme.myshopify.com';
const part = (runId: string): string => `orders/shop=${SHOP}/dt=2026-12-02/run=${runId}/part-00000.ndjson.gz`;

/** A state in which run `committed` committed an orders window with its part, and run `killed` (if any) uploaded its part but did not commit. */
function writeState(path: string, committed: string, killed?: string): void {
  const db = StateDb.open(path);
  try {
    for (const runId of [committed, ...(killed ? [killed] : [])]) {
      db.runs.start(runId, SHOP);
      const window = db.windows.create({ runId, shop: SHOP, entity: 'orders', since: null, until: '2026-12-02T10:00:00.000Z' });
      db.files.record(window, runId, 'orders', { objectName: part(runId), localPath: join(path, '..', runId), rows: 1, bytes: 1, crc32c: 'AAAAAA==' });
      db.files.markUploaded(part(runId));
      if (runId === committed) {
        db.windows.commit(window);
        db.runs.finish(runId, 'succeeded', {});
      }
    }
  } finally {
    db.close();
  }
}

describe('views command', function () {
  this.timeout(60_000);
  let fake: FakeGcs;
  let endpoint: string;
  before(async () => {
    fake = createFakeGcs();
    endpoint = await fake.listen(0);
  });
  after(() => fake.close());

  it('prints BigQuery external tables for the tables the bucket holds and the views of all, a table without files read as empty, the files its state has not committed left out, a shop it does not hold named', async () => {
    fake.createBucket('views-bucket');
    const [committed, killed] = ['20261202T101010Z-abc123', '20261202T111111Z-def456'];
    const dir = mkdtempSync(join(tmpdir(), 'views-cli-'));
    try {
      writeState(join(dir, 'state.db'), committed, killed);
      fake.putObject('views-bucket', 'state/acme.db', readFileSync(join(dir, 'state.db')));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    for (const runId of [committed, killed]) {
      fake.putObject('views-bucket', `shopify/_manifests/shop=${SHOP}/run=${runId}.json`, '{}\n');
      fake.putObject('views-bucket', `shopify/${part(runId)}`, 'x');
    }
    // A shop the state does not hold: its manifests are read as they are, and named.
    fake.putObject('views-bucket', `shopify/_manifests/shop=other.myshopify.com/run=${committed}.json`, '{}\n');
    const result = await runCli(['views', '--dialect', 'bigquery', '--dest', 'gs://views-bucket/shopify', '--state', 'gs://views-bucket/state/acme.db', '--dataset', 'proj.shop', '--gcs-endpoint', endpoint, '--log-format', 'json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include(`WHERE object_name IS NOT NULL AND object_name NOT IN ('${part(killed)}')`).and.not.include(`'${part(committed)}'`);
    const withheld = JSON.parse(result.stderr.trim().split('\n').find((l) => l.includes('not committed'))!) as { runs: string[]; files: number };
    expect(withheld).to.deep.include({ runs: [killed], files: 1 });
    const unheld = JSON.parse(result.stderr.trim().split('\n').find((l) => l.includes('no state read holds'))!) as { shops: string[] };
    expect(unheld.shops).to.deep.equal(['other.myshopify.com']);
    expect(result.stdout).to.include("CREATE OR REPLACE EXTERNAL TABLE `proj.shop.shopify_orders` (").and.include("uris = ['gs://views-bucket/shopify/orders/*']");
    expect(result.stdout).to.not.include('EXTERNAL TABLE `proj.shop.shopify_product_variants`').and.not.include('EXTERNAL TABLE `proj.shop.shopify_deletions`');
    expect(result.stdout).to.include('CREATE OR REPLACE VIEW `proj.shop.shopify_product_variants_current`').and.include('CAST(NULL AS BOOL) AS `restored`');
    const warning = JSON.parse(result.stderr.trim().split('\n').find((l) => l.includes('no files yet'))!) as { tables: string[] };
    expect(warning.tables).to.include('deletions').and.include('product_variants').and.not.include('orders');
  });

  it('exits 2 naming the problem: DuckDB on a bucket, BigQuery on a folder, a destination without a manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'views-cli-'));
    try {
      const state = join(dir, 'state.db');
      writeState(state, '20261202T101010Z-abc123');
      const cases: Array<[string[], string]> = [
        [['--dialect', 'duckdb', '--dest', 'gs://b/p'], '--dialect duckdb reads a local folder'],
        [['--dialect', 'bigquery', '--dest', dir], '--dialect bigquery reads gs://bucket/prefix'],
        [['--dialect', 'duckdb', '--dest', dir], 'holds no run manifest'],
        [['--dest', dir], 'dialect'],
      ];
      for (const [args, message] of cases) {
        const result = await runCli(['views', ...args, '--state', state, '--log-format', 'pretty']);
        expect(result.code, args.join(' ')).to.equal(2);
        expect(result.stderr, args.join(' ')).to.include(message);
        expect(result.stdout).to.equal('');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
