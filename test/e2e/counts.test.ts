// Counted completeness against a real sandbox over HTTP: every incremental window's manifest entry
// carries the store's count (at the operation's start and end) beside the rows written, and a result
// file that silently lacks records (objectCount agreeing with the short file, the sandbox's omit fault)
// is caught by the count and extracted again, so the published rows still equal the store.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import type { ManifestDocument, ManifestWindow } from '../../src/load/manifest.ts';
import type { JobResult } from '../../src/sync/run.ts';
import { runAgainst } from '../support/etl.ts';
import { manifests, readPublished } from '../support/output.ts';
import { atNextSecond } from '../support/store.ts';
import { captureLogs, expectPublishedEqualsTruth, expectWatermarkCovered, watermarkOf, type RootEntity } from '../support/truth.ts';

const ENTITIES: RootEntity[] = ['orders', 'products', 'customers'];

describe('counted completeness: the store\'s count checks every incremental window', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  let logs: ReturnType<typeof captureLogs>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-counts-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 40, customers: 20, products: 12 } });
    logs = captureLogs();
  });
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (entities: RootEntity[]): Promise<JobResult> => runAgainst(sandbox, dir, ['--entities', entities.join(','), '--safety-lag', '0s', '--max-poll-interval', '200ms'], { logger: logs.logger });
  const manifestOf = (result: JobResult): ManifestDocument => manifests(join(dir, 'out')).find((m) => m.runId === result.shops[0]!.runId)!;
  const outcome = (result: JobResult, entity: string) => result.shops[0]!.entities.find((e) => e.entity === entity)!;
  /** What the store counts for a window now, as the sandbox's own model has it. */
  const truthOf = (entity: string, w: ManifestWindow): number => sandbox.store.ids(entity, { ...(w.since ? { since: new Date(w.since) } : {}), until: new Date(w.until!) }).length;
  /** Changes the store at the next whole second (never before the watermark), and lets that second pass. */
  async function mutate(entities: RootEntity[]): Promise<void> {
    await atNextSecond((at) => sandbox.store.mutate({ entities, touch: 4, add: 2, at }));
  }

  it('records both counts and the root rows in every incremental window of the manifest; a normal run is otherwise unchanged', async () => {
    // Checked after each run: records the next mutation moves leave the first run's windows.
    const expectCounted = (result: JobResult): void => {
      expect(result.exitCode).to.equal(0);
      expect(result.shops[0]!.entities.reduce((n, e) => n + e.retries, 0)).to.equal(0);
      const manifest = manifestOf(result);
      for (const entity of ENTITIES) {
        const windows = manifest.windows.filter((w) => w.entity === entity);
        expect(windows, entity).to.not.have.length(0);
        for (const w of windows) {
          const rootRows = w.files.filter((f) => f.table === entity).reduce((n, f) => n + f.rows, 0);
          const count = { count: truthOf(entity, w), precision: 'EXACT' };
          expect(w.checks.counts, `${entity} ${w.since}`).to.deep.equal({ atStart: count, atEnd: count, rootRows, covered: true });
          expect(rootRows).to.equal(count.count);
        }
      }
    };
    expectCounted(await run(ENTITIES));
    await mutate(ENTITIES);
    expectCounted(await run(ENTITIES));
    await expectPublishedEqualsTruth(sandbox, dir, ENTITIES);
  });

  it('a result that silently omits records is caught by the count and its window extracted again; the output equals the store', async () => {
    expect((await run(['products'])).exitCode).to.equal(0);
    await mutate(['products']);
    sandbox.faults.set({ omittedRecords: 1, omittedRecordCount: 2 });
    const before = sandbox.operations().length;
    const result = await run(['products']);
    expect(result.exitCode, JSON.stringify(outcome(result, 'products').error)).to.equal(0);
    expect(outcome(result, 'products').retries).to.equal(1);
    // Both operations of the run completed and each agreed with its own file: only the count told them apart.
    const [short, whole] = sandbox.operations().slice(before);
    expect(short!.status).to.equal('COMPLETED');
    expect(whole!.status).to.equal('COMPLETED');
    expect(Number(short!.rootObjectCount)).to.equal(Number(whole!.rootObjectCount) - 2);
    expect(logs.entries().filter((e) => e.code === 'COUNT_SHORTFALL')).to.have.length(1);

    const [window, ...others] = manifestOf(result).windows.filter((w) => w.entity === 'products');
    expect(others).to.have.length(0);
    expect(window!.operationId).to.equal(whole!.id);
    const count = { count: truthOf('products', window!), precision: 'EXACT' };
    expect(window!.checks.counts).to.deep.equal({ atStart: count, atEnd: count, rootRows: count.count, covered: true });
    expect((await readPublished(join(dir, 'out'), [manifestOf(result)], 'products')).length).to.equal(count.count);
    await expectPublishedEqualsTruth(sandbox, dir, ['products']);
  });

  it('a hole on every attempt fails the window with COUNT_SHORTFALL after the usual attempts, watermark untouched; the rerun completes', async () => {
    expect((await run(['products'])).exitCode).to.equal(0);
    const watermark = watermarkOf(sandbox, dir, 'products');
    await mutate(['products']);
    sandbox.faults.set({ omittedRecords: 3 });
    const failed = await run(['products']);
    expect(failed.exitCode).to.equal(1);
    expect(outcome(failed, 'products').error).to.include({ code: 'COUNT_SHORTFALL' });
    expect(outcome(failed, 'products').retries).to.equal(2);
    expect(manifestOf(failed).windows).to.have.length(0);
    expect(manifestOf(failed).failures.map((f) => f.code)).to.deep.equal(['COUNT_SHORTFALL']);
    expect(watermarkOf(sandbox, dir, 'products')).to.equal(watermark);
    await expectWatermarkCovered(sandbox, dir, ['products']);

    expect((await run(['products'])).exitCode).to.equal(0);
    await expectPublishedEqualsTruth(sandbox, dir, ['products']);
  });
});
