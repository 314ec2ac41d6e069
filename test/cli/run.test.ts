import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { entities } from '../../src/entities/index.ts';
import { validateRow } from '../support/bigquery-rows.ts';
import { startSandbox, Store, type Sandbox } from 'shopify-sandbox';
import { collect, runCli } from '../support/cli.ts';
import { brokenOrderLinks, unreconciledRefunds, unreconciledSales } from '../support/order-links.ts';
import { manifests, readTable, tablesWritten } from '../support/output.ts';

describe('the CLI end to end', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'etl-cli-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the demo: every table equals the sandbox\'s ground truth, validates against its schema, and points at existing parents, owners and referenced records', async () => {
    const out = join(dir, 'out');
    const result = await runCli(['run', '--sandbox', '--dest', out, '--state', join(dir, 'state.db'), '--log-format', 'json', '--sandbox-operation-delay', '50ms']);
    expect(result.code, result.stderr).to.equal(0);
    // The demo runs every entity: the paged sales ledger and refund detail too.
    const truth = new Store({ seed: 1, shopDomain: 'sandbox.myshopify.com' }).truth();
    expect(tablesWritten(out)).to.deep.equal(Object.keys(truth).filter((t) => truth[t]! > 0).sort());
    for (const [table, count] of Object.entries(truth)) {
      expect((await readTable(out, table)).length, table).to.equal(count);
      expect(existsSync(join(out, '_schemas', `${table}.json`)), `schema of ${table}`).to.equal(true);
    }
    const tables = entities.flatMap((e) => e.tables);
    const rowsOf = new Map<string, Array<Record<string, unknown>>>();
    for (const table of tables) rowsOf.set(table.name, await readTable(out, table.name));
    for (const table of tables) {
      for (const row of rowsOf.get(table.name)!) expect(validateRow(table, row), `${table.name} row ${String(row.id)}`).to.deep.equal([]);
      // A reference into another entity's table (an article's blog, a fulfillment order's order) points at a row the run wrote.
      if (table.references) {
        const { column, table: target } = table.references;
        const ids = new Set(rowsOf.get(target)!.map((r) => r.id));
        const dangling = rowsOf.get(table.name)!.filter((r) => r[column] !== null && !ids.has(r[column]));
        expect(dangling, `${table.name}.${column} → ${target}`).to.deep.equal([]);
      }
      if (!table.parent) continue;
      const parents = new Set(rowsOf.get(table.parent.table)!.map((r) => r.id));
      const orphans = rowsOf.get(table.name)!.filter((r) => !parents.has(r[table.parent!.column]));
      expect(orphans, `${table.name}.${table.parent.column} → ${table.parent.table}`).to.deep.equal([]);
    }
    // The sales ledger and refund and return detail: each row at a parent of an order the run wrote and
    // on that order's own lines (a sale → agreement → order, and its line item or shipping line; a refund
    // line item → refund and line item; a return line item → return and line item; an adjustment → refund),
    // and per order its sales are its total less its refunds, per refund its lines less its adjustments what it refunded.
    const rows = (table: string): Array<Record<string, unknown>> => rowsOf.get(table)!;
    expect(brokenOrderLinks(rows), 'ledger and refund detail links').to.deep.equal([]);
    expect(unreconciledSales(rows), 'per order: sales = total − refunds').to.deep.equal([]);
    expect(unreconciledRefunds(rows), 'per refund: lines + shipping − adjustments = refunded').to.deep.equal([]);
    // One metafields table for every kind of owner: each row points at a record of its owner's table.
    const ownerTables: Record<string, string> = { PRODUCT: 'products', PRODUCTVARIANT: 'product_variants', CUSTOMER: 'customers', ORDER: 'orders', DRAFTORDER: 'draft_orders', COLLECTION: 'collections', LOCATION: 'locations', COMPANY: 'companies', SHOP: 'shop' };
    const metafields = rowsOf.get('metafields')!;
    expect([...new Set(metafields.map((m) => m.owner_type))].sort()).to.deep.equal(Object.keys(ownerTables).sort());
    for (const [ownerType, ownerTable] of Object.entries(ownerTables)) {
      const owners = new Set(rowsOf.get(ownerTable)!.map((r) => r.id));
      const orphans = metafields.filter((m) => m.owner_type === ownerType && !owners.has(m.owner_id));
      expect(orphans, `metafields.owner_id → ${ownerTable}`).to.deep.equal([]);
    }
    const [shop] = rowsOf.get('shop')!;
    const variants = rowsOf.get('product_variants')!;
    expect(variants.length).to.be.greaterThan(0);
    for (const v of variants) expect([v.price_currency, v.compare_at_price_currency], `variant ${String(v.id)}`).to.deep.equal([shop!.currency, shop!.currency]);
    const [manifest] = manifests(out);
    expect(manifest?.status).to.equal('succeeded');
    expect(result.stdout, 'JSON logs go to stderr').to.equal('');
    const logLines = result.stderr.trim().split('\n').map((l) => JSON.parse(l) as { severity: string; message: string; rowsByTable?: Record<string, number> });
    expect(logLines.every((l) => typeof l.severity === 'string')).to.equal(true);
    expect(logLines.find((l) => l.message === 'run summary')?.rowsByTable?.order_line_items).to.equal(truth.order_line_items);
  });

  describe('against a server speaking Shopify\'s bulk API', () => {
    let sandbox: Sandbox;
    before(async () => { sandbox = await startSandbox({ operationDelayMs: 50 }); });
    after(() => sandbox.close());

    it('exits 2 on a wrong token with a message naming the fix, and never prints the token', async () => {
      const token = 'shpat_wrong_token_0123456789abcdef';
      const result = await runCli(['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'orders', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db')], { SHOPIFY_ACCESS_TOKEN: token });
      expect(result.code).to.equal(2);
      expect(result.stderr).to.contain('SHOPIFY_ACCESS_TOKEN');
      expect(result.stdout + result.stderr).not.to.contain(token);
    });

    it('extracts with --admin-url, --shop and SHOPIFY_ACCESS_TOKEN', async () => {
      const out = join(dir, 'out');
      const result = await runCli(['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'orders', '--dest', out, '--state', join(dir, 'state.db')], { SHOPIFY_ACCESS_TOKEN: sandbox.token });
      expect(result.code, result.stderr).to.equal(0);
      expect((await readTable(out, 'orders')).length).to.equal(sandbox.store.truth().orders);
      expect(result.stdout + result.stderr).not.to.contain(sandbox.token);
    });
  });

  it('extracts from a sandbox started on its own (the shopify-sandbox bin) in a separate process', async () => {
    const server = spawn(process.execPath, [fileURLToPath(import.meta.resolve('shopify-sandbox/bin')), '--port', '0', '--operation-delay', '50ms'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      const first = await new Promise<string>((resolve) => createInterface({ input: server.stdout! }).once('line', resolve));
      const { url, shop, token } = JSON.parse(first) as { url: string; shop: string; token: string };
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const out = join(dir, 'out');
      const result = await runCli(['--shop', shop, '--admin-url', url, '--entities', 'orders,shop', '--dest', out, '--state', join(dir, 'state.db')], { SHOPIFY_ACCESS_TOKEN: token });
      expect(result.code, result.stderr).to.equal(0);
      expect((await readTable(out, 'shop')).length).to.equal(1);
      expect((await readTable(out, 'orders')).length).to.equal(new Store({ seed: 1, shopDomain: shop }).truth().orders);
    } finally {
      server.kill('SIGTERM');
      await collect(server);
    }
  });

  it('--dry-run prints the plan and the queries and touches nothing', async () => {
    const out = join(dir, 'out');
    const state = join(dir, 'state.db');
    const result = await runCli(['--sandbox', '--dry-run', '--entities', 'orders,locations', '--since', '2026-01-01', '--until', '2026-03-01', '--window', '30d', '--dest', out, '--state', state, '--log-format', 'pretty']);
    expect(result.code, result.stderr).to.equal(0);
    const headers = result.stdout.split('\n').filter((l) => l.startsWith('# plan: '));
    expect(headers.slice(0, 2)).to.deep.equal([
      '# plan: sandbox.myshopify.com orders [2026-01-01T00:00:00.000Z, 2026-01-31T00:00:00.000Z)',
      '# plan: sandbox.myshopify.com orders [2026-01-31T00:00:00.000Z, 2026-03-01T00:00:00.000Z)',
    ]);
    // A snapshot has no date range: it is planned as of now, whatever --until says.
    const locations = /^# plan: sandbox\.myshopify\.com locations \[beginning, (\S+)\)$/.exec(headers[2] ?? '');
    expect(headers).to.have.length(3);
    expect(Date.parse(locations![1]!)).to.be.greaterThan(Date.parse('2026-03-01T00:00:00Z'));
    expect(result.stdout).to.contain(`query: "updated_at:>='2026-01-01T00:00:00Z' AND updated_at:<'2026-01-31T00:00:00Z'"`);
    expect(existsSync(out), 'no output').to.equal(false);
    expect(existsSync(state), 'no state').to.equal(false);
    expect(existsSync(join(dir, 'staging')), 'no staging').to.equal(false);

    // Off a terminal the same plan is a log entry per entity, with the queries.
    const logged = await runCli(['--sandbox', '--dry-run', '--entities', 'orders', '--since', '2026-01-01', '--until', '2026-03-01', '--window', '30d', '--dest', out, '--state', state]);
    expect(logged.code, logged.stderr).to.equal(0);
    expect(logged.stdout).to.equal('');
    const plan = logged.stderr.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as { message: string; windows?: Array<{ since: string; until: string; query: string }> })
      .find((e) => e.message === 'plan: orders');
    expect(plan?.windows?.map((w) => [w.since, w.until])).to.deep.equal([['2026-01-01T00:00:00.000Z', '2026-01-31T00:00:00.000Z'], ['2026-01-31T00:00:00.000Z', '2026-03-01T00:00:00.000Z']]);
    expect(plan?.windows?.[0]?.query).to.contain(`query: "updated_at:>='2026-01-01T00:00:00Z' AND updated_at:<'2026-01-31T00:00:00Z'"`);
  });

  it('rejects bad flags with exit 2 and a precise message', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['--shop', 'not a shop'], /myshopify domain/],
      [['--sandbox', '--entities', 'orders,widgets'], /unknown entity 'widgets'/],
      [['--sandbox', '--since', 'yesterday'], /--since 'yesterday' is not an ISO-8601/],
      [['--sandbox', '--since', '2026-02-01', '--until', '2026-01-01'], /must be before --until/],
      [['--sandbox', '--api-version', '2026-02'], /not a Shopify API version/],
      [['--sandbox', '--lookback', 'soon'], /not a duration/],
      [['--shop', 'acme.myshopify.com'], /SHOPIFY_ACCESS_TOKEN/],
      [['--bogus-flag'], /Unknown argument/],
    ];
    for (const [args, message] of cases) {
      const result = await runCli([...args, '--dest', join(dir, 'out'), '--state', join(dir, 'state.db')]);
      expect(result.code, args.join(' ')).to.equal(2);
      expect(result.stderr, args.join(' ')).to.match(message);
    }
  });
});
