// `status` where the README's deploys keep state: a gs:// object (read-only: never the lock, a temp
// copy removed afterwards) and one state per shop of a shops file (issue 13, point 8). The state
// databases are real SQLite files written through StateDb; GCS is the in-suite fake server.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDb } from '../../src/state/db.ts';
import type { StatusRow } from '../../src/report/status.ts';
import { runCli } from '../support/cli.ts';
import { createFakeGcs, type FakeGcs } from '../support/fake-gcs.ts';

const UNTIL = '2026-11-20T00:00:00.000Z';

/** A state file in which `shop` committed one orders window up to UNTIL in run `runId`. */
function writeState(path: string, shop: string, runId: string): void {
  const db = StateDb.open(path);
  try {
    db.runs.start(runId, shop);
    const window = db.windows.create({ runId, shop, entity: 'orders', since: null, until: UNTIL });
    db.windows.commit(window);
    db.runs.finish(runId, 'succeeded', {});
  } finally {
    db.close();
  }
}

describe('shopify-bulk-etl status on GCS state and shops files', function () {
  this.timeout(60_000);
  let fake: FakeGcs;
  let endpoint: string;
  let dir: string;
  let tmp: string;
  let bucket: string;
  let buckets = 0;
  before(async () => {
    fake = createFakeGcs();
    endpoint = await fake.listen(0);
  });
  after(() => fake.close());
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'etl-status-gcs-'));
    tmp = join(dir, 'tmp');
    mkdirSync(tmp);
    bucket = `status-${++buckets}`;
    fake.createBucket(bucket);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes a state for `shop` locally and puts it in the bucket as `name`. */
  function remoteState(name: string, shop: string, runId: string): void {
    const local = join(dir, `${runId}.db`);
    writeState(local, shop, runId);
    fake.putObject(bucket, name, readFileSync(local));
  }

  const status = (args: string[]) => runCli(['status', '--gcs-endpoint', endpoint, '--json', ...args], { TMPDIR: tmp });

  it('reads a gs:// state without taking its lock (held by a running job), leaving no temp copy and writing nothing', async () => {
    remoteState('state/acme.db', 'acme.myshopify.com', 'run-a');
    const lock = fake.putObject(bucket, 'state/acme.db.lock', JSON.stringify({ owner: 'another-run', expiresAtMs: Date.now() + 600_000 }));
    const first = fake.requests.length;

    const result = await status(['--state', `gs://${bucket}/state/acme.db`]);
    expect(result.code, result.stderr).to.equal(0);
    const rows = JSON.parse(result.stdout) as StatusRow[];
    expect(rows).to.have.length(1);
    expect(rows[0]).to.include({ shop: 'acme.myshopify.com', entity: 'orders', watermark: UNTIL, last_run: 'run-a', last_outcome: 'committed' });

    const calls = fake.requests.slice(first);
    expect(calls.filter((r) => r.method !== 'GET'), 'read-only').to.deep.equal([]);
    expect(calls.filter((r) => r.path.includes('.lock')), 'the lock is not even read').to.deep.equal([]);
    expect(fake.object(bucket, 'state/acme.db.lock')?.generation).to.equal(lock.generation);
    expect(readdirSync(tmp), 'temp copy removed').to.deep.equal([]);
  });

  it('covers every shop of a shops file, each from its own gs:// state, and lists a shop with no state yet', async () => {
    remoteState('state/shopify-alpha.myshopify.com.db', 'alpha.myshopify.com', 'run-alpha');
    remoteState('state/shopify-beta.myshopify.com.db', 'beta.myshopify.com', 'run-beta');
    const shops = join(dir, 'shops.yaml');
    writeFileSync(shops, 'shops:\n  - { shop: beta.myshopify.com, tokenEnv: BETA_TOKEN }\n  - { shop: alpha.myshopify.com, tokenEnv: ALPHA_TOKEN }\n  - { shop: gamma.myshopify.com, tokenEnv: GAMMA_TOKEN }\n');

    // No token is set: status reads no secret. CLOUD_RUN_TASK_* would give a run only some shops; status shows them all.
    const result = await runCli(['status', '--gcs-endpoint', endpoint, '--json', '--shops-file', shops, '--state', `gs://${bucket}/state/shopify.db`], { TMPDIR: tmp, CLOUD_RUN_TASK_INDEX: '1', CLOUD_RUN_TASK_COUNT: '3' });
    expect(result.code, result.stderr).to.equal(0);
    const rows = JSON.parse(result.stdout) as StatusRow[];
    expect(rows.map((r) => [r.shop, r.entity, r.last_run, r.state])).to.deep.equal([
      ['alpha.myshopify.com', 'orders', 'run-alpha', `gs://${bucket}/state/shopify-alpha.myshopify.com.db`],
      ['beta.myshopify.com', 'orders', 'run-beta', `gs://${bucket}/state/shopify-beta.myshopify.com.db`],
      ['gamma.myshopify.com', null, null, `gs://${bucket}/state/shopify-gamma.myshopify.com.db`],
    ]);
    expect(readdirSync(tmp)).to.deep.equal([]);

    const text = await runCli(['status', '--gcs-endpoint', endpoint, '--shops-file', shops, '--state', `gs://${bucket}/state/shopify.db`], { TMPDIR: tmp });
    expect(text.code, text.stderr).to.equal(0);
    expect(text.stdout).to.match(/^alpha\.myshopify\.com\s+orders\s+2026-11-20T00:00:00\.000Z\s+run-alpha\s+committed/m);
    expect(text.stdout).to.match(/^gamma\.myshopify\.com\s+-\s+-\s+-\s+no state yet/m);
  });

  it('covers every shop of a shops file with local per-shop states', async () => {
    writeState(join(dir, 'state-alpha.myshopify.com.db'), 'alpha.myshopify.com', 'run-alpha');
    const shops = join(dir, 'shops.json');
    writeFileSync(shops, JSON.stringify({ shops: [{ shop: 'alpha.myshopify.com', tokenEnv: 'A' }, { shop: 'beta.myshopify.com', tokenEnv: 'B' }] }));
    const result = await runCli(['status', '--json', '--shops-file', shops, '--state', join(dir, 'state.db')]);
    expect(result.code, result.stderr).to.equal(0);
    const rows = JSON.parse(result.stdout) as StatusRow[];
    expect(rows.map((r) => [r.shop, r.entity, r.last_outcome])).to.deep.equal([['alpha.myshopify.com', 'orders', 'committed'], ['beta.myshopify.com', null, null]]);
  });

  it('exits 2 naming the object when there is no gs:// state there, having asked GCS', async () => {
    const first = fake.requests.length;
    const result = await status(['--state', `gs://${bucket}/state/nothing.db`]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain(`gs://${bucket}/state/nothing.db`);
    expect(fake.requests.slice(first).some((r) => r.path.includes('nothing.db'))).to.equal(true);
  });
});
