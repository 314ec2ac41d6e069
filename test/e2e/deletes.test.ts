// The deletions feed against a real sandbox over HTTP with real SQLite state: destroy events and id
// snapshots together list exactly the records deleted since the last run, once; a snapshot that did
// not complete whole (FAILED, partial data on a FAILED or COMPLETED operation, a cut download,
// truncated, short of the store's count, no access) lists none, and the next complete one lists them;
// without read_all_orders no order is judged; a record seen again is reported restored; the snapshot
// runs on its schedule.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Faults, type Sandbox } from 'shopify-sandbox';
import type { JobResult } from '../../src/sync/run.ts';
import { DuckViews } from '../support/duckdb.ts';
import { runAgainst } from '../support/etl.ts';
import { manifests, readPublished, type OutputRow } from '../support/output.ts';
import { removeRecords } from '../support/store.ts';
import { captureLogs } from '../support/truth.ts';

const ENTITIES = ['orders', 'products', 'customers'];

describe('deletes: the deletions feed equals what the store deleted', function () {
  this.timeout(120_000);
  let dir: string;
  let sandbox: Sandbox;
  let logs: ReturnType<typeof captureLogs>;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-deletes-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 30, customers: 15, products: 10 } });
    logs = captureLogs();
  });
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (entities: string[], every = '0', extra: string[] = []): Promise<JobResult> =>
    runAgainst(sandbox, dir, ['--entities', entities.join(','), '--safety-lag', '0s', '--max-poll-interval', '200ms', '--deletes-every', every, ...extra], { logger: logs.logger });
  /** The deletions rows the run published. */
  const deletionsOf = async (result: JobResult): Promise<OutputRow[]> => {
    const out = join(dir, 'out');
    return readPublished(out, manifests(out).filter((m) => m.runId === result.shops[0]!.runId), 'deletions');
  };
  const keys = (rows: OutputRow[]): string[] => rows.map((r) => `${String(r.table)} ${String(r.admin_graphql_api_id)} ${String(r.source)}${r.restored ? ' restored' : ''}`).sort();
  const outcome = (result: JobResult, entity: string) => result.shops[0]!.entities.find((e) => e.entity === entity)!;
  const variantsOf = async (products: string[]): Promise<string[]> => {
    const out = join(dir, 'out');
    const rows = await readPublished(out, manifests(out), 'product_variants');
    return [...new Set(rows.filter((r) => products.includes(`gid://shopify/Product/${String(r.product_id)}`)).map((r) => String(r.admin_graphql_api_id)))];
  };

  it('after deleting 3 products (with events), 3 customers and 2 orders (without), the next run lists exactly those, and the variants of the products', async () => {
    const first = await run(ENTITIES);
    expect(first.exitCode).to.equal(0);
    expect(await deletionsOf(first)).to.deep.equal([]);

    const products = sandbox.store.ids('products').slice(2, 5);
    const customers = sandbox.store.ids('customers').slice(0, 3);
    const orders = sandbox.store.ids('orders').slice(4, 6);
    const variants = await variantsOf(products);
    expect(variants.length).to.be.at.least(3);
    await removeRecords(sandbox, 'products', products, true);
    await removeRecords(sandbox, 'customers', customers, false);
    await removeRecords(sandbox, 'orders', orders, false);

    const second = await run(ENTITIES);
    expect(second.exitCode).to.equal(0);
    const rows = await deletionsOf(second);
    expect(keys(rows)).to.deep.equal([
      ...products.map((g) => `products ${g} event`),
      ...customers.map((g) => `customers ${g} snapshot`),
      ...orders.map((g) => `orders ${g} snapshot`),
      // A product's variants go with it; no event names them, the products' id snapshot does.
      ...variants.map((g) => `product_variants ${g} snapshot`),
    ].sort());
    for (const row of rows) {
      expect(row.id).to.equal(String(row.admin_graphql_api_id).split('/').pop());
      expect(row.restored).to.equal(false);
      expect(row._run_id).to.equal(second.shops[0]!.runId);
      expect(row.detected_at).to.be.a('string');
      if (row.source === 'event') expect([row.deleted_at, row.detected_window]).to.satisfy(([at, w]: [unknown, unknown]) => typeof at === 'string' && w === null);
      else expect([row.deleted_at, typeof row.detected_window]).to.deep.equal([null, 'string']);
    }

    // Nothing is reported twice: the events' lookback and the next snapshot find what was reported.
    const third = await run(ENTITIES);
    expect(third.exitCode).to.equal(0);
    expect(await deletionsOf(third)).to.deep.equal([]);
  });

  it('pages and articles alone: a page and an article deleted with their events and a page deleted without are listed once, and the current-state views hold none of them', async () => {
    const content = ['pages', 'articles'];
    const first = await run(content);
    expect(first.exitCode).to.equal(0);
    expect(await deletionsOf(first)).to.deep.equal([]);

    const [page, quietPage] = sandbox.store.ids('pages').slice(1, 3);
    const [article] = sandbox.store.ids('articles').slice(4, 5);
    await removeRecords(sandbox, 'pages', [page!], true);
    await removeRecords(sandbox, 'articles', [article!], true);
    // No destroy event: only the pages' id snapshot, checked whole against pagesCount, can see it.
    await removeRecords(sandbox, 'pages', [quietPage!], false);

    const second = await run(content);
    expect(second.exitCode, JSON.stringify(second.shops[0]!.entities.filter((e) => e.status !== 'committed'))).to.equal(0);
    expect(keys(await deletionsOf(second))).to.deep.equal([`pages ${page} event`, `articles ${article} event`, `pages ${quietPage} snapshot`].sort());
    const views = await DuckViews.of(join(dir, 'out'));
    try {
      for (const table of content) {
        const current = await views.rows(`SELECT admin_graphql_api_id AS gid FROM shopify_${table}_current ORDER BY id`);
        expect(current.map((r) => String(r.gid)).sort(), table).to.deep.equal(sandbox.store.ids(table).sort());
      }
    } finally {
      views.close();
    }

    const third = await run(content);
    expect(third.exitCode).to.equal(0);
    expect(await deletionsOf(third)).to.deep.equal([]);
  });

  // [what, the faults on CustomersIds, the code, the run's extra flags]
  const incomplete: Array<[string, Partial<Faults>, string, string[]?]> = [
    ['FAILED (no partial data)', { failed: 3, failedErrorCode: 'INTERNAL_SERVER_ERROR', failedPartialData: false }, 'SNAPSHOT_INCOMPLETE'],
    ['partial (FAILED with partial data)', { failed: 3, failedErrorCode: 'TIMEOUT' }, 'SNAPSHOT_INCOMPLETE'],
    ['partial (COMPLETED with partial data)', { partialCompletions: 3 }, 'SNAPSHOT_INCOMPLETE'],
    // Every download of the file dies before its first byte until the retry budget runs out.
    ['cut download', { cutDownloads: 1000, cutAfterBytes: 0 }, 'NETWORK', ['--retry-budget', '2s']],
    ['truncated (fewer lines than objectCount)', { droppedLines: 3, droppedLineCount: 2 }, 'SNAPSHOT_INCOMPLETE'],
    // objectCount agrees with the short file: only the store's customersCount shows the 2 records missing.
    ['short of the store\'s count (records omitted)', { omittedRecords: 3, omittedRecordCount: 2 }, 'SNAPSHOT_INCOMPLETE'],
    ['ACCESS_DENIED', { failed: 1, failedErrorCode: 'ACCESS_DENIED' }, 'ACCESS_DENIED'],
  ];
  for (const [what, faults, code, flags = []] of incomplete) {
    it(`a ${what} id snapshot gives no deletion (${code}); the next complete one gives them`, async () => {
      expect((await run(['customers'])).exitCode).to.equal(0);
      const customers = sandbox.store.ids('customers').slice(1, 3);
      await removeRecords(sandbox, 'customers', customers, false);

      sandbox.faults.set({ ...faults, onlyQuery: 'CustomersIds' });
      const failed = await run(['customers'], '0', flags);
      expect(failed.exitCode).to.equal(1);
      expect(outcome(failed, 'customers').status).to.equal('committed');
      expect(outcome(failed, 'customers_ids')).to.include({ status: 'failed' });
      expect(outcome(failed, 'customers_ids').error).to.include({ code });
      expect(await deletionsOf(failed)).to.deep.equal([]);
      expect(logs.entries().filter((e) => e.code === code).length).to.be.greaterThan(0);
      // The fault is the one named: an operation ended so (the customers' own download was never cut: onlyQuery).
      const ends = sandbox.operations().filter((op) => op.query.includes('CustomersIds')).map((op) => `${op.status} ${op.partialDataUrl === null ? 'whole' : 'partial'}`);
      if (faults.failed) expect(ends).to.include(`FAILED ${faults.failedPartialData === false || code === 'ACCESS_DENIED' ? 'whole' : 'partial'}`);
      if (faults.partialCompletions) expect(ends).to.include('COMPLETED partial');

      sandbox.faults.clear();
      const next = await run(['customers']);
      expect(next.exitCode).to.equal(0);
      expect(keys(await deletionsOf(next))).to.deep.equal(customers.map((g) => `customers ${g} snapshot`).sort());
    });
  }

  it('an id reported deleted and seen again is reported restored, once', async () => {
    expect((await run(['customers'])).exitCode).to.equal(0);
    const [customer] = sandbox.store.ids('customers');
    await removeRecords(sandbox, 'customers', [customer!], false);
    expect(keys(await deletionsOf(await run(['customers'])))).to.deep.equal([`customers ${customer} snapshot`]);

    sandbox.store.restore({ entity: 'customers', gids: [customer!] });
    expect(keys(await deletionsOf(await run(['customers'])))).to.deep.equal([`customers ${customer} snapshot restored`]);
    expect(await deletionsOf(await run(['customers']))).to.deep.equal([]);
  });

  it('an entity skipped for a missing scope gets no id snapshot either; the others do', async () => {
    await sandbox.close();
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 10, customers: 5, products: 3 }, scopes: ['read_orders', 'read_all_orders', 'read_returns', 'read_customers'] });
    // Every entity (no --entities): those without their scope are skipped, products and draft orders among them.
    const all = await runAgainst(sandbox, dir, ['--safety-lag', '0s', '--deletes-every', '0', '--max-poll-interval', '200ms'], { logger: logs.logger });
    expect(all.exitCode, JSON.stringify(all.shops[0]!.entities.filter((e) => e.status === 'failed'))).to.equal(0);
    const names = all.shops[0]!.entities.map((e) => `${e.entity} ${e.status}`);
    expect(names).to.include.members(['draft_orders skipped', 'orders_ids committed', 'customers_ids committed']);
    expect(names.filter((n) => n.startsWith('draft_orders_ids') || n.startsWith('products_ids'))).to.deep.equal([]);
    expect(sandbox.operations().filter((op) => op.query.includes('DraftOrdersIds'))).to.deep.equal([]);
  });

  it('without read_all_orders (Shopify shows 60 days of orders) the orders id snapshot is skipped with a note: no older order is reported deleted; with it, an old order deleted is found', async () => {
    const dataUntil = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000);
    const shop = (scopes?: string[]): Promise<Sandbox> => startSandbox({ operationDelayMs: 20, dataUntil, size: { orders: 30, customers: 15, products: 10 }, ...(scopes ? { scopes } : {}) });
    await sandbox.close();
    sandbox = await shop();
    expect((await run(['orders'])).exitCode).to.equal(0);
    // The oldest order, created about a year ago: only read_all_orders shows it.
    const [old] = sandbox.store.ids('orders');
    await removeRecords(sandbox, 'orders', [old!], false);
    const found = await run(['orders']);
    expect(found.exitCode).to.equal(0);
    expect(keys(await deletionsOf(found))).to.deep.equal([`orders ${old} snapshot`]);

    // The same shop, its app now granted read_orders without read_all_orders: most held orders are older than 60 days.
    await sandbox.close();
    sandbox = await shop(['read_orders', 'read_returns', 'read_customers', 'read_products']);
    const cut = await run(['orders']);
    expect(cut.exitCode).to.equal(0);
    expect(await deletionsOf(cut)).to.deep.equal([]);
    expect(outcome(cut, 'orders_ids')).to.include({ status: 'skipped' });
    expect(outcome(cut, 'orders_ids').note).to.include('read_all_orders');
    expect(logs.entries().some((e) => e.entity === 'orders_ids' && String(e.message).includes('read_all_orders'))).to.equal(true);
    expect(sandbox.operations().filter((op) => op.query.includes('OrdersIds'))).to.deep.equal([]);
  });

  it('the id snapshot runs on its schedule: on the first run, not again within --deletes-every, and on every run with 0', async () => {
    const snapshots = (from: number): number => sandbox.operations().slice(from).filter((op) => op.query.includes('CustomersIds')).length;
    let before = sandbox.operations().length;
    expect((await run(['customers'], '1d')).exitCode).to.equal(0);
    expect(snapshots(before)).to.equal(1);

    const customers = sandbox.store.ids('customers').slice(0, 2);
    await removeRecords(sandbox, 'customers', customers, false);
    before = sandbox.operations().length;
    const early = await run(['customers'], '1d');
    expect(early.exitCode).to.equal(0);
    expect(snapshots(before)).to.equal(0);
    expect(await deletionsOf(early)).to.deep.equal([]);
    expect(logs.entries().some((e) => e.message === 'id snapshot not due' && e.entity === 'customers_ids')).to.equal(true);

    before = sandbox.operations().length;
    const due = await run(['customers'], '0');
    expect(due.exitCode).to.equal(0);
    expect(snapshots(before)).to.equal(1);
    expect(keys(await deletionsOf(due))).to.deep.equal(customers.map((g) => `customers ${g} snapshot`).sort());
  });
});
