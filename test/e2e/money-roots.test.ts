// The order-related roots read beside orders (fulfillment orders, …), extracted from the sandbox over
// HTTP: their rows point at the orders and line items the same run wrote, and their numbers agree.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { runAgainst } from '../support/etl.ts';
import { cents, readTable } from '../support/output.ts';

type Row = Record<string, unknown>;

describe('order-related roots against the sandbox', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  const tables: Record<string, Row[]> = {};
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-money-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 300, products: 12, customers: 20 } });
    const result = await runAgainst(sandbox, dir, ['--entities', 'orders,fulfillment_orders,tender_transactions,gift_cards,disputes,payouts,balance_transactions', '--safety-lag', '0s']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const truth = sandbox.store.truth();
    for (const table of ['orders', 'order_attribution', 'order_risks', 'order_line_items', 'order_fulfillments', 'order_transactions', 'fulfillment_orders', 'fulfillment_order_line_items', 'tender_transactions', 'gift_cards', 'disputes', 'payouts', 'balance_transactions']) {
      tables[table] = (await readTable(join(dir, 'out'), table)) as Row[];
      expect(tables[table]!.length, table).to.equal(truth[table]);
    }
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('fulfillment orders: each line points at a line item of its fulfillment order\'s own order, closed ones have nothing left', () => {
    const lineOrder = new Map(tables.order_line_items!.map((l) => [l.id, l.order_id]));
    const lineQuantity = new Map(tables.order_line_items!.map((l) => [l.id, l.quantity]));
    const fos = new Map(tables.fulfillment_orders!.map((f) => [f.id, f]));
    const orders = new Set(tables.orders!.map((o) => o.id));
    for (const fo of fos.values()) expect(orders.has(fo.order_id), `order ${String(fo.order_id)}`).to.equal(true);
    for (const line of tables.fulfillment_order_line_items!) {
      const fo = fos.get(line.fulfillment_order_id)!;
      expect(lineOrder.get(line.line_item_id), `line ${String(line.id)}`).to.equal(fo.order_id);
      expect(line.total_quantity).to.equal(lineQuantity.get(line.line_item_id));
      expect(line.remaining_quantity as number).to.be.within(0, line.total_quantity as number);
      if (fo.status === 'CLOSED') expect(line.remaining_quantity).to.equal(0);
    }
    expect(new Set(tables.fulfillment_orders!.map((f) => f.status))).to.include.members(['CLOSED', 'OPEN', 'ON_HOLD']);
    for (const fo of tables.fulfillment_orders!.filter((f) => f.status === 'ON_HOLD')) expect(fo.fulfillment_holds).to.have.length(1);
  });

  it('fulfillment orders: a fulfilled order\'s closed ones carry what its fulfillments shipped', () => {
    const shipped = new Map<unknown, number>();
    for (const f of tables.order_fulfillments!) shipped.set(f.order_id, (shipped.get(f.order_id) ?? 0) + (f.total_quantity as number));
    const closedQuantity = new Map<unknown, number>();
    const foOrder = new Map(tables.fulfillment_orders!.filter((f) => f.status === 'CLOSED').map((f) => [f.id, f.order_id]));
    for (const line of tables.fulfillment_order_line_items!) {
      const order = foOrder.get(line.fulfillment_order_id);
      if (order !== undefined) closedQuantity.set(order, (closedQuantity.get(order) ?? 0) + (line.total_quantity as number));
    }
    const fulfilled = tables.orders!.filter((o) => o.display_fulfillment_status === 'FULFILLED' && o.cancelled_at === null);
    expect(fulfilled.length).to.be.greaterThan(0);
    for (const o of fulfilled) expect(closedQuantity.get(o.id), `order ${String(o.id)}`).to.equal(shipped.get(o.id));
  });

  it('fulfillment orders change without their order\'s updatedAt moving: some are newer than their order', () => {
    const orderUpdated = new Map(tables.orders!.map((o) => [o.id, String(o.updated_at)]));
    const newer = tables.fulfillment_orders!.filter((f) => String(f.updated_at) > orderUpdated.get(f.order_id)!);
    expect(newer.length).to.be.greaterThan(0);
  });

  it('order risks: Shopify assessed every online order first, none at the point of sale, an order cancelled for fraud HIGH; the recommendation follows the highest level', () => {
    const rank: Record<string, number> = { HIGH: 4, MEDIUM: 3, LOW: 2, PENDING: 1, NONE: 0 };
    const recommends = ['NONE', 'NONE', 'ACCEPT', 'INVESTIGATE', 'CANCEL'];
    const byOrder = new Map<unknown, Row[]>();
    for (const r of tables.order_risks!) byOrder.set(r.order_id, [...(byOrder.get(r.order_id) ?? []), r]);
    const recommendation = new Map(tables.order_attribution!.map((a) => [a.id, a.risk_recommendation]));
    for (const o of tables.orders!) {
      const assessments = (byOrder.get(o.id) ?? []).sort((a, b) => (a.position as number) - (b.position as number));
      byOrder.delete(o.id);
      if (o.source_name === 'pos') {
        expect(assessments, `order ${String(o.id)}`).to.deep.equal([]);
        expect(recommendation.get(o.id)).to.equal('NONE');
        continue;
      }
      expect(assessments.map((a) => a.position), `order ${String(o.id)}`).to.deep.equal(assessments.map((_, k) => k));
      expect(assessments[0]!.provider_app_id, `order ${String(o.id)}: Shopify's own first`).to.equal(null);
      for (const a of assessments.slice(1)) expect(a.provider_title, `order ${String(o.id)}: a fraud app's after`).to.be.a('string');
      if (o.cancel_reason === 'FRAUD') expect(assessments[0]!.risk_level, `order ${String(o.id)}`).to.equal('HIGH');
      const highest = Math.max(...assessments.map((a) => rank[a.risk_level as string]!));
      expect(recommendation.get(o.id), `order ${String(o.id)}`).to.equal(recommends[highest]);
      const facts = assessments.flatMap((a) => a.facts as Row[]);
      for (const a of assessments.filter((x) => x.risk_level === 'HIGH')) expect((a.facts as Row[]).some((f) => f.sentiment === 'NEGATIVE')).to.equal(true);
      expect(facts.every((f) => typeof f.description === 'string' && ['NEGATIVE', 'NEUTRAL', 'POSITIVE'].includes(f.sentiment as string))).to.equal(true);
    }
    expect([...byOrder.keys()], 'every assessment belongs to an order of the run').to.deep.equal([]);
    expect(new Set(tables.order_risks!.map((r) => r.risk_level))).to.include.members(['LOW', 'MEDIUM']);
    expect(tables.order_risks!.some((r) => r.provider_app_id !== null), 'a fraud app assessed some orders').to.equal(true);
  });

  it('tender transactions: per order they sum, to the cent, to what it was paid minus what was refunded', () => {
    const tendered = new Map<unknown, number>();
    for (const t of tables.tender_transactions!) tendered.set(t.order_id, (tendered.get(t.order_id) ?? 0) + cents(t.amount));
    const moved = new Map<unknown, number>();
    for (const tx of tables.order_transactions!) {
      const sign = tx.status !== 'SUCCESS' ? 0 : tx.kind === 'SALE' || tx.kind === 'CAPTURE' ? 1 : tx.kind === 'REFUND' ? -1 : 0;
      if (sign !== 0) moved.set(tx.order_id, (moved.get(tx.order_id) ?? 0) + sign * cents(tx.amount));
    }
    expect([...tendered.keys()].every((id) => moved.has(id)), 'every tender transaction belongs to an order that moved money').to.equal(true);
    expect(tendered).to.deep.equal(moved);
    let settled = 0;
    for (const o of tables.orders!.filter((x) => ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'].includes(String(x.display_financial_status)))) {
      expect(tendered.get(o.id) ?? 0, `order ${String(o.id)}`).to.equal(cents(o.total_price) - cents(o.total_refunded));
      settled++;
    }
    expect(settled).to.be.greaterThan(0);
    expect(tables.tender_transactions!.some((t) => cents(t.amount) < 0), 'refunds are negative').to.equal(true);
  });

  it('gift cards: one per gift card unit sold, worth the unit price, its balance at most that', () => {
    const giftLines = tables.order_line_items!.filter((l) => l.is_gift_card === true);
    expect(giftLines.length, 'the store sells gift cards').to.be.greaterThan(0);
    const cards = tables.gift_cards!;
    expect(cards.length).to.equal(giftLines.reduce((n, l) => n + (l.quantity as number), 0));
    const byLine = new Map(giftLines.map((l) => [l.id, l]));
    for (const card of cards) {
      const line = byLine.get(card.line_item_id)!;
      expect(line, `gift card ${String(card.id)}`).to.not.equal(undefined);
      expect(card.order_id).to.equal(line.order_id);
      expect(Number(card.initial_value)).to.equal(Number(line.original_unit_price));
      expect(Number(card.balance)).to.be.within(0, Number(card.initial_value));
    }
  });

  it('disputes: each is for a successful Shopify Payments charge of its order, for the charge\'s amount', () => {
    expect(tables.disputes!.length, 'the store has disputes').to.be.greaterThan(0);
    for (const d of tables.disputes!) {
      const charge = tables.order_transactions!.find((tx) => tx.order_id === d.order_id && tx.gateway === 'shopify_payments' && tx.status === 'SUCCESS' && (tx.kind === 'SALE' || tx.kind === 'CAPTURE'));
      expect(charge, `dispute ${String(d.id)}`).to.not.equal(undefined);
      expect(d.amount).to.equal(charge!.amount);
      expect(String(d.initiated_at) > String(charge!.processed_at)).to.equal(true);
    }
  });

  it('payouts: each equals, to the cent, the sum of its balance transactions (negated for a withdrawal); pending ones have no payout', () => {
    const sums = new Map<unknown, number>();
    for (const bt of tables.balance_transactions!) {
      expect(cents(bt.net), `balance transaction ${String(bt.id)}`).to.equal(cents(bt.amount) - cents(bt.fee));
      if (bt.payout_id === null) expect(bt.payout_status).to.equal('PENDING');
      else sums.set(bt.payout_id, (sums.get(bt.payout_id) ?? 0) + cents(bt.net));
    }
    expect(tables.payouts!.length).to.be.greaterThan(100, 'more payouts than one page holds');
    for (const p of tables.payouts!) {
      const signed = p.transaction_type === 'WITHDRAWAL' ? -cents(p.net) : cents(p.net);
      expect(sums.get(p.id), `payout ${String(p.id)}`).to.equal(signed);
    }
    expect(new Set(sums.keys())).to.deep.equal(new Set(tables.payouts!.map((p) => p.id)));
  });
});
