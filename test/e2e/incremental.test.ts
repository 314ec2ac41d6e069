import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { StateDb } from '../../src/state/db.ts';
import { runAgainst } from '../support/etl.ts';
import { manifests, readPublished } from '../support/output.ts';

const ids = (rows: Array<Record<string, unknown>>): string[] => rows.map((r) => String(r.admin_graphql_api_id)).sort();

describe('incremental sync and backfill', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-incr-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 150, customers: 40, products: 20 } });
  });
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('extracts, on the second run, exactly the changed and new records plus the lookback overlap', async () => {
    const first = await runAgainst(sandbox, dir, ['--entities', 'orders,customers', '--safety-lag', '0s']);
    expect(first.exitCode).to.equal(0);
    const [run1] = manifests(join(dir, 'out'));
    expect((await readPublished(join(dir, 'out'), [run1!], 'orders')).length).to.equal(sandbox.store.truth().orders);

    const changes = sandbox.store.mutate({ entities: ['orders', 'customers'], touch: 7, add: 4, at: new Date() });
    const second = await runAgainst(sandbox, dir, ['--entities', 'orders,customers', '--safety-lag', '0s']);
    expect(second.exitCode).to.equal(0);
    const run2 = manifests(join(dir, 'out')).find((m) => m.runId === second.shops[0]!.runId)!;

    for (const [entity, table] of [['orders', 'orders'], ['customers', 'customers']] as const) {
      const window = run2.windows.find((w) => w.entity === entity)!;
      const rows = ids(await readPublished(join(dir, 'out'), [run2], table));
      // Exactly the records whose updatedAt falls in the second run's window...
      expect(rows).to.deep.equal(sandbox.store.ids(entity, { since: new Date(window.since!), until: new Date(window.until!) }).sort());
      // ...which are the changed and new ones, plus those inside the lookback before the old watermark.
      const changed = [...changes.touched[entity]!, ...changes.added[entity]!];
      expect(rows).to.include.members(changed);
      const overlap = sandbox.store.ids(entity, { since: new Date(window.since!), until: new Date(run1!.windows.find((w) => w.entity === entity)!.until!) });
      expect(rows.filter((id) => !changed.includes(id)).sort()).to.deep.equal(overlap.filter((id) => !changed.includes(id)).sort());
      expect(window.since).to.equal(new Date(Date.parse(run1!.windows.find((w) => w.entity === entity)!.until!) - 2 * 3600_000).toISOString());
    }
  });

  it('returns exactly the records with updatedAt in [--since, --until), across several windows', async () => {
    const all = sandbox.store.ids('orders');
    expect(all.length).to.be.greaterThan(100);
    const until = new Date(Date.now() - 20 * 86400_000);
    const since = new Date(until.getTime() - 90 * 86400_000);
    const result = await runAgainst(sandbox, dir, ['--entities', 'orders', '--since', since.toISOString(), '--until', until.toISOString(), '--window', '30d']);
    expect(result.exitCode).to.equal(0);
    const [run] = manifests(join(dir, 'out'));
    expect(run!.windows.filter((w) => w.entity === 'orders')).to.have.length(3);
    const rows = ids(await readPublished(join(dir, 'out'), [run!], 'orders'));
    const expected = sandbox.store.ids('orders', { since, until }).sort();
    expect(expected.length).to.be.greaterThan(0).and.lessThan(all.length);
    expect(rows).to.deep.equal(expected);
    // A backfill disjoint from the (absent) watermark does not invent one.
    const state = StateDb.open(join(dir, 'state.db'));
    expect(state.windows.watermark(sandbox.shopDomain, 'orders')).to.equal(null);
    state.close();
  });

  it('fails the entity with exit code 1 and leaves the watermark alone when lines are missing', async () => {
    const first = await runAgainst(sandbox, dir, ['--entities', 'orders,customers']);
    expect(first.exitCode).to.equal(0);
    const before = StateDb.open(join(dir, 'state.db'));
    const watermarks = { orders: before.windows.watermark(sandbox.shopDomain, 'orders'), customers: before.windows.watermark(sandbox.shopDomain, 'customers') };
    before.close();
    // The next completed file lacks two lines; which entity's completes first is up to the run.
    sandbox.faults.set({ droppedLines: 1, droppedLineCount: 2 });
    const second = await runAgainst(sandbox, dir, ['--entities', 'orders,customers']);
    expect(second.exitCode).to.equal(1);
    const failed = second.shops[0]!.entities.filter((e) => e.status === 'failed');
    expect(failed).to.have.length(1);
    expect(failed[0]!.error!.code).to.equal('VERIFY_MISMATCH');
    expect(failed[0]!.error!.message).to.match(/objectCount \d+ but its file had \d+ lines/);
    const other = second.shops[0]!.entities.find((e) => e.entity !== failed[0]!.entity)!;
    expect(other.status, 'the other entity goes on').to.equal('committed');
    const after = StateDb.open(join(dir, 'state.db'));
    const entity = failed[0]!.entity as 'orders' | 'customers';
    expect(after.windows.watermark(sandbox.shopDomain, entity), 'the failed entity keeps its watermark').to.equal(watermarks[entity]);
    after.close();
  });
});
