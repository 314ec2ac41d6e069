// Metafields against the sandbox: one table for every kind of owner, and the changes Shopify makes to
// a metafield without moving its owner's updatedAt (an edit, a delete) are in the next run's snapshot
// and in the current-state view, where an incremental read of the owners would have missed them.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { DuckViews } from '../support/duckdb.ts';
import { runAgainst } from '../support/etl.ts';
import { manifests, readPublished } from '../support/output.ts';

type Row = Record<string, unknown>;

const numeric = (gid: string): string => gid.slice(gid.lastIndexOf('/') + 1);

describe('metafields against the sandbox', function () {
  this.timeout(120_000);
  let dir: string;
  let sandbox: Sandbox;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-metafields-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 120, products: 10, customers: 30 } });
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The latest run's metafields rows, by id: what it read of the store. */
  async function latestRun(): Promise<Map<string, Row>> {
    const out = join(dir, 'out');
    const rows = await readPublished(out, manifests(out).slice(-1), 'metafields');
    return new Map(rows.map((r) => [String(r.id), r]));
  }

  /** The store's metafields as the table should hold them, by id. */
  function truth(): Map<string, { ownerType: string; value: string; updatedAt: string }> {
    return new Map(sandbox.store.metafields().map((m) => [numeric(m.gid), m]));
  }

  function expectEqualsStore(rows: Map<string, Row>): void {
    const expected = truth();
    expect([...rows.keys()].sort()).to.deep.equal([...expected.keys()].sort());
    for (const [id, m] of expected) {
      const row = rows.get(id)!;
      expect([row.owner_type, row.value, row.updated_at], id).to.deep.equal([m.ownerType, m.value, m.updatedAt]);
    }
  }

  it('reads every owner\'s metafields into one table, then an edit and a delete that leave the owners\' updatedAt as it was', async () => {
    const first = await runAgainst(sandbox, dir, ['--entities', 'metafields', '--safety-lag', '0s']);
    expect(first.exitCode, JSON.stringify(first.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const before = await latestRun();
    expectEqualsStore(before);
    expect(new Set([...before.values()].map((r) => r.owner_type))).to.deep.equal(new Set(['PRODUCT', 'PRODUCTVARIANT', 'CUSTOMER', 'ORDER', 'DRAFTORDER', 'COLLECTION', 'LOCATION', 'COMPANY', 'SHOP']));

    // A customer's metafield edited, an order's JSON metafield rewritten larger, a location's deleted.
    const pick = (ownerType: string, type?: string): string => {
      const found = sandbox.store.metafields().find((m) => m.ownerType === ownerType && (type === undefined || before.get(numeric(m.gid))?.type === type));
      expect(found, `${ownerType} ${type ?? ''}`).to.not.equal(undefined);
      return found!.gid;
    };
    const customerField = pick('CUSTOMER');
    const orderField = pick('ORDER', 'json');
    const locationField = pick('LOCATION');
    const editedAt = new Date(Math.ceil(Date.now() / 1000) * 1000);
    const bigJson = JSON.stringify({ lines: Array.from({ length: 2000 }, (_, k) => ({ line: k, note: 'édition / 編集' })) });
    sandbox.store.editMetafields([{ gid: customerField, value: 'platinum' }, { gid: orderField, value: bigJson }], editedAt);
    sandbox.store.removeMetafields([locationField]);
    // No owner moved: an updated_at window of customers or orders from the edit on finds nothing.
    expect(sandbox.store.ids('customers', { since: editedAt })).to.deep.equal([]);
    expect(sandbox.store.ids('orders', { since: editedAt })).to.deep.equal([]);

    const second = await runAgainst(sandbox, dir, ['--entities', 'metafields', '--safety-lag', '0s']);
    expect(second.exitCode, JSON.stringify(second.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const after = await latestRun();
    expectEqualsStore(after);
    expect(after.get(numeric(customerField))?.value).to.equal('platinum');
    expect(after.get(numeric(orderField))?.value).to.equal(bigJson);
    expect(after.get(numeric(orderField))?.updated_at).to.equal(editedAt.toISOString().replace('.000Z', 'Z'));
    expect(after.has(numeric(locationField))).to.equal(false);

    // The current state is the latest run's snapshot: the edit is in it and the deleted metafield is not, with no deletions row needed.
    const views = await DuckViews.of(join(dir, 'out'));
    try {
      const current = await views.rows('SELECT id, value FROM shopify_metafields_current');
      expect(current.length).to.equal(truth().size);
      expect(current.find((r) => r.id === numeric(customerField))?.value).to.equal('platinum');
      expect(current.some((r) => r.id === numeric(locationField))).to.equal(false);
      // product_metafields, replaced by this table, stays one release as a view: the products' rows, owner_id as product_id.
      const products = await views.rows(`SELECT id, owner_id AS product_id, namespace, key, type, value, created_at, updated_at FROM shopify_metafields_current WHERE owner_type = 'PRODUCT' ORDER BY id`);
      expect(products.length).to.be.greaterThan(0);
      expect(await views.rows('SELECT id, product_id, namespace, key, type, value, created_at, updated_at FROM shopify_product_metafields_current ORDER BY id')).to.deep.equal(products);
      const [column] = await views.rows(`SELECT COUNT(*) AS n FROM information_schema.columns WHERE table_name = 'shopify_product_metafields_current' AND column_name IN ('owner_type', 'owner_id')`);
      expect(Number(column!.n)).to.equal(0);
    } finally {
      views.close();
    }
  });

  it('on a shop off Shopify Plus reads every owner but B2B companies, noting the query it left out (exit 0)', async () => {
    const offPlus = await startSandbox({ operationDelayMs: 20, size: { orders: 20, products: 4, customers: 6 }, features: { shopifyPlus: false } });
    const offDir = mkdtempSync(join(tmpdir(), 'etl-metafields-'));
    try {
      const result = await runAgainst(offPlus, offDir, ['--entities', 'metafields', '--safety-lag', '0s']);
      expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
      const [entity] = result.shops[0]!.entities;
      expect(entity).to.include({ entity: 'metafields', status: 'committed', note: 'metafields_companies not read: the shop is not on Shopify Plus, where its data exists' });
      // Its other bulk queries ran; the companies' was never submitted.
      const roots = offPlus.operations().map((op) => /\{\s*(\w+)/.exec(op.query)?.[1]);
      expect(roots.sort()).to.deep.equal(['collections', 'customers', 'draftOrders', 'locations', 'orders', 'productVariants', 'products']);
      const out = join(offDir, 'out');
      const rows = await readPublished(out, manifests(out), 'metafields');
      const expected = offPlus.store.metafields();
      expect(rows.map((r) => String(r.id)).sort()).to.deep.equal(expected.map((m) => numeric(m.gid)).sort());
      expect(rows.some((r) => r.owner_type === 'COMPANY')).to.equal(false);
      expect(rows.some((r) => r.owner_type === 'SHOP'), 'the shop\'s, paged').to.equal(true);
      expect(rows.length).to.be.greaterThan(0);
    } finally {
      await offPlus.close();
      rmSync(offDir, { recursive: true, force: true });
    }
  });
});
