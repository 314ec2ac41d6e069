import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { StateDb } from '../../src/state/db.ts';
import { killAt, runCli, startCli } from '../support/cli.ts';
import { manifests, readPublished, readTable, relativeFiles } from '../support/output.ts';
import { expectFullHistoryOncePerQuery } from '../support/truth.ts';

const cases: Array<{ phase: string; pauseAt?: string; trigger: (e: Record<string, unknown>) => boolean; operationDelayMs: number }> = [
  // Shopify runs the operation, but its id never reached the state.
  { phase: 'after Shopify answered the submit, before the id is recorded', pauseAt: 'orders:submit-answered', trigger: (e) => e.checkpoint === 'submit-answered', operationDelayMs: 300 },
  { phase: 'after submit', pauseAt: 'orders:after-submit', trigger: (e) => e.checkpoint === 'after-submit', operationDelayMs: 300 },
  { phase: 'while polling', trigger: (e) => e.message === 'progress' && e.entity === 'orders' && e.phase === 'polling', operationDelayMs: 2500 },
  { phase: 'mid-download', pauseAt: 'orders:downloading', trigger: (e) => e.checkpoint === 'downloading', operationDelayMs: 100 },
  { phase: 'after writing, before upload', pauseAt: 'orders:before-upload', trigger: (e) => e.checkpoint === 'before-upload', operationDelayMs: 100 },
  { phase: 'mid-upload', pauseAt: 'orders:uploading', trigger: (e) => e.checkpoint === 'uploading', operationDelayMs: 100 },
  { phase: 'before commit', pauseAt: 'orders:before-commit', trigger: (e) => e.checkpoint === 'before-commit', operationDelayMs: 100 },
];

