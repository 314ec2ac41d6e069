// No stuck windows: when more records share one updated_at instant than one bulk operation can read,
// time cannot split the window, so it is split by id range (`id:>N AND id:<=M` beside its time range)
// until every part fits. Against the sandbox over HTTP, with its per-operation object limit.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { StateDb } from '../../src/state/db.ts';
import type { JobResult } from '../../src/sync/run.ts';
import { collect, runCli, startCli, waitForLog } from '../support/cli.ts';
import { runAgainst } from '../support/etl.ts';
import { manifests, readPublished } from '../support/output.ts';
import { atNextSecond } from '../support/store.ts';
import { captureLogs, expectPublishedEqualsTruth, expectWatermarkCovered, watermarkOf } from '../support/truth.ts';

interface WindowRow {
  since: string | null;
  until: string;
  id_after: string | null;
  id_through: string | null;
  status: string;
  error_code: string | null;
  lines: number | null;
}

describe('a window too much for one operation on one instant completes by id-range splits', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-idsplit-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 10, customers: 60, products: 4 } });
  });
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function run(): Promise<JobResult> {
    const logs = captureLogs();
    const result = await runAgainst(sandbox, dir, ['--entities', 'customers', '--safety-lag', '0s', '--lookback', '0s', '--max-poll-interval', '100ms'], { logger: logs.logger });
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    return result;
  }

  const windowRows = (): WindowRow[] => {
    const state = StateDb.open(join(dir, 'state.db'));
    try {
      return state.db.prepare(`SELECT since, until, id_after, id_through, status, error_code, lines FROM windows WHERE entity = 'customers' ORDER BY window_id`).all() as WindowRow[];
    } finally {
      state.close();
    }
  };

  /** Stamps `count` customers with one instant (the next whole second), and lets that second pass. */
  async function stampOneInstant(count: number): Promise<Date> {
    return atNextSecond((at) => {
      sandbox.store.mutate({ entities: ['customers'], touch: count, add: 0, at });
      return at;
    });
  }

  it('2 × the per-operation object limit on one instant: split by id until each part fits, nothing lost or duplicated', async () => {
    await run();
    const before = windowRows().length;
    const at = await stampOneInstant(40);
    // The window's objects: the 40 customers and their address lines, all updated at `at`.
    const truth = sandbox.store.truth({ since: at, until: new Date(at.getTime() + 1000) });
    const objects = (truth['customers'] ?? 0) + (truth['customer_addresses'] ?? 0);
    expect(truth['customers']).to.equal(40);
    const limit = Math.floor(objects / 2);
    sandbox.faults.set({ objectLimit: limit });

    await run();
    const rows = windowRows().slice(before);
    const [whole, ...parts] = rows;
    expect(whole, 'the window timed out and was split').to.include({ status: 'abandoned', error_code: 'BULK_TIMEOUT', id_after: null, id_through: null });
    expect(Date.parse(whole!.until) - Date.parse(whole!.since!), 'narrower than two hours: time cannot split it').to.be.below(2 * 3_600_000);
    expect(parts.every((p) => p.since === whole!.since && p.until === whole!.until), 'every part keeps the time range').to.equal(true);
    const committed = parts.filter((p) => p.status === 'committed');
    expect(parts.filter((p) => p.status !== 'committed').map((p) => [p.status, p.error_code])).to.deep.equal(parts.filter((p) => p.status === 'abandoned').map(() => ['abandoned', 'BULK_TIMEOUT']));
    expect(committed.length, 'at least two parts').to.be.at.least(2);
    // The committed parts tile the ids exactly: open below, open above, each starting where the one before ends.
    const sorted = [...committed].sort((a, b) => (a.id_after === null ? -1 : b.id_after === null ? 1 : Number(BigInt(a.id_after) - BigInt(b.id_after))));
    expect(sorted[0]!.id_after).to.equal(null);
    expect(sorted.at(-1)!.id_through).to.equal(null);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.id_after).to.equal(sorted[i - 1]!.id_through);
    expect(committed.every((p) => (p.lines ?? 0) <= limit), 'every part fits in one operation').to.equal(true);
    expect(committed.reduce((n, p) => n + (p.lines ?? 0), 0), 'the parts read every object once').to.equal(objects);
    // Each part's query went to Shopify with its ids; none of ours failed but by the limit.
    const ours = sandbox.operations().filter((op) => !op.foreign);
    expect(ours.filter((op) => op.status === 'FAILED').every((op) => op.errorCode === 'TIMEOUT')).to.equal(true);
    expect(ours.some((op) => /id:>\d+/.test(op.query) && /updated_at:>=/.test(op.query))).to.equal(true);
    // The watermark moved once the last part committed, to the window's end.
    expect(watermarkOf(sandbox, dir, 'customers')).to.equal(whole!.until);
    // The manifest lists each part with its ids.
    const listed = manifests(join(dir, 'out')).flatMap((m) => m.windows).filter((w) => w.ids);
    expect(listed.map((w) => w.ids).sort()).to.have.length(committed.length);
    await expectPublishedEqualsTruth(sandbox, dir, ['customers']);
    await expectWatermarkCovered(sandbox, dir, ['customers']);
    // No row twice: each stamped customer's current version is published exactly once.
    const published = await readPublished(join(dir, 'out'), manifests(join(dir, 'out')), 'customers');
    const current = published.filter((r) => Date.parse(String(r.updated_at)) === at.getTime()).map((r) => String(r.admin_graphql_api_id));
    expect(current).to.have.length(40);
    expect(new Set(current).size).to.equal(40);
  });

  it('a wide window still too much after every time halving goes on by id range: any window completes', async () => {
    // A first read of every customer, a few objects per operation: halving the wide window by time as
    // often as it may leaves parts far wider than two hours that still hold too many records.
    const truth = sandbox.store.truth();
    const objects = (truth['customers'] ?? 0) + (truth['customer_addresses'] ?? 0);
    const limit = Math.ceil(objects / 24);
    sandbox.faults.set({ objectLimit: limit });
    await run();
    const rows = windowRows();
    const wideById = rows.filter((r) => r.id_after !== null || r.id_through !== null).filter((r) => Date.parse(r.until) - Date.parse(r.since ?? '1970-01-01') >= 2 * 3_600_000);
    expect(wideById.length, 'parts of windows wider than two hours, split by id').to.be.greaterThan(0);
    expect(rows.filter((r) => r.status === 'committed').every((r) => (r.lines ?? 0) <= limit), 'every committed part fits').to.equal(true);
    await expectPublishedEqualsTruth(sandbox, dir, ['customers']);
    await expectWatermarkCovered(sandbox, dir, ['customers']);
  });

  it('a run killed after the first id-range part committed: the watermark stayed before the window, and the rerun loses nothing', async () => {
    const args = ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'customers', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'),
      '--log-format', 'json', '--poll-interval', '50ms', '--max-poll-interval', '100ms', '--safety-lag', '0s', '--lookback', '0s'];
    const env = { SHOPIFY_ACCESS_TOKEN: sandbox.token };
    const first = await runCli(args, env);
    expect(first.code, first.stderr).to.equal(0);
    const watermark = watermarkOf(sandbox, dir, 'customers');
    const at = await stampOneInstant(40);
    const truth = sandbox.store.truth({ since: at, until: new Date(at.getTime() + 1000) });
    sandbox.faults.set({ objectLimit: Math.floor(((truth['customers'] ?? 0) + (truth['customer_addresses'] ?? 0)) / 2) });

    // The first part's commit is the first pass; killed at the second, the next part's.
    const child = startCli([...args, '--pause-at', 'customers:before-commit#2'], env);
    await waitForLog(child, (e) => e.checkpoint === 'before-commit');
    child.kill('SIGKILL');
    expect((await collect(child)).signal).to.equal('SIGKILL');
    expect(windowRows().filter((w) => w.id_through !== null && w.status === 'committed'), 'a part below the highest ids committed').to.have.length(1);
    expect(watermarkOf(sandbox, dir, 'customers'), 'the watermark waits for the last part').to.equal(watermark);

    const rerun = await runCli(args, env);
    expect(rerun.code, rerun.stderr).to.equal(0);
    await expectPublishedEqualsTruth(sandbox, dir, ['customers']);
    await expectWatermarkCovered(sandbox, dir, ['customers']);
    const published = await readPublished(join(dir, 'out'), manifests(join(dir, 'out')), 'customers');
    const current = new Set(published.filter((r) => Date.parse(String(r.updated_at)) === at.getTime()).map((r) => String(r.admin_graphql_api_id)));
    expect(current.size, 'every stamped customer published in its current version').to.equal(40);
    const listed = manifests(join(dir, 'out')).flatMap((m) => m.windows.flatMap((w) => w.files.map((f) => f.objectName)));
    expect(new Set(listed).size, 'no part listed twice').to.equal(listed.length);
  });
});
