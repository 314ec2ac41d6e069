// The CLI against a GCS emulator that serves the JSON API only under /storage/v1, as
// fsouza/fake-gcs-server and gcp-storage-emulator do: reached through --gcs-endpoint and through
// STORAGE_EMULATOR_HOST in the forms people set it to, with gs:// destination and state.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { runCli } from '../support/cli.ts';
import { createFakeGcs, type FakeGcs } from '../support/fake-gcs.ts';

describe('GCS emulators serving the JSON API only under /storage/v1', function () {
  this.timeout(120_000);
  let fake: FakeGcs;
  let endpoint: string;
  let sandbox: Sandbox;
  let dir: string;

  before(async () => {
    fake = createFakeGcs({ servesRoot: false });
    endpoint = await fake.listen(0);
    sandbox = await startSandbox({ operationDelayMs: 50, size: { orders: 20 } });
    dir = mkdtempSync(join(tmpdir(), 'etl-emulator-'));
  });
  after(async () => {
    await sandbox.close();
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const ways: Array<{ name: string; flags(): string[]; env(): Record<string, string> }> = [
    { name: '--gcs-endpoint http://host:port', flags: () => ['--gcs-endpoint', endpoint], env: () => ({}) },
    { name: 'STORAGE_EMULATOR_HOST=http://host:port', flags: () => [], env: () => ({ STORAGE_EMULATOR_HOST: endpoint }) },
    // No scheme (as the Go and Python clients take it) and the API's path given too.
    { name: 'STORAGE_EMULATOR_HOST=host:port/storage/v1/', flags: () => [], env: () => ({ STORAGE_EMULATOR_HOST: `${endpoint.replace(/^http:\/\//, '')}/storage/v1/` }) },
  ];
  for (const [i, way] of ways.entries()) {
    it(`runs with ${way.name}`, async () => {
      const bucket = `emu-${i}`;
      fake.createBucket(bucket);
      const from = fake.requests.length;
      const result = await runCli(
        ['run', '--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--log-format', 'json', '--poll-interval', '100ms', ...way.flags(),
          '--entities', 'orders', '--dest', `gs://${bucket}/out`, '--state', `gs://${bucket}/state.db`, '--staging', join(dir, bucket)],
        { SHOPIFY_ACCESS_TOKEN: sandbox.token, ...way.env() },
      );
      expect(result.code, result.stderr.slice(-1500)).to.equal(0);
      const paths = fake.requests.slice(from).map((r) => r.path);
      expect(paths.filter((p) => !/^\/((upload|download)\/)?storage\/v1\//.test(p)), 'requests outside /storage/v1').to.deep.equal([]);
      const names = fake.objects(bucket).map((o) => o.name);
      expect(names).to.include('state.db');
      expect(names.filter((n) => n.startsWith('out/orders/') && n.endsWith('.ndjson.gz'))).to.have.length.greaterThan(0);
    });
  }
});