describe('a run killed at any phase loses nothing', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const c of cases) {
    it(`SIGKILL ${c.phase}: the rerun completes, adopts the operation, and the watermark never leads the data`, async () => {
      dir = mkdtempSync(join(tmpdir(), 'etl-crash-'));
      sandbox = await startSandbox({ operationDelayMs: c.operationDelayMs, size: { orders: 120 } });
      const out = join(dir, 'out');
      // Small part files: an orders window then writes several, uploaded while the download goes on.
      const args = ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'orders', '--dest', out, '--state', join(dir, 'state.db'), '--log-format', 'json', '--poll-interval', '100ms', '--part-size', '8KiB'];
      const env = { SHOPIFY_ACCESS_TOKEN: sandbox.token };

      await killAt(startCli([...args, ...(c.pauseAt ? ['--pause-at', c.pauseAt] : [])], env), c.trigger);
      const killedState = StateDb.open(join(dir, 'state.db'));
      expect(killedState.windows.watermark(sandbox.shopDomain, 'orders'), 'no watermark before any commit').to.equal(null);
      killedState.close();
      const orphaned = relativeFiles(out).filter((f) => f.endsWith('.ndjson.gz'));
      if (c.phase === 'mid-download') expect(orphaned, 'parts uploaded before the kill').to.not.be.empty;

      const rerun = await runCli(args, env);
      expect(rerun.code, rerun.stderr).to.equal(0);

      const truth = sandbox.store.ids('orders').sort();
      const everything = (await readTable(out, 'orders')).map((r) => String(r.admin_graphql_api_id));
      expect([...new Set(everything)].sort(), 'every record present at least once').to.deep.equal(truth);
      const published = manifests(out);
      const publishedIds = (await readPublished(out, published, 'orders')).map((r) => String(r.admin_graphql_api_id)).sort();
      expect([...new Set(publishedIds)], 'the manifests list every record').to.deep.equal(truth);

      // The rerun finishes the killed run's window, then extracts its own incremental window after it.
      const state = StateDb.open(join(dir, 'state.db'));
      const committed = state.db.prepare(`SELECT since, until FROM windows WHERE status = 'committed' AND entity = 'orders' ORDER BY until`).all() as Array<{ since: string | null; until: string }>;
      expect(committed.filter((w) => w.since === null), 'the interrupted window, committed once').to.have.length(1);
      expect(state.windows.watermark(sandbox.shopDomain, 'orders'), 'the watermark is the newest committed window').to.equal(committed.at(-1)!.until);
      const listed = published.flatMap((m) => m.windows.filter((w) => w.entity === 'orders'));
      expect(listed.map((w) => w.until).sort(), 'every committed window is in a manifest, once').to.deep.equal(committed.map((w) => w.until).sort());
      for (const f of listed.flatMap((w) => w.files)) expect(existsSync(join(out, f.objectName)), f.objectName).to.equal(true);
      state.close();
      // Parts an interrupted attempt uploaded but never published are removed, not left to be read twice.
      const listedNames = published.flatMap((m) => m.windows.flatMap((w) => w.files.map((f) => f.objectName))).sort();
      expect(relativeFiles(out).filter((f) => f.endsWith('.ndjson.gz')), 'no unpublished part files').to.deep.equal(listedNames);

      // The killed run's partial parts in staging/<run>/window-N are swept, not left to accumulate.
      expect(readdirSync(join(dir, 'staging'), { recursive: true }), 'no staging file or folder behind').to.deep.equal([]);

      // A window of orders runs one operation per query (Entity.parts), all at once: wherever the kill
      // fell for each, every one was adopted, none submitted again.
      expectFullHistoryOncePerQuery(sandbox, 'orders', 'the killed run\'s operations were adopted, not submitted again');
      // The second query's rows are all there too, each once in what the manifests list: one attribution row per order.
      const attribution = (await readPublished(out, published, 'order_attribution')).map((r) => String(r.id));
      expect(attribution.length, 'no order_attribution row listed twice').to.equal(new Set(attribution).size);
      expect(attribution.length).to.equal(truth.length);
      // The rerun's quality checks cover every order, those of the window the killed run wrote included
      // (from the sums its attempt recorded in the state), none failing; the state keeps none after.
      const checked = published.flatMap((m) => m._quality?.checks.filter((q) => q.name === 'order_totals') ?? []);
      expect(checked.map((q) => [q.checked, q.failed])).to.deep.equal([[truth.length, 0]]);
      const after = StateDb.open(join(dir, 'state.db'));
      expect(after.db.prepare('SELECT COUNT(*) FROM window_sums').pluck().get()).to.equal(0);
      after.close();
    });
  }

  it('resuming after a kill never un-lists a committed window: two windows of one run share a time range and the run dies while the second is open: the committed one stays listed', async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-crash-same-range-'));
    sandbox = await startSandbox({ operationDelayMs: 100, size: { orders: 40 } });
    const out = join(dir, 'out');
    // A backfill plans the same range every time it runs, so a run that first finishes the killed
    // run's window then extracts its own holds two windows with one range.
    const today = new Date().toISOString().slice(0, 10);
    const since = new Date(Date.now() - 800 * 86_400_000).toISOString().slice(0, 10);
    const args = ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'orders', '--dest', out, '--state', join(dir, 'state.db'), '--log-format', 'json', '--poll-interval', '100ms', '--since', since, '--until', today, '--window', '1000d'];
    const env = { SHOPIFY_ACCESS_TOKEN: sandbox.token };
    const paused = (e: Record<string, unknown>): boolean => e.checkpoint === 'before-commit';

    await killAt(startCli([...args, '--pause-at', 'orders:before-commit'], env), paused);
    // Commits the killed run's window, then dies before committing its own window of the same range.
    await killAt(startCli([...args, '--pause-at', 'orders:before-commit#2'], env), paused);
    const rerun = await runCli(args, env);
    expect(rerun.code, rerun.stderr).to.equal(0);

    const state = StateDb.open(join(dir, 'state.db'));
    const committed = state.db.prepare(`SELECT window_id FROM windows WHERE status = 'committed'`).all();
    state.close();
    expect(committed, 'the killed window, the second run\'s window, the last run\'s window').to.have.length(3);
    const published = manifests(out);
    const listed = published.flatMap((m) => m.windows);
    expect(listed, 'every committed window listed, once').to.have.length(3);
    const listedNames = listed.flatMap((w) => w.files.map((f) => f.objectName)).sort();
    expect(new Set(listedNames).size, 'no part listed twice').to.equal(listedNames.length);
    expect(relativeFiles(out).filter((f) => f.endsWith('.ndjson.gz')), 'no part file listed by no manifest').to.deep.equal(listedNames);
  });
});
