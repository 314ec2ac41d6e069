// Abandoned checkouts and discounts, extracted from the sandbox over HTTP: each table has the rows the
// store's ground truth counts, and every link between them (a line item to its checkout, to a variant
// and product the same run wrote) holds.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { runAgainst } from '../support/etl.ts';
import { readTable } from '../support/output.ts';

type Row = Record<string, unknown>;

const TABLES = ['abandoned_checkouts', 'abandoned_checkout_line_items', 'products', 'product_variants', 'customers'];
const cents = (v: unknown): number => Math.round(Number(v) * 100);

describe('abandoned checkouts and discounts against the sandbox', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  const tables: Record<string, Row[]> = {};
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-checkouts-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 20, products: 12, customers: 20, abandonedCheckouts: 60 } });
    const result = await runAgainst(sandbox, dir, ['--entities', 'abandoned_checkouts,products,customers', '--safety-lag', '0s']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const truth = sandbox.store.truth();
    for (const table of TABLES) {
      tables[table] = (await readTable(join(dir, 'out'), table)) as Row[];
      expect(tables[table]!.length, table).to.equal(truth[table]);
    }
  });
  after(async () => {
    await sandbox?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('abandoned checkouts: every line item belongs to a checkout and points at a variant of its product; the totals add up', () => {
    const checkouts = tables.abandoned_checkouts!;
    expect(checkouts.length).to.be.greaterThan(0);
    expect(checkouts.some((c) => c.completed_at !== null), 'some were recovered').to.equal(true);
    expect(checkouts.some((c) => (c.discount_codes as string[]).length > 0), 'some carry a typed code').to.equal(true);
    const variants = new Map(tables.product_variants!.map((v) => [v.id, v]));
    const customers = new Set(tables.customers!.map((c) => c.id));
    const lines = new Map<unknown, Row[]>();
    for (const line of tables.abandoned_checkout_line_items!) {
      const variant = variants.get(line.variant_id);
      expect(variant, `line item ${String(line.id)}'s variant`).to.not.equal(undefined);
      expect(variant!.product_id).to.equal(line.product_id);
      expect(cents(line.original_total_price)).to.equal(cents(line.original_unit_price) * (line.quantity as number));
      lines.set(line.abandoned_checkout_id, [...(lines.get(line.abandoned_checkout_id) ?? []), line]);
    }
    for (const c of checkouts) {
      const own = lines.get(c.id) ?? [];
      expect(own.length, `checkout ${String(c.id)} has line items`).to.be.greaterThan(0);
      if (c.customer_id !== null) expect(customers.has(c.customer_id), `checkout ${String(c.id)}'s customer`).to.equal(true);
      expect(cents(c.total_line_items_price)).to.equal(own.reduce((n, l) => n + cents(l.original_total_price), 0));
      expect(cents(c.subtotal_price)).to.equal(cents(c.total_line_items_price) - cents(c.total_discount));
      expect(cents(c.total_price)).to.equal(cents(c.subtotal_price) + cents(c.total_tax));
    }
    expect(new Set(tables.abandoned_checkout_line_items!.map((l) => l.abandoned_checkout_id)).size).to.equal(checkouts.length);
  });
});
