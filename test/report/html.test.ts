// The HTML report in a real browser: two runs against the sandbox (the second fails an entity), the
// CLI's `report`, then headless Chromium opens the file from disk and the test reads what it shows:
// every run with its rows, operations, retries and failures as the runs themselves returned them, each
// table's freshness as the state's watermarks hold it, the quality checks as the manifest records them,
// each model chart saying its model is not written yet, and not one request beyond the file. Then a
// run with the ledger and `models`: every chart's marks are the model files' figures. The screenshot
// of that page is the README's (docs/report.png), rewritten only when asked (`npm run docs:screenshot`):
// a test run leaves the checkout as it found it.
import { expect } from 'chai';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { manifestObjectName } from '../../src/load/layout.ts';
import type { ManifestDocument } from '../../src/load/manifest.ts';
import { StateDb } from '../../src/state/db.ts';
import { NO_COUNTRY } from '../../src/report/html/charts.ts';
import type { JobResult, ShopSummary } from '../../src/sync/run.ts';
import { openBrowser, CHROMIUM, type Browser } from '../support/browser.ts';
import { runCli } from '../support/cli.ts';
import { runAgainst } from '../support/etl.ts';
import { createFakeGcs } from '../support/fake-gcs.ts';

const README_SCREENSHOT = resolve(import.meta.dirname, '../../docs/report.png');
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const rowsOf = (s: ShopSummary): number => s.entities.reduce((a, e) => a + Object.values(e.rowsByTable).reduce((x, n) => x + n, 0), 0);

