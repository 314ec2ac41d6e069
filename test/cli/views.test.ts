// `views` as a user calls it: the BigQuery form for a gs:// destination (over the fake GCS server)
// names what the bucket holds and reads a table without files as empty; bad pairs of flags and a
// destination no run has published to exit 2 with one line.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/cli.ts';
import { createFakeGcs, type FakeGcs } from '../support/fake-gcs.ts';

describe('views command', function () {
  this.timeout(60_000);
  let fake: FakeGcs;
  let endpoint: string;
  before(async () => {
    fake = createFakeGcs();
    endpoint = await fake.listen(0);
  });
  after(() => fake.close());

  it('prints BigQuery external tables for the tables the bucket holds and the views of all, a table without files read as empty', async () => {
    fake.createBucket('views-bucket');
    const run = 'run=20261202T101010Z-abc123';
    fake.putObject('views-bucket', `shopify/_manifests/shop=acme.myshopify.com/${run}.json`, '{}\n');
    fake.putObject('views-bucket', `shopify/orders/shop=acme.myshopify.com/dt=2026-12-02/${run}/part-00000.ndjson.gz`, 'x');
    const result = await runCli(['views', '--dialect', 'bigquery', '--dest', 'gs://views-bucket/shopify', '--dataset', 'proj.shop', '--gcs-endpoint', endpoint, '--log-format', 'json']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stdout).to.include("CREATE OR REPLACE EXTERNAL TABLE `proj.shop.shopify_orders` (").and.include("uris = ['gs://views-bucket/shopify/orders/*']");
    expect(result.stdout).to.not.include('EXTERNAL TABLE `proj.shop.shopify_product_variants`').and.not.include('EXTERNAL TABLE `proj.shop.shopify_deletions`');
    expect(result.stdout).to.include('CREATE OR REPLACE VIEW `proj.shop.shopify_product_variants_current`').and.include('CAST(NULL AS BOOL) AS `restored`');
    const warning = JSON.parse(result.stderr.trim().split('\n').find((l) => l.includes('no files yet'))!) as { tables: string[] };
    expect(warning.tables).to.include('deletions').and.include('product_variants').and.not.include('orders');
  });

  it('exits 2 naming the problem: DuckDB on a bucket, BigQuery on a folder, a destination without a manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'views-cli-'));
    try {
      const cases: Array<[string[], string]> = [
        [['--dialect', 'duckdb', '--dest', 'gs://b/p'], '--dialect duckdb reads a local folder'],
        [['--dialect', 'bigquery', '--dest', dir], '--dialect bigquery reads gs://bucket/prefix'],
        [['--dialect', 'duckdb', '--dest', dir], 'holds no run manifest'],
        [['--dest', dir], 'dialect'],
      ];
      for (const [args, message] of cases) {
        const result = await runCli(['views', ...args, '--log-format', 'pretty']);
        expect(result.code, args.join(' ')).to.equal(2);
        expect(result.stderr, args.join(' ')).to.include(message);
        expect(result.stdout).to.equal('');
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
