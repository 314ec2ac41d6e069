// The sales ledger (order_sales): read by paged ordinary requests, since sales lie deeper than a bulk
// query reaches. Its rows equal the store's, each points at an agreement the orders entity wrote, and
// the ledger reconciles: per order, the sum of its sales is its total less its refunds, to the cent.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { pagedLines } from '../../src/sync/paged-part.ts';
import { ShopifyClient } from '../../src/shopify/client.ts';
import { staticToken } from '../../src/shopify/auth.ts';
import { DuckViews } from '../support/duckdb.ts';
import { runAgainst } from '../support/etl.ts';
import { unreconciledRefunds, unreconciledSales } from '../support/order-links.ts';
import { cents, manifests, readPublished } from '../support/output.ts';

describe('order sales (a paged entity)', function () {
  this.timeout(120_000);
  let dir: string;
  let sandbox: Sandbox;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-sales-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 16, customers: 6, products: 6 } });
  });
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes every sale of the store, each at an agreement of its order; per order the sales sum to its total less its refunds', async () => {
    const result = await runAgainst(sandbox, dir, ['--entities', 'orders,order_sales']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const out = join(dir, 'out');
    const published = manifests(out);
    const tables = new Map<string, Array<Record<string, unknown>>>();
    for (const table of ['order_sales', 'order_agreements', 'orders']) tables.set(table, await readPublished(out, published, table));
    const rows = (table: string): Array<Record<string, unknown>> => tables.get(table) ?? [];
    const [sales, orders] = [rows('order_sales'), rows('orders')];
    expect(sales.length).to.equal(sandbox.store.truth().order_sales);
    expect(new Set(sales.map((s) => s.id)).size, 'each sale once').to.equal(sales.length);
    expect(orders.length).to.be.greaterThan(0);
    for (const sale of sales) expect(sale.total_amount_currency).to.equal(orders[0]!.currency);
    // Read without the order's lines, a sale is checked at its agreement and order only.
    const atAgreement = new Set(rows('order_agreements').map((a) => a.id));
    expect(sales.filter((s) => !atAgreement.has(s.agreement_id)).map((s) => s.id), 'each sale at an agreement').to.deep.equal([]);
    expect(unreconciledSales(rows), 'per order: sales = total − refunds').to.deep.equal([]);
    // Some orders were refunded, whole or in part: the reconciliation covered returns and adjustments too.
    expect(sales.some((s) => s.action_type === 'RETURN')).to.equal(true);
  });

  it('sells a tip, duties and an additional fee on the orders given them (store.chargeOrders): per order the sales still sum to its total less its refunds, and each refund to its detail', async () => {
    sandbox.store.chargeOrders(sandbox.store.ids('orders'));
    const result = await runAgainst(sandbox, dir, ['--entities', 'orders,order_sales,refund_detail']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const out = join(dir, 'out');
    const tables = new Map<string, Array<Record<string, unknown>>>();
    for (const table of ['order_sales', 'order_agreements', 'orders', 'order_refunds', 'order_refund_line_items', 'order_refund_shipping_lines', 'order_adjustments']) tables.set(table, await readPublished(out, manifests(out), table));
    const rows = (table: string): Array<Record<string, unknown>> => tables.get(table) ?? [];
    expect(new Set(rows('order_sales').map((s) => `${String(s.sale_type)} ${String(s.line_type)}`))).to.include.members(['TipSale TIP', 'DutySale DUTY', 'AdditionalFeeSale ADDITIONAL_FEE']);
    expect(unreconciledSales(rows), 'per order: sales = total − refunds').to.deep.equal([]);
    expect(unreconciledRefunds(rows), 'per refund: detail = refunded').to.deep.equal([]);
    expect(rows('order_refunds').length, 'some refunds').to.be.greaterThan(0);
  });

  it("agrees with the refund detail: each refund's agreement returns exactly the units its refund line items take back, and adjusts by what its adjustments do", async () => {
    const result = await runAgainst(sandbox, dir, ['--entities', 'orders,order_sales,refund_detail']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const out = join(dir, 'out');
    const read = (table: string): Promise<Array<Record<string, unknown>>> => readPublished(out, manifests(out), table);
    const [sales, agreements, refundLines, shipping, adjustments] = await Promise.all(['order_sales', 'order_agreements', 'order_refund_line_items', 'order_refund_shipping_lines', 'order_adjustments'].map(read));
    const refundOf = new Map(agreements!.filter((a) => a.refund_id !== null).map((a) => [a.id, a.refund_id]));
    expect(refundOf.size, 'some refunds').to.be.greaterThan(0);
    /** Per refund, what it takes back and adjusts by: `line:<id>` → [quantity, cents], `shipping:<id>` → cents, `adjustment` → cents. */
    const byRefund = (rows: Array<[unknown, string, number, number]>): Map<unknown, Record<string, [number, number]>> => {
      const m = new Map<unknown, Record<string, [number, number]>>();
      for (const [refund, key, quantity, amount] of rows) {
        const at = m.get(refund) ?? {};
        const [q, a] = at[key] ?? [0, 0];
        at[key] = [q + quantity, a + amount];
        m.set(refund, at);
      }
      return m;
    };
    const ledger = byRefund(sales!.filter((s) => refundOf.has(s.agreement_id)).map((s) => {
      const key = s.line_type === 'PRODUCT' ? `line:${String(s.line_item_id)}` : s.line_type === 'SHIPPING' ? `shipping:${String(s.shipping_line_id)}` : 'adjustment';
      return [refundOf.get(s.agreement_id), key, -((s.quantity as number | null) ?? 0), -cents(s.total_amount)];
    }));
    const detail = byRefund([
      ...refundLines!.map((l): [unknown, string, number, number] => [l.refund_id, `line:${String(l.line_item_id)}`, l.quantity as number, cents(l.subtotal) + cents(l.total_tax)]),
      ...shipping!.map((l): [unknown, string, number, number] => [l.refund_id, `shipping:${String(l.shipping_line_id)}`, 1, cents(l.subtotal_amount) + cents(l.tax_amount)]),
      ...adjustments!.map((a): [unknown, string, number, number] => [a.refund_id, 'adjustment', 0, -(cents(a.amount) + cents(a.tax_amount))]),
    ]);
    // A shipping sale returns quantity 1; free shipping is returned in the ledger but not listed as refunded.
    const free = (m: Map<unknown, Record<string, [number, number]>>) => new Map([...m].map(([r, v]) => [r, Object.fromEntries(Object.entries(v).filter(([k, [, a]]) => !(k.startsWith('shipping:') && a === 0)))]));
    expect(Object.fromEntries(free(detail))).to.deep.equal(Object.fromEntries(free(ledger)));
    // Whole refunds, and partial ones taking a unit back and adjusting by the rest (an amount-only refund is
    // one adjustment either way; refund-detail.test.ts has them).
    const kinds = [...detail.values()].map((v) => Object.keys(v).filter((k) => !k.startsWith('shipping:')).map((k) => k.replace(/:.*/, ''))).map((k) => [...new Set(k)].sort().join('+'));
    expect(new Set(kinds)).to.include.members(['adjustment+line', 'line']);
  });

  it("leaves a deleted order's sales out of the current state, as its agreements are (a parent in another entity's table)", async () => {
    const args = ['--entities', 'orders,order_sales', '--deletes-every', '0'];
    expect((await runAgainst(sandbox, dir, args)).exitCode).to.equal(0);
    const out = join(dir, 'out');
    const agreements = await readPublished(out, manifests(out), 'order_agreements');
    const gone = agreements[0]!.order_id as number;
    const goneAgreements = agreements.filter((a) => a.order_id === gone).map((a) => a.id);
    sandbox.store.remove({ entity: 'orders', gids: [`gid://shopify/Order/${gone}`], events: false, at: new Date() });
    expect((await runAgainst(sandbox, dir, args)).exitCode).to.equal(0);

    const views = await DuckViews.of(out);
    try {
      const ids = (rows: Array<Record<string, unknown>>): string[] => rows.map((r) => String(r.id)).sort();
      const held = ids(await views.rows(`SELECT DISTINCT id FROM shopify_order_sales WHERE agreement_id IN (${goneAgreements.join(', ')})`));
      expect(held.length, 'the deleted order had sales in the files').to.be.greaterThan(0);
      expect(await views.rows(`SELECT id FROM shopify_order_sales_current WHERE agreement_id IN (${goneAgreements.join(', ')})`)).to.deep.equal([]);
      // Every other order's sales stay: the store's sales, every one current.
      expect((await views.rows('SELECT id FROM shopify_order_sales_current')).length).to.equal(sandbox.store.truth().order_sales);
    } finally {
      views.close();
    }
  });

  it("keeps an edited order's sales as placed and adds the edit's: the line removed is taken back by an UPDATE sale, and the order still reconciles", async () => {
    const args = ['--entities', 'orders,order_sales', '--safety-lag', '0s'];
    expect((await runAgainst(sandbox, dir, args)).exitCode).to.equal(0);
    const out = join(dir, 'out');
    const lines = await readPublished(out, manifests(out), 'order_line_items');
    const perOrder = Map.groupBy(lines, (l) => l.order_id);
    // An order the sandbox can edit: two line items or more, the last unfulfilled.
    const editable = new Set(sandbox.store.editableOrders());
    const [order, items] = [...perOrder].find(([id]) => editable.has(`gid://shopify/Order/${String(id)}`))!;
    const removed = items.map((l) => l.id as string).sort((a, b) => Number(BigInt(a) - BigInt(b))).at(-1);
    sandbox.store.editOrders([`gid://shopify/Order/${String(order)}`]);
    expect((await runAgainst(sandbox, dir, args)).exitCode).to.equal(0);

    const views = await DuckViews.of(out);
    try {
      const sales = await views.rows(`SELECT s.action_type, s.quantity, CAST(s.line_item_id AS VARCHAR) AS line_item_id, s.total_amount FROM shopify_order_sales_current s JOIN shopify_order_agreements_current a ON a.id = s.agreement_id WHERE a.order_id = ${String(order)}`);
      const onRemoved = sales.filter((s) => s.line_item_id === removed);
      expect(onRemoved.map((s) => s.action_type).sort(), 'the removed line was sold, then taken back').to.deep.equal(['ORDER', 'UPDATE']);
      expect(onRemoved.reduce((q, s) => q + Number(s.quantity), 0)).to.equal(0);
      const [now] = await views.rows(`SELECT total_price, total_refunded FROM shopify_orders_current WHERE id = ${String(order)}`);
      expect(sales.reduce((sum, s) => sum + cents(s.total_amount), 0)).to.equal(cents(now!.total_price) - cents(now!.total_refunded));
    } finally {
      views.close();
    }
  });

  it('reads the same lines a page of one at a time as a page of many: the root and every nested connection are read on to their end, streamed a page at a time', async () => {
    const client = new ShopifyClient({ adminUrl: sandbox.url, shop: sandbox.shopDomain, apiVersion: '2026-10', token: staticToken(sandbox.token), signal: new AbortController().signal, retry: { budgetMs: 60_000 } });
    const query = readFileSync(new URL('../../queries/order_sales.graphql', import.meta.url), 'utf8');
    const read = async (text: string): Promise<{ lines: string[]; largest: number }> => {
      let all = '';
      let largest = 0;
      for await (const chunk of pagedLines(client, text, ['orders'])) {
        const text = Buffer.from(chunk).toString('utf8');
        largest = Math.max(largest, text.split('\n').filter(Boolean).length);
        all += text;
      }
      return { lines: all.split('\n').filter(Boolean).sort(), largest };
    };
    const ones = await read(query.replace(/first: \d+/g, 'first: 1'));
    const many = await read(query);
    expect(ones.lines).to.deep.equal(many.lines);
    expect(many.lines.filter((l) => l.includes('Sale"')).length).to.equal(sandbox.store.truth().order_sales);
    // A page of one node at each of the three levels: no chunk holds more than those three nodes' lines,
    // where an order with everything under it read on first would be a chunk of all its sales.
    expect(ones.largest).to.be.at.most(3);
    expect(many.largest).to.be.greaterThan(3);
  });
});