describe('shopify-bulk-etl report, in a browser', function () {
  this.timeout(180_000);
  let dir: string;
  let sandbox: Sandbox;
  let browser: Browser | null;
  before(async function () {
    browser = await openBrowser();
    if (!browser) {
      console.log(`    skipped: no chromium at ${CHROMIUM} (apt-get install chromium; .ci/run installs it)`);
      this.skip();
    }
    dir = mkdtempSync(join(tmpdir(), 'etl-report-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 40, customers: 15, products: 10 } });
  });
  after(async () => {
    await browser?.close();
    await sandbox?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const attrs = (page: Page, selector: string, name: string): Promise<string[]> =>
    page.locator(selector).evaluateAll((els, n) => els.map((e) => e.getAttribute(n) ?? ''), name);
  const qualityRows = (page: Page): Promise<Array<{ name: string; checked: number; failed: number; skipped: number }>> =>
    page.locator('table.quality > tbody > tr').evaluateAll((els) => els.map((e) => ({ name: e.getAttribute('data-check') ?? '', checked: Number(e.getAttribute('data-checked')), failed: Number(e.getAttribute('data-failed')), skipped: Number(e.getAttribute('data-skipped')) })));

  it('shows the runs, freshness and quality checks from the state and the manifests, with no network', async () => {
    const runs: JobResult[] = [];
    runs.push(await runAgainst(sandbox, dir, ['--entities', 'orders,customers,products']));
    expect(runs[0]!.exitCode).to.equal(0);
    sandbox.faults.set({ failed: 3, failedErrorCode: 'ACCESS_DENIED' });
    runs.push(await runAgainst(sandbox, dir, ['--entities', 'customers']));
    sandbox.faults.clear();
    const [first, second] = runs.map((r) => r.shops[0]!) as [ShopSummary, ShopSummary];
    expect(second.entities[0]!.error?.code).to.equal('ACCESS_DENIED');

    const out = join(dir, 'out');
    const cli = await runCli(['report', '--dest', out, '--state', join(dir, 'state.db'), '--log-format', 'json']);
    expect(cli.code, cli.stderr).to.equal(0);
    const file = join(out, '_report', 'index.html');
    expect(cli.stdout).to.equal(`${file}\n`);

    const page = await browser!.context.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    expect(requested, 'everything the page needs is in the file').to.deep.equal([pathToFileURL(file).href]);

    // Latest runs: newest first, each as the run returned it.
    expect(await attrs(page, 'table.runs > tbody > tr', 'data-run')).to.deep.equal([second.runId, first.runId]);
    for (const s of [first, second]) {
      const row = page.locator(`table.runs > tbody > tr[data-run="${s.runId}"]`);
      expect(await row.getAttribute('data-status')).to.equal(s.status);
      expect(Number(await row.getAttribute('data-rows'))).to.equal(rowsOf(s));
      expect(Number(await row.getAttribute('data-operations'))).to.equal(s.entities.reduce((a, e) => a + e.operations, 0));
      expect(Number(await row.getAttribute('data-retries'))).to.equal(s.retries);
      expect(Number(await row.getAttribute('data-failures'))).to.equal(s.entities.filter((e) => e.error).length);
    }
    const truth = sandbox.store.truth();
    const firstRow = page.locator(`table.runs > tbody > tr[data-run="${first.runId}"]`);
    await firstRow.locator('summary').click();
    for (const table of ['orders', 'customers', 'products']) {
      expect(Number(await firstRow.locator(`tr[data-table="${table}"]`).getAttribute('data-rows')), table).to.equal(truth[table]);
    }
    const secondRow = page.locator(`table.runs > tbody > tr[data-run="${second.runId}"]`);
    await secondRow.locator('summary').click();
    expect(await secondRow.locator('p.bad').innerText()).to.contain('customers: ACCESS_DENIED');

    // Freshness: each table with the watermark of the entity's last commit, by the run that published it.
    const freshness = page.locator('table.freshness > tbody > tr');
    expect((await attrs(page, 'table.freshness > tbody > tr', 'data-table')).filter((t) => ['orders', 'customers', 'products'].includes(t)).sort()).to.deep.equal(['customers', 'orders', 'products']);
    for (const e of first.entities) {
      expect(await freshness.locator(`xpath=self::*[@data-table="${e.entity}"]`).getAttribute('data-watermark'), e.entity).to.equal(e.watermark);
    }

    // Quality: the newest finished run's checks, as its manifest records them.
    const manifestPath = join(out, manifestObjectName(second.shop, second.runId));
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as ManifestDocument;
    expect(manifest._quality, 'the run recorded its checks').to.not.equal(undefined);
    expect(manifest, 'under the name the README gives, only').to.not.have.property('quality');
    const checks = manifest._quality!.checks.map((c) => ({ name: c.name, checked: c.checked, failed: c.failed, skipped: c.skipped ?? 0 }));
    expect(await qualityRows(page)).to.deep.equal(checks);

    // No models computed for this destination: each chart says so, and the report was still written.
    expect((await attrs(page, '#models [data-missing]', 'data-missing')).sort()).to.deep.equal(['customer_cohorts', 'customer_lifetime_value', 'daily_financials', 'geography', 'product_performance']);
    expect(await page.locator('#models [data-missing="geography"]').innerText()).to.contain('not written yet');
    await page.close();

    // A manifest of an older version, which named the checks `quality`: shown as they are.
    const { _quality: recorded, ...rest } = manifest;
    writeFileSync(manifestPath, JSON.stringify({ ...rest, quality: recorded }));
    expect((await runCli(['report', '--dest', out, '--state', join(dir, 'state.db'), '--log-format', 'json'])).code).to.equal(0);
    const older = await browser!.context.newPage();
    await older.goto(pathToFileURL(file).href);
    expect(await qualityRows(older)).to.deep.equal(checks);
    await older.close();

    // A manifest written before the checks existed: "not recorded", never taken for a clean result.
    writeFileSync(manifestPath, JSON.stringify(rest));
    expect((await runCli(['report', '--dest', out, '--state', join(dir, 'state.db'), '--log-format', 'json'])).code).to.equal(0);
    const again = await browser!.context.newPage();
    await again.goto(pathToFileURL(file).href);
    expect(await again.locator('#quality [data-quality="not-recorded"]').innerText()).to.contain('not recorded');
    expect(await again.locator('table.quality').count()).to.equal(0);
    await again.close();
  });

  it('draws each model\'s figures: the charts\' marks are the model files\' rows, summed as the charts say', async () => {
    const models = join(dir, 'models');
    // One order whose total is 7 cents off its lines: the quality section shows the failing check and the order.
    const [skewed] = sandbox.store.ids('orders').slice(3, 4);
    sandbox.store.skewOrderTotals([skewed!], 7);
    // And one order edited: order_totals leaves it out, and the page says so (one the sandbox can edit:
    // two line items or more, the last unfulfilled).
    const edited = sandbox.store.editableOrders().find((gid) => gid !== skewed);
    expect(edited, 'an order the sandbox can edit').to.not.equal(undefined);
    sandbox.store.editOrders([edited!]);
    // No safety lag: the edit is stamped with the store's current time.
    const result = await runAgainst(sandbox, models, ['--entities', 'shop,orders,order_sales,customers,products', '--safety-lag', '0s']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.filter((e) => e.status !== 'committed'))).to.equal(0);
    const out = join(models, 'out');
    const computed = await runCli(['models', '--dest', out, '--state', join(models, 'state.db'), '--log-format', 'json']);
    expect(computed.code, computed.stderr).to.equal(0);
    const cli = await runCli(['report', '--dest', out, '--state', join(models, 'state.db'), '--log-format', 'json']);
    expect(cli.code, cli.stderr).to.equal(0);
    const page = await browser!.context.newPage();
    await page.goto(pathToFileURL(cli.stdout.trim()).href);
    expect(await page.locator('#models [data-missing]').count(), 'every model was written').to.equal(0);
    // This run read orders: its checks looked at records (one failed), and the page shows them as its manifest holds them.
    const checks = (JSON.parse(readFileSync(join(out, manifestObjectName(result.shops[0]!.shop, result.shops[0]!.runId)), 'utf8')) as ManifestDocument)._quality!.checks;
    expect(checks.find((c) => c.name === 'order_totals')?.checked, 'orders checked').to.equal(sandbox.store.truth().orders! - 1);
    expect(checks.find((c) => c.name === 'order_totals')?.skipped, 'edited orders left out').to.equal(1);
    expect(await qualityRows(page)).to.deep.equal(checks.map((c) => ({ name: c.name, checked: c.checked, failed: c.failed, skipped: c.skipped ?? 0 })));
    expect(await page.locator('tr[data-check="order_totals"] [data-note]').innerText()).to.equal(checks.find((c) => c.name === 'order_totals')!.note!);
    const results = await page.locator('table.quality > tbody > tr > td:nth-child(5) > .status').allInnerTexts();
    expect(results).to.deep.equal(checks.map((c) => (c.failed > 0 ? 'fail' : c.checked === 0 ? 'nothing to check' : 'pass')));
    expect(checks.find((c) => c.name === 'order_totals')?.failed).to.equal(1);
    expect(await page.locator('tr[data-check="order_totals"] code.example').innerText()).to.contain(`order_id ${skewed!.split('/').pop()}`);
    const marks = (chart: string): Promise<Array<{ label: string; row: string; column: string; value: number }>> =>
      page.locator(`svg[data-chart="${chart}"] .mark`).evaluateAll((els) => els.map((e) => ({ label: e.getAttribute('data-label') ?? '', row: e.getAttribute('data-row') ?? '', column: e.getAttribute('data-column') ?? '', value: Number(e.getAttribute('data-value')) })));
    const rows = (model: string): Array<Record<string, unknown>> =>
      gunzipSync(readFileSync(join(out, '_models', model, `${model}.ndjson.gz`))).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    const cents = (v: unknown): number => Math.round(Number(v) * 100);
    const sumCents = (values: unknown[]): number => values.reduce<number>((a, v) => a + cents(v), 0);

    // Daily net sales: one column per day of the model, and together the model's total, to the cent.
    const days = rows('daily_financials').sort((a, b) => String(a.day).localeCompare(String(b.day)));
    const columns = await marks('daily-net-sales');
    expect(days.length, 'the store has sales on some days').to.be.greaterThan(0);
    expect(columns.map((m) => [m.label, cents(m.value)])).to.deep.equal(days.map((d) => [String(d.day), cents(d.net_sales)]));
    expect(sumCents(columns.map((m) => m.value))).to.equal(sumCents(days.map((d) => d.net_sales)));

    // Segments: customers counted per segment.
    const segments = new Map<string, number>();
    for (const c of rows('customer_lifetime_value')) segments.set(String(c.segment), (segments.get(String(c.segment)) ?? 0) + 1);
    const bars = await marks('customer-segments');
    expect(bars.filter((m) => m.value > 0).map((m) => [m.label, m.value]).sort()).to.deep.equal([...segments].sort());

    // Top products: variants added up per product, the ten largest.
    const products = new Map<string, { title: string; cents: number }>();
    for (const v of rows('product_performance')) {
      const p = products.get(String(v.product_id)) ?? { title: String(v.title), cents: 0 };
      p.cents += cents(v.net_revenue);
      products.set(String(v.product_id), p);
    }
    const top = [...products.values()].sort((a, b) => b.cents - a.cents || a.title.localeCompare(b.title)).slice(0, 10);
    expect((await marks('top-products')).map((m) => [m.label, cents(m.value)])).to.deep.equal(top.map((p) => [p.title, p.cents]));

    // Revenue by country: provinces added up, every cent of the model's revenue in some bar (the store has fewer than 12 countries).
    const countries = new Map<string, number>();
    for (const g of rows('geography')) {
      const country = String(g.country ?? NO_COUNTRY);
      countries.set(country, (countries.get(country) ?? 0) + cents(g.revenue));
    }
    const byCountry = await marks('revenue-by-country');
    expect(byCountry.map((m) => [m.label, cents(m.value)]).sort()).to.deep.equal([...countries].sort());
    expect(sumCents(byCountry.map((m) => m.value))).to.equal(sumCents(rows('geography').map((g) => g.revenue)));

    // Cohorts: one cell per (first-order month, months after), shaded by the model's retention rate.
    const cells = (await marks('cohort-retention')).map((m) => [m.row, Number(m.column), m.value]);
    expect(cells.sort()).to.deep.equal(rows('customer_cohorts').map((c) => [String(c.cohort_month).slice(0, 7), Number(c.month_offset), Number(c.retention_rate)]).sort());

    // The README's picture: the page as a person opens it, down to the end of the charts.
    const charts = (await page.locator('#models').boundingBox())!;
    const height = Math.ceil(charts.y + charts.height + 16);
    const png = await page.screenshot({ type: 'png', fullPage: true, clip: { x: 0, y: 0, width: 1280, height } });
    // A PNG of the clip's size: its signature, then the IHDR chunk's width and height (big-endian).
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).to.equal(true);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).to.deep.equal([1280, height]);
    writeFileSync(process.env.UPDATE_README_SCREENSHOT === '1' ? README_SCREENSHOT : join(dir, 'report.png'), png);
    await page.close();
  });

  it('reads a gs:// state and destination: runs from the state\'s copy, each manifest from the bucket (a damaged one named in its row), models said to be local only', async () => {
    const fake = createFakeGcs();
    const endpoint = await fake.listen(0);
    try {
      fake.createBucket('reports');
      const run = await runCli(['run', '--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--log-format', 'json', '--poll-interval', '50ms', '--gcs-endpoint', endpoint,
        '--entities', 'customers', '--dest', 'gs://reports/out', '--state', 'gs://reports/etl/state.db', '--staging', join(dir, 'gcs-staging')], { SHOPIFY_ACCESS_TOKEN: sandbox.token });
      expect(run.code, run.stderr).to.equal(0);
      const summary = run.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { message: string; runId?: string }).find((l) => l.message === 'run summary')!;
      fake.putObject('reports', `out/${manifestObjectName(sandbox.shopDomain, summary.runId!)}`, Buffer.from('{ not json'));
      const file = join(dir, 'gcs-report.html');
      const cli = await runCli(['report', '--dest', 'gs://reports/out', '--state', 'gs://reports/etl/state.db', '--gcs-endpoint', endpoint, '--out', file, '--log-format', 'json']);
      expect(cli.code, cli.stderr).to.equal(0);
      expect(cli.stdout).to.equal(`${file}\n`);
      const page = await browser!.context.newPage();
      await page.goto(pathToFileURL(file).href);
      const row = page.locator(`table.runs > tbody > tr[data-run="${summary.runId}"]`);
      expect(await row.getAttribute('data-status')).to.equal('succeeded');
      await row.locator('summary').click();
      expect(await row.locator('p.bad').innerText()).to.match(/^manifest: DEST_DAMAGED: .*is not valid JSON/);
      expect(await attrs(page, '#models [data-missing]', 'data-missing')).to.have.length(5);
      expect(await page.locator('#models [data-missing="geography"]').innerText()).to.contain('local --dest only');
      await page.close();
    } finally {
      await fake.close();
    }
  });

  it('shows a run whose state row holds a summary of another shape (an older version\'s) from what there is, without a manifest', async () => {
    const state = join(dir, 'older.db');
    const db = StateDb.open(state);
    db.runs.start('20261101T000000Z-aaaaaa', 'older.myshopify.com');
    db.runs.finish('20261101T000000Z-aaaaaa', 'succeeded', {});
    db.close();
    const file = join(dir, 'older.html');
    const cli = await runCli(['report', '--dest', join(dir, 'older-out'), '--state', state, '--out', file, '--log-format', 'json']);
    expect(cli.code, cli.stderr).to.equal(0);
    const page = await browser!.context.newPage();
    await page.goto(pathToFileURL(file).href);
    const row = page.locator('table.runs > tbody > tr[data-run="20261101T000000Z-aaaaaa"]');
    expect([await row.getAttribute('data-status'), await row.getAttribute('data-rows'), await row.getAttribute('data-operations')]).to.deep.equal(['succeeded', '0', '']);
    expect(await page.locator('#quality [data-quality="not-recorded"]').count()).to.equal(1);
    await page.close();
  });

  it('refuses a --state that holds no state, a gs:// --dest without --out, and a damaged model file', async () => {
    const missing = await runCli(['report', '--dest', join(dir, 'out'), '--state', join(dir, 'nowhere.db'), '--log-format', 'json']);
    expect(missing.code).to.equal(2);
    expect(missing.stderr).to.contain('CONFIG_INVALID').and.to.contain('no state database at');
    const remote = await runCli(['report', '--dest', 'gs://bucket/prefix', '--state', join(dir, 'state.db'), '--log-format', 'json']);
    expect(remote.code).to.equal(2);
    expect(remote.stderr).to.contain('pass --out FILE');
    const damaged = join(dir, 'damaged', '_models', 'geography');
    mkdirSync(damaged, { recursive: true });
    writeFileSync(join(damaged, 'geography.ndjson.gz'), 'not gzip');
    const unreadable = await runCli(['report', '--dest', join(dir, 'damaged'), '--state', join(dir, 'state.db'), '--log-format', 'json']);
    expect(unreadable.code).to.equal(1);
    expect(unreadable.stderr).to.contain('MODEL_UNREADABLE').and.to.contain('geography.ndjson.gz');
  });
});
