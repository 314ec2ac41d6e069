// An entity of several bulk queries (Entity.parts: orders runs queries/orders.graphql and
// queries/orders_details.graphql on each window): the window commits only once every query's files
// are uploaded, a query that fails fails the window with nothing of it published, and an attempt
// after a failure adopts the operations that completed instead of submitting them again.
// (A run killed mid-window, wherever each query was: test/e2e/crash.test.ts.)
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Faults, type Sandbox } from 'shopify-sandbox';
import { entityByName } from '../../src/entities/index.ts';
import { StateDb } from '../../src/state/db.ts';
import { runAgainst } from '../support/etl.ts';
import { manifests, partFiles, readPublished } from '../support/output.ts';
import { expectPublishedEqualsTruth, watermarkOf } from '../support/truth.ts';

describe('an entity of several bulk queries', function () {
  this.timeout(60_000);
  const orders = entityByName('orders');
  let dir: string;
  let sandbox: Sandbox;

  async function start(faults: Partial<Faults> = {}): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'etl-parts-'));
    sandbox = await startSandbox({ operationDelayMs: 30, size: { orders: 40, customers: 10, products: 8 } });
    sandbox.faults.set(faults);
  }
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const run = (): ReturnType<typeof runAgainst> => runAgainst(sandbox, dir, ['--entities', 'orders', '--safety-lag', '0s', '--max-poll-interval', '200ms']);
  const windows = (): Array<{ window_id: number; status: string }> => {
    const state = StateDb.open(join(dir, 'state.db'));
    try {
      return state.db.prepare(`SELECT window_id, status FROM windows WHERE entity = 'orders' ORDER BY window_id`).all() as Array<{ window_id: number; status: string }>;
    } finally {
      state.close();
    }
  };

  it('runs one operation per query on the window, records each against its part, and commits the window with all their files', async () => {
    await start();
    const result = await run();
    expect(result.exitCode).to.equal(0);
    const ops = sandbox.operations();
    expect(ops.map((op) => op.query.includes('agreements')).sort(), 'one operation of each query').to.deep.equal([false, true]);
    const state = StateDb.open(join(dir, 'state.db'));
    try {
      const [window] = state.db.prepare(`SELECT window_id FROM windows WHERE entity = 'orders' AND status = 'committed'`).all() as Array<{ window_id: number }>;
      expect(state.operations.ofWindowParts(window!.window_id).map((o) => [o.part, o.status])).to.deep.equal([[0, 'COMPLETED'], [1, 'COMPLETED']]);
    } finally {
      state.close();
    }
    const [manifest] = manifests(join(dir, 'out'));
    const [listed] = manifest!.windows;
    expect(listed!.operationIds?.sort()).to.deep.equal(ops.map((op) => op.id).sort());
    expect(new Set(listed!.files.map((f) => f.table))).to.deep.equal(new Set(orders.tables.map((t) => t.name)));
    await expectPublishedEqualsTruth(sandbox, dir, ['orders']);
    const attribution = (await readPublished(join(dir, 'out'), manifests(join(dir, 'out')), 'order_attribution')).map((r) => String(r.id)).sort();
    expect(attribution).to.deep.equal(sandbox.store.ids('orders').map((gid) => gid.split('/').at(-1)!).sort());
  });

  it('one query failing fails the window: nothing of any query is published, the watermark stays; the rerun completes', async () => {
    await start({ failed: 1, failedErrorCode: 'ACCESS_DENIED' });
    const failed = await run();
    expect(failed.exitCode).to.equal(1);
    expect(failed.shops[0]!.entities[0]!.status).to.equal('failed');
    // The other query's operation was let finish (it is recorded, to be adopted), but none of its rows went out.
    expect(sandbox.operations().map((op) => op.status).sort()).to.deep.equal(['COMPLETED', 'FAILED']);
    expect(windows().map((w) => w.status)).to.deep.equal(['failed']);
    expect(watermarkOf(sandbox, dir, 'orders')).to.equal(null);
    for (const table of orders.tables) expect(partFiles(join(dir, 'out'), table.name), table.name).to.deep.equal([]);
    expect(manifests(join(dir, 'out')).flatMap((m) => m.windows)).to.deep.equal([]);

    const rerun = await run();
    expect(rerun.exitCode).to.equal(0);
    await expectPublishedEqualsTruth(sandbox, dir, ['orders']);
  });

  it('a query failing for a reason that resubmits: the window is extracted again, the completed query\'s operation adopted rather than submitted again', async () => {
    await start({ failed: 1, failedErrorCode: 'INTERNAL_SERVER_ERROR' });
    const result = await run();
    expect(result.exitCode).to.equal(0);
    const ops = sandbox.operations();
    expect(ops.map((op) => op.status).sort()).to.deep.equal(['COMPLETED', 'COMPLETED', 'FAILED']);
    // Two operations of the failed query, one of the other.
    const failedQuery = ops.find((op) => op.status === 'FAILED')!.query;
    expect(ops.filter((op) => op.query === failedQuery)).to.have.length(2);
    expect(windows().map((w) => w.status)).to.deep.equal(['committed']);
    await expectPublishedEqualsTruth(sandbox, dir, ['orders']);
  });
});
