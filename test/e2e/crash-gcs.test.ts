// Issue 20's crash acceptance on Cloud Run's terms: the state and the output on GCS (the in-suite fake
// server, through the real client), the run killed with SIGKILL at each phase, and the rerun started
// in a fresh folder (Cloud Run's empty disk), so it knows only what reached the bucket.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { ManifestDocument } from '../../src/load/manifest.ts';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { killAt, runCli, startCli } from '../support/cli.ts';
import { createFakeGcs, type FakeGcs } from '../support/fake-gcs.ts';
import { expectFullHistoryOncePerQuery } from '../support/truth.ts';

const cases: Array<{ phase: string; pauseAt?: string; trigger: (e: Record<string, unknown>) => boolean; operationDelayMs: number; partsUploaded?: boolean }> = [
  // Shopify runs the operation, but its id never reached the state.
  { phase: 'after Shopify answered the submit, before the id is recorded', pauseAt: 'orders:submit-answered', trigger: (e) => e.checkpoint === 'submit-answered', operationDelayMs: 300 },
  { phase: 'after submit', pauseAt: 'orders:after-submit', trigger: (e) => e.checkpoint === 'after-submit', operationDelayMs: 300 },
  { phase: 'while polling', trigger: (e) => e.message === 'progress' && e.entity === 'orders' && e.phase === 'polling', operationDelayMs: 2500 },
  { phase: 'mid-download', pauseAt: 'orders:downloading', trigger: (e) => e.checkpoint === 'downloading', operationDelayMs: 100 },
  { phase: 'after writing, before upload', pauseAt: 'orders:before-upload', trigger: (e) => e.checkpoint === 'before-upload', operationDelayMs: 100 },
  // Killed once a part has landed in the bucket and before the others have.
  { phase: 'mid-upload', pauseAt: 'orders:uploading', trigger: (e) => e.checkpoint === 'uploading', operationDelayMs: 100, partsUploaded: true },
  { phase: 'before commit', pauseAt: 'orders:before-commit', trigger: (e) => e.checkpoint === 'before-commit', operationDelayMs: 100 },
];

describe('a run killed at any phase with gs:// state: the rerun on an empty disk starts at once, adopts the operation and publishes every row once', function () {
  this.timeout(90_000);
  let fake: FakeGcs;
  let endpoint: string;
  let bucketCount = 0;
  let sandbox: Sandbox | undefined;
  const dirs: string[] = [];

  before(async () => {
    fake = createFakeGcs();
    endpoint = await fake.listen(0);
  });
  after(async () => {
    await fake.close();
  });
  afterEach(async () => {
    await sandbox?.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  /** A folder of its own for each run: nothing on disk survives from one run to the next. */
  function freshFolder(): string {
    const d = mkdtempSync(join(tmpdir(), 'etl-crash-gcs-'));
    dirs.push(d);
    return d;
  }

  for (const c of cases) {
    it(`SIGKILL ${c.phase}: no row published twice, no part left unlisted, no staging left, the operation adopted`, async () => {
      const bucket = `crash-${++bucketCount}`;
      fake.createBucket(bucket);
      sandbox = await startSandbox({ operationDelayMs: c.operationDelayMs, size: { orders: 120 } });
      const store = sandbox;
      const args = (folder: string): string[] => [
        '--shop', store.shopDomain, '--admin-url', store.url, '--entities', 'orders', '--log-format', 'json', '--poll-interval', '100ms',
        '--part-size', '8KiB', '--gcs-endpoint', endpoint, '--dest', `gs://${bucket}/out`, '--state', `gs://${bucket}/state.db`, '--staging', join(folder, 'staging'),
      ];
      const env = { SHOPIFY_ACCESS_TOKEN: store.token };

      const partLanded = (): boolean => fake.objects(bucket).some((o) => o.name.startsWith('out/orders') && o.name.endsWith('.ndjson.gz'));
      // A short lease, so the killed run's lock lapses within the rerun's --lock-wait: nobody deletes it.
      await killAt(startCli([...args(freshFolder()), '--lock-lease', '3s', ...(c.pauseAt ? ['--pause-at', c.pauseAt] : [])], env), c.trigger, c.partsUploaded ? partLanded : undefined);
      expect(fake.object(bucket, 'state.db.lock'), 'the killed run\'s lock is left behind').to.not.equal(undefined);
      const rerunFolder = freshFolder();
      const rerun = await runCli([...args(rerunFolder), '--lock-wait', '30s'], env);
      expect(rerun.code, rerun.stderr.slice(-2000)).to.equal(0);

      const objects = new Map(fake.objects(bucket).filter((o) => o.name.startsWith('out/')).map((o) => [o.name.slice('out/'.length), o]));
      const docs = [...objects].filter(([name]) => name.startsWith('_manifests/')).map(([, o]) => JSON.parse(o.bytes.toString('utf8')) as ManifestDocument);
      const listed = docs.flatMap((d) => d.windows.flatMap((w) => w.files.map((f) => f.objectName))).sort();
      expect(new Set(listed).size, 'no part listed twice').to.equal(listed.length);
      expect([...objects.keys()].filter((n) => n.endsWith('.ndjson.gz')).sort(), 'every part in the bucket is listed').to.deep.equal(listed);

      const published = listed.filter((n) => n.startsWith('orders/')).flatMap((n) => gunzipSync(objects.get(n)!.bytes).toString('utf8').split('\n').filter(Boolean))
        .map((line) => String((JSON.parse(line) as Record<string, unknown>).admin_graphql_api_id));
      const windows = docs.flatMap((d) => d.windows);
      // The rerun extracts the killed window, then its own incremental window: the lookback may read
      // a record twice across the two windows, never twice within one.
      const full = windows.filter((w) => w.since === null);
      expect(full, 'the killed run\'s window, published once').to.have.length(1);
      const fullIds = full[0]!.files.filter((f) => f.table === 'orders').flatMap((f) => gunzipSync(objects.get(f.objectName)!.bytes).toString('utf8').split('\n').filter(Boolean));
      expect(fullIds.length, 'each order once in the full window').to.equal(store.store.ids('orders').length);
      expect([...new Set(published)].sort(), 'every order published').to.deep.equal(store.store.ids('orders').sort());

      // The killed run's manifest, when it wrote one before dying, is marked interrupted.
      expect(docs.map((d) => d.status).filter((s) => s !== 'interrupted'), 'no manifest left running').to.deep.equal(['succeeded']);
      // A window of orders runs one operation per query (Entity.parts), all at once: each adopted, none submitted again.
      expectFullHistoryOncePerQuery(store, 'orders', 'the killed run\'s operations were adopted, not submitted again');
      const staging = join(rerunFolder, 'staging');
      const left = existsSync(staging) ? readdirSync(staging, { recursive: true }).map(String).filter((n) => !n.startsWith('state-')) : [];
      expect(left, 'no staging file behind').to.deep.equal([]);
    });
  }
});
