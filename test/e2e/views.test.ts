// The current-state views against the store: real runs into a folder, the store changed between them
// (records moved to a later window, created, an order edit removing a line item), a backfill reading
// old windows again, then deletes (with destroy events and without), and each time the DuckDB SQL
// the CLI prints, executed over that folder. Every table's current state must be the store's truth:
// its row count and root ids and versions from the store's own model, and every column of every row
// as one fresh read of the whole store (a first run into another folder) holds it.
import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { entities } from '../../src/entities/index.ts';
import { killAt, runCli, startCli } from '../support/cli.ts';
import { runAgainst } from '../support/etl.ts';
import { DuckViews } from '../support/duckdb.ts';
import { manifests } from '../support/output.ts';
import { removeRecords } from '../support/store.ts';

const TABLES = entities.flatMap((e) => e.tables.map((t) => t.name));
/** Incremental root tables and the store's root that holds their records. */
const ROOTS: Record<string, string> = { orders: 'orders', products: 'products', customers: 'customers', draft_orders: 'draftOrders' };
const RUN = ['--safety-lag', '0s', '--window', '90d'];

describe('current-state views (DuckDB) against the sandbox store', function () {
  this.timeout(300_000);
  let dir: string;
  let sandbox: Sandbox;
  const open: DuckViews[] = [];
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-views-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 50, customers: 20, products: 15 } });
  });
  afterEach(async () => {
    for (const v of open.splice(0)) v.close();
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const views = async (dest: string, state?: string): Promise<DuckViews> => {
    const v = await DuckViews.of(dest, state);
    open.push(v);
    return v;
  };
  const run = async (name: string, args: string[] = []): Promise<void> => {
    const result = await runAgainst(sandbox, join(dir, name), [...RUN, ...args]);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.filter((e) => e.status !== 'committed'))).to.equal(0);
  };

  /** Every table's current state equals the store: counts, root ids and versions by its model; every column by a fresh full read. */
  async function expectStoreTruth(current: DuckViews, freshRead: string): Promise<void> {
    await run(freshRead);
    const fresh = await views(join(dir, freshRead, 'out'));
    const truth = sandbox.store.truth();
    for (const table of TABLES) {
      const rows = await current.contents(`shopify_${table}_current`);
      expect(rows.length, `${table}: rows`).to.equal(truth[table]);
      expect(rows, `${table}: rows as a fresh read holds them`).to.deep.equal(await fresh.contents(`shopify_${table}`));
    }
    for (const [table, root] of Object.entries(ROOTS)) {
      const rows = await current.rows(`SELECT admin_graphql_api_id AS gid, strftime(updated_at AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS updated_at FROM shopify_${table}_current ORDER BY id`);
      expect(rows.map((r) => r.gid), `${table}: ids`).to.deep.equal(sandbox.store.ids(root));
      for (const { gid, updated_at: at } of rows) {
        const since = new Date(String(at));
        expect(sandbox.store.ids(root, { since, until: new Date(since.getTime() + 1000) }), `${table} ${String(gid)} is the store's version`).to.include(gid);
      }
    }
  }

  it('equal the store after records moved between windows, were created, an order edit removed a line item (kept at current quantity 0), a backfill read old windows again, and 3 products, 3 customers and 2 orders were deleted', async () => {
    await run('etl');
    const out = join(dir, 'etl', 'out');
    const first = await views(out);
    // Two orders the sandbox can edit: two line items or more, the last unfulfilled.
    const edited = sandbox.store.editableOrders().slice(0, 2);
    expect(edited).to.have.length(2);
    const lastItems = await first.rows(`SELECT max(l.id) AS id FROM shopify_order_line_items_current l JOIN shopify_orders_current o ON o.id = l.order_id WHERE o.admin_graphql_api_id IN ('${edited.join("', '")}') GROUP BY o.id`);
    const removedQuantities = await first.rows(`SELECT CAST(id AS VARCHAR) AS id, quantity FROM shopify_order_line_items_current WHERE id IN (${lastItems.map((r) => String(r.id)).join(', ')}) ORDER BY id`);

    // Touched records move from their old window to the newest; creations land there too.
    sandbox.store.mutate({ entities: ['orders', 'products', 'customers', 'draftOrders'], touch: 6, add: 0 });
    sandbox.store.mutate({ entities: ['products', 'customers'], touch: 0, add: 3 });
    sandbox.store.editOrders(edited);
    await run('etl');
    // A backfill reads the first half of the year again: copies of the same versions, read later.
    const year = await first.rows("SELECT strftime(min(created_at) AT TIME ZONE 'UTC', '%Y-%m-%dT%H:%M:%SZ') AS since FROM shopify_orders_current");
    const since = new Date(String(year[0]!.since));
    await run('etl', ['--since', since.toISOString(), '--until', new Date(since.getTime() + 180 * 86_400_000).toISOString()]);

    const current = await views(out);
    const removed = lastItems.map((r) => String(r.id));
    // The removed line items stay on their orders, as Shopify keeps them: the current state holds the
    // edit's copy, its quantity as ordered and its current quantity 0.
    expect(await current.rows(`SELECT CAST(id AS VARCHAR) AS id, quantity FROM shopify_order_line_items_current WHERE id IN (${removed.join(', ')}) ORDER BY id`)).to.deep.equal(removedQuantities);
    expect((await current.rows(`SELECT DISTINCT current_quantity FROM shopify_order_line_items_current WHERE id IN (${removed.join(', ')})`)).map((r) => Number(r.current_quantity))).to.deep.equal([0]);
    expect(await current.rows('SELECT * FROM shopify__deleted')).to.deep.equal([]);
    await expectStoreTruth(current, 'fresh');

    // Deletes: products with destroy events, customers and orders without (found by id snapshots).
    const products = sandbox.store.ids('products').slice(2, 5);
    const customers = sandbox.store.ids('customers').slice(0, 3);
    const orders = sandbox.store.ids('orders').slice(4, 6);
    await removeRecords(sandbox, 'products', products, true);
    await removeRecords(sandbox, 'customers', customers, false);
    await removeRecords(sandbox, 'orders', orders, false);
    await run('etl', ['--deletes-every', '0']);

    const after = await views(out);
    const deleted = await after.rows("SELECT table_name || ' ' || id AS deleted FROM shopify__deleted WHERE table_name IN ('products', 'customers', 'orders')");
    const numeric = (gid: string): string => gid.split('/').pop()!;
    expect(deleted.map((r) => r.deleted).sort()).to.deep.equal([
      ...products.map((g) => `products ${numeric(g)}`), ...customers.map((g) => `customers ${numeric(g)}`), ...orders.map((g) => `orders ${numeric(g)}`),
    ].sort());
    // Their copies are still in the files; the current state has none of them, nor their children.
    const ids = [...products, ...customers, ...orders].map(numeric).join(', ');
    expect((await after.rows(`SELECT id FROM shopify_products WHERE id IN (${ids}) UNION ALL SELECT id FROM shopify_orders WHERE id IN (${ids})`)).length).to.be.greaterThan(0);
    expect(await after.rows(`SELECT product_id FROM shopify_product_variants_current WHERE product_id IN (${ids}) UNION ALL SELECT order_id FROM shopify_order_line_items_current WHERE order_id IN (${ids}) UNION ALL SELECT customer_id FROM shopify_customer_addresses_current WHERE customer_id IN (${ids})`)).to.deep.equal([]);
    await expectStoreTruth(after, 'fresh-after-deletes');
  });

  it('equal the store after a variant is deleted without an event, its product unchanged: only the id snapshot sees it', async () => {
    const deletes = ['--deletes-every', '0'];
    await run('etl', deletes);
    const out = join(dir, 'etl', 'out');
    const first = await views(out);
    const [variant] = (await first.rows('SELECT admin_graphql_api_id AS gid FROM shopify_product_variants_current ORDER BY id LIMIT 1')).map((r) => String(r.gid));
    await removeRecords(sandbox, 'productVariants', [variant!], false);
    await run('etl', deletes);

    const current = await views(out);
    expect(await current.rows('SELECT table_name, CAST(id AS VARCHAR) AS id FROM shopify__deleted')).to.deep.equal([{ table_name: 'product_variants', id: variant!.split('/').pop() }]);
    await expectStoreTruth(current, 'fresh');
  });

  it('equal the store after every collection is deleted: the snapshot run that read none is the current state of collections and their members', async () => {
    await run('etl');
    const out = join(dir, 'etl', 'out');
    const first = await views(out);
    const collections = (await first.rows('SELECT admin_graphql_api_id AS gid FROM shopify_collections_current ORDER BY id')).map((r) => String(r.gid));
    expect(collections.length).to.be.greaterThan(0);
    expect(await first.rows('SELECT * FROM shopify_collection_products_current')).to.not.deep.equal([]);
    await removeRecords(sandbox, 'collections', collections, true);
    await run('etl');

    const current = await views(out);
    expect(await current.rows('SELECT id FROM shopify_collections_current')).to.deep.equal([]);
    expect(await current.rows('SELECT collection_id FROM shopify_collection_products_current')).to.deep.equal([]);
    await expectStoreTruth(current, 'fresh');
  });

  it('equal the store after a customer reported deleted is seen again: the restore puts it back', async () => {
    const deletes = ['--deletes-every', '0'];
    await run('etl', deletes);
    const out = join(dir, 'etl', 'out');
    const first = await views(out);
    const [customer] = (await first.rows('SELECT admin_graphql_api_id AS gid FROM shopify_customers_current ORDER BY id LIMIT 1')).map((r) => String(r.gid));
    await removeRecords(sandbox, 'customers', [customer!], false);
    await run('etl', deletes);
    const gone = await views(out);
    expect(await gone.rows(`SELECT id FROM shopify_customers_current WHERE admin_graphql_api_id = '${customer!}'`)).to.deep.equal([]);

    sandbox.store.restore({ entity: 'customers', gids: [customer!] });
    await run('etl', deletes);
    const back = await views(out);
    expect(await back.rows('SELECT * FROM shopify__deleted')).to.deep.equal([]);
    expect(await back.rows(`SELECT id FROM shopify_customers_current WHERE admin_graphql_api_id = '${customer!}'`)).to.have.length(1);
    await expectStoreTruth(back, 'fresh-after-restore');
  });

  // A manifest lists a window's files just before the state commits it (the commit protocol's steps 6
  // and 7): between the two, or after a run that died there, only the state tells them apart.
  it('leave out the files of a run killed between its manifest and its commit until its rerun commits them; a --state missing or not a state exits 2 with its code', async () => {
    const dest = join(dir, 'out');
    const state = join(dir, 'state.db');
    const args = ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--dest', dest, '--state', state, '--poll-interval', '20ms', '--log-format', 'json', '--safety-lag', '0s', '--entities', 'orders'];
    const env = { SHOPIFY_ACCESS_TOKEN: sandbox.token };
    const first = await runCli(['run', ...args], env);
    expect(first.code, first.stderr).to.equal(0);
    const before = sandbox.store.ids('orders');
    sandbox.store.mutate({ entities: ['orders'], touch: 0, add: 4, at: new Date() });
    await killAt(startCli(['run', ...args, '--pause-at', 'orders:before-commit'], env), (e) => e.checkpoint === 'before-commit');
    const [, killed] = manifests(dest);
    expect(killed!.windows.map((w) => w.entity), 'the killed run\'s manifest lists its orders window').to.deep.equal(['orders']);

    const orders = async (v: DuckViews): Promise<string[]> => (await v.rows('SELECT admin_graphql_api_id AS gid FROM shopify_orders_current ORDER BY id')).map((r) => String(r.gid));
    const ofRun = async (v: DuckViews, runId: string): Promise<number> => Number((await v.rows(`SELECT (SELECT COUNT(*) FROM shopify_orders WHERE _run_id = '${runId}') + (SELECT COUNT(*) FROM shopify_order_line_items WHERE _run_id = '${runId}') AS n`))[0]!.n);
    const held = await views(dest, state);
    expect(await orders(held), 'the orders the state committed: the store before its new ones').to.deep.equal(before);
    expect(await ofRun(held, killed!.runId), 'rows of the killed run\'s files').to.equal(0);
    const printed = await runCli(['views', '--dialect', 'duckdb', '--dest', dest, '--state', state, '--log-format', 'json']);
    const warning = printed.stderr.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => String(l.message).includes('not committed'));
    expect(warning, printed.stderr).to.deep.include({ severity: 'WARNING', shop: sandbox.shopDomain, runs: [killed!.runId] });

    const rerun = await runCli(['run', ...args], env);
    expect(rerun.code, rerun.stderr).to.equal(0);
    const committed = await views(dest, state);
    expect(await orders(committed), 'the store\'s orders with its new ones').to.deep.equal(sandbox.store.ids('orders'));
    expect(sandbox.store.ids('orders')).to.have.length(before.length + 4);

    const notState = join(dir, 'not-a-state.db');
    writeFileSync(notState, 'these bytes are no SQLite database, whatever the name says\n'.repeat(40));
    for (const [path, code] of [[join(dir, 'nowhere.db'), 'CONFIG_INVALID'], [notState, 'STATE_UNREADABLE']] as const) {
      const refused = await runCli(['views', '--dialect', 'duckdb', '--dest', dest, '--state', path, '--log-format', 'json']);
      expect(refused.code, refused.stderr).to.equal(2);
      expect(refused.stderr.trim().split('\n').map((l) => (JSON.parse(l) as { code?: string }).code), path).to.deep.equal([code]);
      expect(refused.stderr).to.include(path);
      expect(refused.stdout).to.equal('');
    }
  });
});
