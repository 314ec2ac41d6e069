import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import type { StatusEntry } from '../../src/state/db.ts';
import { runCli } from '../support/cli.ts';
import { runAgainst } from '../support/etl.ts';

describe('shopify-bulk-etl status', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-status-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 30 } });
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints each entity\'s watermark, last run and outcome, open operations and pending files', async () => {
    const ok = await runAgainst(sandbox, dir, ['--entities', 'orders,customers']);
    expect(ok.exitCode).to.equal(0);
    sandbox.faults.set({ failed: 3, failedErrorCode: 'ACCESS_DENIED' });
    const failed = await runAgainst(sandbox, dir, ['--entities', 'customers']);
    expect(failed.exitCode).to.equal(1);
    sandbox.faults.clear();

    const json = await runCli(['status', '--state', join(dir, 'state.db'), '--json']);
    expect(json.code, json.stderr).to.equal(0);
    const rows = JSON.parse(json.stdout) as StatusEntry[];
    const orders = rows.find((r) => r.entity === 'orders')!;
    const customers = rows.find((r) => r.entity === 'customers')!;
    expect(orders).to.include({ shop: sandbox.shopDomain, last_outcome: 'committed', open_operations: null, pending_files: 0, last_run: ok.shops[0]!.runId });
    expect(orders.watermark).to.match(/^\d{4}-\d\d-\d\dT/);
    expect(customers).to.include({ last_outcome: 'failed', last_run: failed.shops[0]!.runId, watermark: orders.watermark });

    const text = await runCli(['status', '--state', join(dir, 'state.db')]);
    expect(text.code).to.equal(0);
    expect(text.stdout.split('\n')[0]).to.match(/^shop\s+entity\s+watermark\s+last run\s+outcome\s+open operations\s+pending files$/);
    expect(text.stdout).to.match(/customers\s+\S+\s+\S+\s+failed/);
    expect(text.stdout).to.contain('last errors:');
  });

  it('exits 2 naming the path when there is no state there', async () => {
    const result = await runCli(['status', '--state', join(dir, 'nothing.db')]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain(join(dir, 'nothing.db'));
  });
});
