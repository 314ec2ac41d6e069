// Refund and return detail (refund_detail): read by paged ordinary requests, since return line items lie
// deeper than a bulk query reaches and a refund's line items lie inside the inline refunds list. Its
// rows equal the store's, each points at a parent the orders entity wrote and at the line items of the
// same order, and each refund reconciles: its line items' subtotal and tax, plus its shipping's, less
// its adjustments, is what it refunded, to the cent.
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
import { brokenOrderLinks, unreconciledRefunds } from '../support/order-links.ts';
import { cents, readTable } from '../support/output.ts';

type Row = Record<string, unknown>;

const TABLES = ['orders', 'order_line_items', 'order_refunds', 'order_shipping_lines', 'returns', 'return_line_items', 'order_refund_line_items', 'order_refund_shipping_lines', 'order_adjustments'];

describe('refund and return detail (a paged entity)', function () {
  this.timeout(120_000);
  let dir: string;
  let sandbox: Sandbox;
  let client: ShopifyClient;
  const tables: Record<string, Row[]> = {};
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-refund-detail-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 160, customers: 12, products: 10 } });
    client = new ShopifyClient({ adminUrl: sandbox.url, shop: sandbox.shopDomain, apiVersion: '2026-10', token: staticToken(sandbox.token), signal: new AbortController().signal, retry: { budgetMs: 60_000 } });
    const result = await runAgainst(sandbox, dir, ['--entities', 'orders,refund_detail', '--safety-lag', '0s']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const truth = sandbox.store.truth();
    for (const table of TABLES) {
      tables[table] = (await readTable(join(dir, 'out'), table)) as Row[];
      expect(tables[table]!.length, table).to.equal(truth[table]);
    }
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Every fulfillment line item of the store, read by ordinary queries apart from the ETL: id → its order and line item. */
  async function fulfillmentLineItems(): Promise<Map<string, { order: string; lineItem: string; quantity: number }>> {
    type Answer = { orders: { pageInfo: { hasNextPage: boolean; endCursor: string }; edges: Array<{ node: { id: string; fulfillments: Array<{ fulfillmentLineItems: { edges: Array<{ node: { id: string; quantity: number; lineItem: { id: string } } }> } }> } }> } };
    const found = new Map<string, { order: string; lineItem: string; quantity: number }>();
    const numeric = (gid: string): string => gid.slice(gid.lastIndexOf('/') + 1);
    for (let after: string | null = null; ; ) {
      const data: Answer = await client.request<Answer>('query ($after: String) { orders(first: 40, after: $after) { pageInfo { hasNextPage endCursor } edges { node { id fulfillments(first: 2) { fulfillmentLineItems(first: 8) { edges { node { id quantity lineItem { id } } } } } } } } }', { after });
      for (const { node: order } of data.orders.edges) {
        for (const f of order.fulfillments) for (const { node } of f.fulfillmentLineItems.edges) found.set(numeric(node.id), { order: numeric(order.id), lineItem: numeric(node.lineItem.id), quantity: node.quantity });
      }
      if (!data.orders.pageInfo.hasNextPage) return found;
      after = data.orders.pageInfo.endCursor;
    }
  }

  it("return line items: each takes back, from its return's own order, what a fulfillment line item shipped; they add up to the return's quantity", async () => {
    const returns = new Map(tables.returns!.map((r) => [r.id, r]));
    const lineOrder = new Map(tables.order_line_items!.map((l) => [l.id, l.order_id]));
    const shipped = await fulfillmentLineItems();
    const quantity = new Map<unknown, number>();
    expect(tables.return_line_items!.length).to.be.greaterThan(3);
    for (const item of tables.return_line_items!) {
      const ret = returns.get(item.return_id);
      expect(ret, `return ${String(item.return_id)}`).to.not.equal(undefined);
      expect(lineOrder.get(item.line_item_id), `line item ${String(item.line_item_id)}`).to.equal(ret!.order_id);
      const fli = shipped.get(String(item.fulfillment_line_item_id));
      expect(fli, `fulfillment line item ${String(item.fulfillment_line_item_id)}`).to.deep.include({ order: ret!.order_id, lineItem: item.line_item_id });
      expect(item.quantity as number).to.be.within(1, fli!.quantity);
      expect(item.refunded_quantity, 'a closed return was refunded').to.equal(ret!.status === 'CLOSED' ? item.quantity : 0);
      expect(item.return_reason).to.be.a('string');
      quantity.set(item.return_id, (quantity.get(item.return_id) ?? 0) + (item.quantity as number));
    }
    for (const ret of returns.values()) expect(quantity.get(ret.id), `return ${String(ret.name)}`).to.equal(ret.total_quantity);
  });

  it("refund line items and refunded shipping point at their refund's own order's lines; restocked exactly when restocked somewhere", () => {
    expect(brokenOrderLinks((t) => tables[t] ?? [])).to.deep.equal([]);
    for (const item of tables.order_refund_line_items!) {
      expect(item.restocked).to.equal(item.restock_type !== 'NO_RESTOCK');
      if (item.restock_type === 'RETURN') expect(item.location_id, 'restocked at its fulfillment\'s location').to.be.a('string');
      if (item.restock_type === 'NO_RESTOCK') expect(item.location_id).to.equal(null);
    }
    expect(new Set(tables.order_refund_line_items!.map((i) => i.restock_type))).to.include.members(['RETURN', 'NO_RESTOCK']);
  });

  it("per refund: its line items' subtotal and tax, plus its shipping's, less its adjustments and their tax, is what it refunded, to the cent", () => {
    expect(tables.order_refunds!.length).to.be.greaterThan(3);
    expect(unreconciledRefunds((t) => tables[t] ?? [])).to.deep.equal([]);
    // Both kinds of discrepancy occur: refunded less than the lines come to, and an amount with no line at all.
    expect(tables.order_adjustments!.some((a) => cents(a.amount) > 0)).to.equal(true);
    expect(tables.order_adjustments!.some((a) => cents(a.amount) < 0)).to.equal(true);
  });

  it('reads the same lines a page of one at a time as a page of many, a refund\'s full page read on from the refund itself', async () => {
    const query = readFileSync(new URL('../../queries/refund_detail.graphql', import.meta.url), 'utf8');
    const sent: string[] = [];
    const counting = { request: <T>(text: string, variables?: Record<string, unknown>): Promise<T> => (sent.push(text), client.request<T>(text, variables)) };
    const read = async (text: string): Promise<string[]> => {
      let all = '';
      for await (const chunk of pagedLines(counting, text, ['orders'])) all += Buffer.from(chunk).toString('utf8');
      return all.split('\n').filter(Boolean).sort();
    };
    const many = await read(query);
    // Every nested connection a node at a time (the root's paging is order-sales.test.ts's).
    expect(await read(query.replace(/first: \d+/g, 'first: 1').replace('orders(first: 1)', 'orders(first: 6)'))).to.deep.equal(many);
    expect(many.filter((l) => l.includes('"__typename":"RefundLineItem"')).length).to.equal(tables.order_refund_line_items!.length);
    expect(sent.some((t) => t.includes('... on Refund')), 'a refund line item page read on from its refund').to.equal(true);
    expect(sent.some((t) => t.includes('... on Order') && t.includes('returnLineItems')), 'a return line item page read on from its order').to.equal(true);
  });

  // Last: it deletes an order from the store the tests above read.
  it("leaves a deleted order's refund and return detail out of the current state, as its refunds and returns are (parents in another entity's tables)", async () => {
    const refundOrder = new Map(tables.order_refunds!.map((r) => [r.id, r.order_id]));
    const returned = new Set(tables.returns!.map((r) => r.order_id));
    const gone = [...refundOrder.values()].find((order) => returned.has(order))!;
    expect(gone, 'an order both refunded and returned').to.not.equal(undefined);
    sandbox.store.remove({ entity: 'orders', gids: [`gid://shopify/Order/${String(gone)}`], events: false, at: new Date() });
    const result = await runAgainst(sandbox, dir, ['--entities', 'orders,refund_detail', '--safety-lag', '0s', '--deletes-every', '0']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const views = await DuckViews.of(join(dir, 'out'));
    try {
      const truth = sandbox.store.truth();
      for (const table of ['return_line_items', 'order_refund_line_items', 'order_refund_shipping_lines', 'order_adjustments']) {
        const parent = table === 'return_line_items' ? 'return_id IN (SELECT id FROM shopify_returns WHERE order_id = ' + String(gone) + ')' : 'refund_id IN (SELECT id FROM shopify_order_refunds WHERE order_id = ' + String(gone) + ')';
        const current = await views.rows(`SELECT id FROM shopify_${table}_current`);
        expect(current.length, `${table}: the store's rows, every one current`).to.equal(truth[table]);
        if (table === 'return_line_items' || table === 'order_refund_line_items') {
          expect((await views.rows(`SELECT id FROM shopify_${table} WHERE ${parent}`)).length, `${table}: the deleted order had rows in the files`).to.be.greaterThan(0);
        }
        expect(await views.rows(`SELECT id FROM shopify_${table}_current WHERE ${parent}`), table).to.deep.equal([]);
      }
    } finally {
      views.close();
    }
  });
});
