// Faults of the bulk operation and its result file. Window-level failures Shopify calls intermittent
// are extracted again (bounded), TIMEOUT splits the window, ACCESS_DENIED fails only its entity, a
// stuck or runaway operation is cancelled at its bound, an expired URL re-runs the window, a cut
// download resumes, and a bad file fails its window with nothing committed.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Faults, type Sandbox } from 'shopify-sandbox';
import { StateDb } from '../../src/state/db.ts';
import type { JobResult } from '../../src/sync/run.ts';
import { runAgainst } from '../support/etl.ts';
import { manifests, partFiles } from '../support/output.ts';
import { atNextSecond } from '../support/store.ts';
import { captureLogs, expectNoSecret, expectPublishedEqualsTruth, expectWatermarkCovered, watermarkOf, type RootEntity } from '../support/truth.ts';

const ENTITIES: RootEntity[] = ['orders', 'customers'];
// Tests that count a window's operations use customers: a window of orders runs two (Entity.parts).

describe('bulk operation and result faults lose nothing', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  let logs: ReturnType<typeof captureLogs>;

  async function start(faults: Partial<Faults> = {}, operationDelayMs = 30): Promise<void> {
    dir = mkdtempSync(join(tmpdir(), 'etl-opfaults-'));
    sandbox = await startSandbox({ operationDelayMs, size: { orders: 40, customers: 20, products: 8 } });
    sandbox.faults.set(faults);
    logs = captureLogs();
  }
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(entities: RootEntity[], extra: string[] = []): Promise<JobResult> {
    const result = await runAgainst(sandbox, dir, ['--entities', entities.join(','), '--safety-lag', '0s', '--max-poll-interval', '200ms', ...extra], { logger: logs.logger });
    expectNoSecret([sandbox.token], logs.text(), JSON.stringify(result));
    // Whatever happened, the watermark does not lead the published data.
    await expectWatermarkCovered(sandbox, dir, entities);
    return result;
  }

  async function runClean(entities: RootEntity[] = ENTITIES, extra: string[] = []): Promise<JobResult> {
    const result = await run(entities, extra);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    await expectPublishedEqualsTruth(sandbox, dir, entities);
    return result;
  }

  const outcome = (result: JobResult, entity: string) => result.shops[0]!.entities.find((e) => e.entity === entity)!;
  const ours = () => sandbox.operations().filter((op) => !op.foreign);
  const windowRows = (entity: string) => {
    const state = StateDb.open(join(dir, 'state.db'));
    try {
      return state.db.prepare('SELECT since, until, status, error_code FROM windows WHERE entity = ? ORDER BY window_id').all(entity) as Array<{ since: string | null; until: string; status: string; error_code: string | null }>;
    } finally {
      state.close();
    }
  };
  /** Changes the store at the next whole second (never before the watermark), and lets that second pass. */
  async function mutate(): Promise<void> {
    await atNextSecond((at) => sandbox.store.mutate({ entities: ENTITIES, touch: 4, add: 2, at }));
  }

  it('waits out LIMIT_REACHED on submit and submits again, like a busy slot', async () => {
    await start({ limitReached: 3 });
    await runClean();
    expect(sandbox.faults.current().limitReached, 'every refusal was met').to.equal(0);
    expect(logs.text()).to.match(/Shopify limits bulk operations/);
  });

  it('FAILED with INTERNAL_SERVER_ERROR: the window is submitted again', async () => {
    await start({ failed: 1, failedErrorCode: 'INTERNAL_SERVER_ERROR' });
    const result = await runClean();
    expect(ours().filter((op) => op.status === 'FAILED').map((op) => op.errorCode)).to.deep.equal(['INTERNAL_SERVER_ERROR']);
    expect(result.shops[0]!.entities.reduce((n, e) => n + e.retries, 0)).to.equal(1);
  });

  it('FAILED with INTERNAL_SERVER_ERROR every time: gives up after 3 attempts, watermark untouched; the rerun completes', async () => {
    await start({ failed: 3, failedErrorCode: 'INTERNAL_SERVER_ERROR' });
    const failed = await run(['customers']);
    expect(failed.exitCode).to.equal(1);
    expect(outcome(failed, 'customers').error).to.include({ code: 'BULK_FAILED' });
    expect(outcome(failed, 'customers').error!.message).to.match(/FAILED with INTERNAL_SERVER_ERROR/);
    expect(ours()).to.have.length(3);
    expect(watermarkOf(sandbox, dir, 'customers')).to.equal(null);
    await runClean();
  });

  it('FAILED with TIMEOUT: the window is split in two and both halves commit', async () => {
    await start({ failed: 1, failedErrorCode: 'TIMEOUT' });
    await runClean(['orders']);
    const rows = windowRows('orders');
    expect(rows.map((w) => w.status)).to.deep.equal(['abandoned', 'committed', 'committed']);
    expect(rows[0]!.error_code).to.equal('BULK_TIMEOUT');
    // The halves tile the timed-out window exactly.
    expect(rows[1]!.until).to.equal(rows[2]!.since);
    expect(rows[2]!.until).to.equal(rows[0]!.until);
    expect(watermarkOf(sandbox, dir, 'orders')).to.equal(rows[0]!.until);
  });

  it('FAILED with ACCESS_DENIED: that entity fails naming the scope it needs, the other commits; the rerun completes', async () => {
    await start({ failed: 1, failedErrorCode: 'ACCESS_DENIED' });
    const result = await run(ENTITIES);
    expect(result.exitCode).to.equal(1);
    const denied = result.shops[0]!.entities.filter((e) => e.status === 'failed');
    expect(denied).to.have.length(1);
    const [entity] = denied.map((e) => e.entity);
    expect(denied[0]!.error!.code).to.equal('ACCESS_DENIED');
    expect(denied[0]!.error!.message).to.contain(entity === 'orders' ? 'read_orders, read_returns, read_all_orders scopes' : 'read_customers scope');
    expect(ours().filter((op) => op.errorCode === 'ACCESS_DENIED'), 'not retried').to.have.length(1);
    expect(watermarkOf(sandbox, dir, entity!)).to.equal(null);
    const other = ENTITIES.find((e) => e !== entity)!;
    expect(outcome(result, other).status).to.equal('committed');
    await runClean();
  });

  it('CANCELED by Shopify: the window is submitted again', async () => {
    await start({ canceled: 1 });
    await runClean();
    expect(ours().filter((op) => op.status === 'CANCELED')).to.have.length(1);
  });

  it('stuck in CREATED: cancelled after --created-timeout, then submitted again', async () => {
    await start({ stuck: 1 });
    await runClean(ENTITIES, ['--created-timeout', '500ms']);
    const cancelled = ours().filter((op) => op.status === 'CANCELED');
    expect(cancelled, 'the ETL cancelled the stuck operation').to.have.length(1);
    expect(logs.entries().filter((e) => e.message === 'bulk operation is stuck; cancelling it').map((e) => e.operationId)).to.deep.equal([cancelled[0]!.id]);
  });

  it('a runaway operation: cancelled after --operation-timeout and its window split in two, both halves commit', async () => {
    await start({ slow: 1, slowDelayMs: 10_000 });
    await runClean(['customers'], ['--operation-timeout', '800ms']);
    expect(ours().map((op) => op.status)).to.deep.equal(['CANCELED', 'COMPLETED', 'COMPLETED']);
    const rows = windowRows('customers');
    expect(rows.map((w) => [w.status, w.error_code])).to.deep.equal([['abandoned', 'BULK_STUCK'], ['committed', null], ['committed', null]]);
    expect(rows[1]!.until).to.equal(rows[2]!.since);
    expect(rows[2]!.until).to.equal(rows[0]!.until);
  });

  it('operations that always run too long: split at most 4 times, then the entity fails; the rerun completes', async () => {
    await start({}, 1500);
    const failed = await run(['customers'], ['--operation-timeout', '300ms']);
    expect(failed.exitCode).to.equal(1);
    expect(outcome(failed, 'customers').error!.code).to.equal('BULK_STUCK');
    expect(outcome(failed, 'customers').error!.message).to.match(/past the 0.3s limit; cancelled it .*use a smaller --window or raise the limit/);
    expect(ours().map((op) => op.status), 'the window and its first half at each depth, each cancelled').to.deep.equal(['CANCELED', 'CANCELED', 'CANCELED', 'CANCELED', 'CANCELED']);
    expect(watermarkOf(sandbox, dir, 'customers')).to.equal(null);
    await runClean(['customers'], ['--operation-timeout', '1m']);
  });

  it('an EXPIRED result URL: the window is extracted again with a new operation', async () => {
    await start({ expiredUrls: 1 });
    await runClean(['customers']);
    expect(ours().map((op) => op.status)).to.deep.equal(['EXPIRED', 'COMPLETED']);
    expect(sandbox.requests().filter((r) => r.path.startsWith('/bulk-results/') && r.status === 400), 'the expired URL was refused').to.have.length(1);
  });

  it('a download cut after K bytes: resumed with a Range request, same operation', async () => {
    await start({ cutDownloads: 1, cutAfterBytes: 2048 });
    await runClean(['customers']);
    expect(ours(), 'no second operation').to.have.length(1);
    const downloads = sandbox.requests().filter((r) => r.path.startsWith('/bulk-results/'));
    expect(downloads.map((r) => r.status)).to.deep.equal([200, 206]);
    const resumed = logs.entries().find((e) => e.message === 'bulk result download interrupted; resuming');
    expect(resumed).to.include({ received: 2048 });
  });

  for (const c of [
    { fault: 'a malformed JSONL line', faults: { malformedLines: 1, malformedLineAt: 3 }, code: 'MALFORMED_JSONL', message: /orders JSONL line 3 is not valid JSON/ },
    { fault: 'dropped lines (count mismatch)', faults: { droppedLines: 1, droppedLineCount: 2 }, code: 'VERIFY_MISMATCH', message: /objectCount (\d+) but its file had \d+ lines; nothing from this window is committed/ },
  ] as const) {
    it(`${c.fault}: the window fails with the reason, nothing is committed; the rerun completes`, async () => {
      await start();
      await runClean();
      const watermark = watermarkOf(sandbox, dir, 'orders');
      await mutate();
      sandbox.faults.set(c.faults);
      const failed = await run(['orders']);
      expect(failed.exitCode).to.equal(1);
      expect(outcome(failed, 'orders').error!.code).to.equal(c.code);
      expect(outcome(failed, 'orders').error!.message).to.match(c.message);
      expect(watermarkOf(sandbox, dir, 'orders'), 'watermark unchanged').to.equal(watermark);
      const run2 = manifests(join(dir, 'out')).find((m) => m.runId === failed.shops[0]!.runId)!;
      expect(run2.windows, 'no window of the failed run is published').to.have.length(0);
      const runDir = `run=${failed.shops[0]!.runId}`;
      expect(partFiles(join(dir, 'out'), 'orders').filter((f) => f.includes(runDir)), 'no part file reached the destination').to.have.length(0);
      expect(windowRows('orders').at(-1)).to.include({ status: 'failed', error_code: c.code });
      await runClean();
    });
  }
});
