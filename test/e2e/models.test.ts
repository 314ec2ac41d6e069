// The models as a user gets them: `run --models` against the sandbox over HTTP, an embedded DuckDB over
// the files, the model files read back; each figure is compared, to the cent, with the same figure
// computed here from the sandbox store's own records (its orders, their sales ledger, refunds and
// addresses), not from anything the ETL wrote.
import { expect } from 'chai';
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { perShopStatePath } from '../../src/cli/shops.ts';
import { models } from '../../src/models/definitions.ts';
import { killAt, runCli, startCli } from '../support/cli.ts';
import { manifests } from '../support/output.ts';

type Rec = Record<string, unknown>;

/** A field of a store record: a function of its arguments is called, a connection read whole. */
function field<T = unknown>(rec: Rec, name: string, args: Rec = {}): T {
  const value = typeof rec[name] === 'function' ? (rec[name] as (args: Rec) => unknown)(args) : rec[name];
  return (value !== null && typeof value === 'object' && 'nodes' in value ? [...(value as { nodes: Iterable<Rec> }).nodes] : value) as T;
}
const numericId = (gid: unknown): number | null => (gid === null || gid === undefined ? null : Number(String(gid).replace(/^gid:\/\/shopify\/\w+\//, '').replace(/\?.*$/, '')));
const bagCents = (bag: unknown): number => Math.round(Number(((bag as Rec).shopMoney as Rec).amount) * 100);
const cents = (value: unknown): number => Math.round(Number(value) * 100);
/** Whole cents divided by a count, rounded half away from zero, in integers: as BigQuery's NUMERIC division and ROUND give it. */
const centsPer = (total: number, count: number): number => Math.sign(total) * Math.floor((Math.abs(total) * 2 + count) / (2 * count));

interface Sale { day: string; reason: string; type: string; action: string; line: number | null; quantity: number | null; total: number; tax: number; discount: number }
interface Order {
  id: number;
  test: boolean;
  counted: boolean;
  createdAt: string;
  day: string;
  customer: number | null;
  spent: number;
  total: number;
  /** Its total as placed (originalTotalPriceSet), and the day (shop time) of its last edit (null: never edited). */
  original: number;
  lastEdit: string | null;
  country: string | null;
  province: string | null;
  /** Shown as FULFILLED, and when its first fulfillment was created (null: none). */
  fulfilled: boolean;
  firstFulfilment: string | null;
  lines: Array<{ id: number; product: number | null; variant: number | null; quantity: number }>;
  sales: Sale[];
  refunds: Array<{ day: string; cents: number }>;
}

/** The calendar day of an instant in the shop's time zone. */
function shopDays(sandbox: Sandbox): (iso: string) => string {
  const timeZone = String(field<Rec>(sandbox.store.rootValue() as Rec, 'shop').ianaTimezone);
  const format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  return (iso) => format.format(new Date(iso));
}

/** Every node of a connection the store serves a page at a time (Shopify Payments' payouts and balance transactions). */
function pagesOf(owner: Rec, name: string): Rec[] {
  const nodes: Rec[] = [];
  let after: string | undefined;
  do {
    const page = (owner[name] as (args: Rec) => { edges: Array<{ cursor: string; node: Rec }>; pageInfo: { hasNextPage: boolean } })({ first: 250, ...(after ? { after } : {}) });
    nodes.push(...page.edges.map((e) => e.node));
    after = page.pageInfo.hasNextPage ? page.edges.at(-1)!.cursor : undefined;
  } while (after);
  return nodes;
}

/** The store's orders as the models need them, days in the shop's time zone. */
function storeOrders(sandbox: Sandbox): Order[] {
  const root = sandbox.store.rootValue() as Rec;
  const day = shopDays(sandbox);
  return field<Rec[]>(root, 'orders', { first: 1_000_000 }).map((o) => {
    const test = o.test === true;
    const customer = field<Rec | null>(o, 'customer');
    const address = o.shippingAddress as Rec | null;
    const total = bagCents(o.totalPriceSet);
    return {
      id: numericId(o.id)!,
      test,
      counted: !test && o.cancelledAt === null,
      createdAt: String(o.createdAt),
      day: day(String(o.createdAt)),
      customer: customer ? numericId(customer.id) : null,
      total,
      original: bagCents(o.originalTotalPriceSet),
      lastEdit: field<Rec[]>(o, 'agreements').filter((a) => a.reason === 'ORDER_EDIT').map((a) => String(a.happenedAt)).sort().map(day).at(-1) ?? null,
      spent: total - bagCents(o.totalRefundedSet),
      country: (address?.country as string | undefined) ?? null,
      province: (address?.province as string | undefined) ?? null,
      fulfilled: o.displayFulfillmentStatus === 'FULFILLED',
      firstFulfilment: (o.fulfillments as Rec[]).map((f) => new Date(String(f.createdAt)).toISOString()).sort()[0] ?? null,
      lines: field<Rec[]>(o, 'lineItems').map((l) => ({ id: numericId(l.id)!, product: numericId(field<Rec | null>(l, 'product')?.id), variant: numericId(field<Rec | null>(l, 'variant')?.id), quantity: Number(l.quantity) })),
      sales: field<Rec[]>(o, 'agreements').flatMap((a) => field<Rec[]>(a, 'sales').map((s) => ({
        day: day(String(a.happenedAt)), reason: String(a.reason), type: String(s.__typename), action: String(s.actionType), line: numericId(field<Rec | null>(s, 'lineItem')?.id),
        quantity: s.quantity as number | null, total: bagCents(s.totalAmount), tax: bagCents(s.totalTaxAmount), discount: bagCents(s.totalDiscountAmountBeforeTaxes),
      }))),
      refunds: (o.refunds as Rec[]).map((r) => ({ day: day(String(r.processedAt ?? r.createdAt)), cents: bagCents(r.totalRefundedSet) })),
    };
  });
}

function readModel(dest: string, model: string): Rec[] {
  return gunzipSync(readFileSync(join(dest, '_models', model, `${model}.ndjson.gz`))).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);
}

const add = <K>(m: Map<K, number>, key: K, value: number): void => { m.set(key, (m.get(key) ?? 0) + value); };
const byKey = <K>(m: Map<K, number>): Array<[K, number]> => [...m].sort(([a], [b]) => String(a).localeCompare(String(b)));

// Thresholds low enough that the small store's customers fall in every segment.
const SEGMENTS = { vipSpent: 1200, vipOrders: 3, loyalSpent: 800, loyalOrders: 2, regularOrders: 3 };
const SEGMENT_FLAGS = ['--segment-vip-spent', String(SEGMENTS.vipSpent), '--segment-vip-orders', String(SEGMENTS.vipOrders), '--segment-loyal-spent', String(SEGMENTS.loyalSpent), '--segment-loyal-orders', String(SEGMENTS.loyalOrders), '--segment-regular-orders', String(SEGMENTS.regularOrders)];

describe('models', function () {
  this.timeout(180_000);
  let dir: string;
  let sandbox: Sandbox;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-models-'));
    // A shop far from UTC: its days are not UTC's, so a model that took UTC days would be found out.
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 90, customers: 36, products: 10 }, features: { timeZone: 'Pacific/Auckland' } });
    // A fifth of the orders with a tip, duties and an additional fee: other sales in the ledger, in their totals.
    sandbox.store.chargeOrders(sandbox.store.ids('orders').filter((_, k) => k % 5 === 0));
    // The counted orders the sandbox can edit (two line items or more, the last unfulfilled, no refunds)
    // edited: their last line removed, kept on the order as Shopify keeps it (quantity as ordered, currentQuantity 0).
    const canEdit = new Set(sandbox.store.editableOrders());
    sandbox.store.editOrders(storeOrders(sandbox).filter((o) => o.counted && canEdit.has(`gid://shopify/Order/${String(o.id)}`)).map((o) => `gid://shopify/Order/${String(o.id)}`));
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (dest: string, entities: string, extra: string[] = []) => runCli(
    ['run', '--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--dest', dest, '--state', `${dest}.db`, '--poll-interval', '20ms', '--log-format', 'json', '--entities', entities, '--models',
      // The edits (before) happened at the store's now: read up to it.
      '--safety-lag', '0s', ...extra],
    { SHOPIFY_ACCESS_TOKEN: sandbox.token },
  );

  it('run --models writes every model; its figures equal the store\'s to the cent: segments per customer, sales figures per day, units, net revenue and refund rate per product, revenue and fulfilment per country', async () => {
    const dest = join(dir, 'full');
    const result = await run(dest, 'shop,orders,order_sales,customers,products,payouts,balance_transactions', [...SEGMENT_FLAGS, '--top-pairs', '1000']);
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.not.include('the ledger\'s figures are null');
    // Every model written, each row with the columns its definition declares, in order (what the report reads).
    for (const model of models) {
      const rows = readModel(dest, model.name);
      expect(rows.length, model.name).to.be.greaterThan(0);
      for (const row of rows) expect(Object.keys(row), model.name).to.deep.equal(Object.keys(model.columns));
    }
    const orders = storeOrders(sandbox);
    const counted = orders.filter((o) => o.counted);
    expect(orders.filter((o) => o.day !== o.createdAt.slice(0, 10)).length, 'orders on another day in the shop\'s zone than in UTC').to.be.greaterThan(10);

    // Customer lifetime value and segments.
    const perCustomer = new Map<number, { orders: number; spent: number; first: string; last: string }>();
    for (const o of counted) {
      if (o.customer === null) continue;
      const c = perCustomer.get(o.customer) ?? { orders: 0, spent: 0, first: o.createdAt, last: o.createdAt };
      perCustomer.set(o.customer, { orders: c.orders + 1, spent: c.spent + o.spent, first: c.first < o.createdAt ? c.first : o.createdAt, last: c.last > o.createdAt ? c.last : o.createdAt });
    }
    const segmentOf = (c: { orders: number; spent: number }): string =>
      c.spent >= SEGMENTS.vipSpent * 100 && c.orders >= SEGMENTS.vipOrders ? 'VIP'
        : c.spent >= SEGMENTS.loyalSpent * 100 && c.orders >= SEGMENTS.loyalOrders ? 'Loyal'
          : c.orders >= SEGMENTS.regularOrders ? 'Regular' : c.orders === 1 ? 'One-time' : 'Emerging';
    const expectedClv = [...perCustomer].map(([id, c]) => ({ id, orders: c.orders, spent: c.spent, first: new Date(c.first).toISOString(), last: new Date(c.last).toISOString(), segment: segmentOf(c) })).sort((a, b) => a.id - b.id);
    expect(new Set(expectedClv.map((c) => c.segment)).size, 'the store has customers in every segment').to.equal(5);
    const clv = readModel(dest, 'customer_lifetime_value');
    expect(clv.map((r) => ({ id: r.customer_id, orders: r.orders, spent: cents(r.total_spent), first: r.first_order_at, last: r.last_order_at, segment: r.segment }))).to.deep.equal(expectedClv);
    // To the cent, half cents away from zero (1173.59 over 2 orders is 586.80): the store has such customers.
    expect(expectedClv.some((c) => (c.spent % c.orders) * 2 === c.orders), 'a customer whose average is a half cent').to.equal(true);
    expect(clv.map((r) => cents(r.average_order_value))).to.deep.equal(expectedClv.map((c) => centsPer(c.spent, c.orders)));

    // Net sales per day (and the rest of Shopify's figures), from the store's ledger; the difference against the orders' own totals is zero.
    const ledgered = orders.filter((o) => !o.test);
    const net = new Map<string, number>();
    const total = new Map<string, number>();
    const taxes = new Map<string, number>();
    const ordersTotal = new Map<string, number>();
    for (const o of ledgered) {
      for (const s of o.sales) {
        add(total, s.day, s.total);
        add(taxes, s.day, s.tax);
        add(net, s.day, s.type === 'ProductSale' || s.type === 'AdjustmentSale' ? s.total - s.tax : 0);
      }
      // The orders' own totals, dated as the ledger dates their sales: the total as placed on the day
      // placed, what its edits changed on the day of its last edit, a refund on the day processed.
      add(ordersTotal, o.day, o.lastEdit === null ? o.total : o.original);
      if (o.lastEdit !== null) add(ordersTotal, o.lastEdit, o.total - o.original);
      for (const r of o.refunds) add(ordersTotal, r.day, -r.cents);
    }
    // Shopify's parts of a sale (before tax): products sold at their price before discounts, the
    // discounts, returned products and adjustments, shipping.
    const gross = new Map<string, number>();
    const discounts = new Map<string, number>();
    const returns = new Map<string, number>();
    const shipping = new Map<string, number>();
    const other = new Map<string, number>();
    const refunds = new Map<string, number>();
    for (const o of ledgered) {
      for (const s of o.sales) {
        const product = s.type === 'ProductSale';
        add(gross, s.day, product && s.action !== 'RETURN' ? s.total - s.tax + s.discount : 0);
        add(discounts, s.day, product ? -s.discount : 0);
        add(returns, s.day, product && s.action === 'RETURN' ? s.total - s.tax + s.discount : s.type === 'AdjustmentSale' ? s.total - s.tax : 0);
        add(shipping, s.day, s.type === 'ShippingLineSale' ? s.total - s.tax : 0);
        add(other, s.day, ['GiftCardSale', 'TipSale', 'DutySale', 'AdditionalFeeSale'].includes(s.type) ? s.total - s.tax : 0);
      }
      for (const r of o.refunds) add(refunds, r.day, r.cents);
    }
    const financials = readModel(dest, 'daily_financials');
    const column = (rows: Rec[], name: string): Array<[string, number]> => byKey(new Map(rows.filter((r) => net.has(String(r.day))).map((r) => [String(r.day), cents(r[name])])));
    expect(column(financials, 'net_sales')).to.deep.equal(byKey(net));
    expect(column(financials, 'total_sales')).to.deep.equal(byKey(total));
    expect(column(financials, 'taxes')).to.deep.equal(byKey(taxes));
    expect(column(financials, 'gross_sales'), 'gross sales').to.deep.equal(byKey(gross));
    expect(column(financials, 'discounts'), 'discounts').to.deep.equal(byKey(discounts));
    expect(column(financials, 'returns'), 'returns').to.deep.equal(byKey(returns));
    expect(column(financials, 'shipping'), 'shipping').to.deep.equal(byKey(shipping));
    expect(column(financials, 'other_sales'), 'other sales: gift cards, tips, duties, fees').to.deep.equal(byKey(other));
    expect([...other.values()].some((v) => v > 0), 'some gift cards, tips, duties and fees sold').to.equal(true);
    // Gift cards are sold as GiftCardSale, no product sale: out of gross and net sales, in other sales.
    expect(ledgered.some((o) => o.sales.some((s) => s.type === 'GiftCardSale')), 'some gift cards sold').to.equal(true);
    const nonZero = (m: Map<string, number>): Array<[string, number]> => byKey(new Map([...m].filter(([, v]) => v !== 0)));
    expect(nonZero(new Map(financials.map((r) => [String(r.day), cents(r.refunds)]))), 'refunds').to.deep.equal(nonZero(refunds));
    expect(byKey(new Map(financials.map((r) => [String(r.day), cents(r.orders_total)] as const).filter(([, v]) => v !== 0)))).to.deep.equal(byKey(new Map([...ordersTotal].filter(([, v]) => v !== 0))));
    // The store is consistent: the difference is zero on every day, the days of edits later than their
    // orders too (their sales on the edit's day, and so is what the edit changed of the order's total).
    const editedLater = counted.filter((o) => o.lastEdit !== null && o.lastEdit !== o.day && o.total !== o.original);
    expect(editedLater.length, 'orders edited on a later day than placed, their totals changed').to.be.greaterThan(3);
    for (const r of financials) {
      expect(cents(r.difference), `difference on ${String(r.day)}`).to.equal(0);
      expect(cents(r.difference), `difference on ${String(r.day)}`).to.equal((total.get(String(r.day)) ?? 0) - (ordersTotal.get(String(r.day)) ?? 0));
      expect(cents(r.gross_sales) + cents(r.discounts) + cents(r.returns), `net sales on ${String(r.day)}`).to.equal(cents(r.net_sales));
      expect(cents(r.net_sales) + cents(r.shipping) + cents(r.other_sales) + cents(r.taxes), `total sales on ${String(r.day)}`).to.equal(cents(r.total_sales));
    }
    expect(financials.some((r) => cents(r.returns) < 0), 'some returns').to.equal(true);
    expect(financials.some((r) => cents(r.fees) > 0) && financials.some((r) => cents(r.payouts) !== 0), 'Shopify Payments data').to.equal(true);
    // Shopify Payments: payouts issued (a withdrawal negative) and the balance transactions' fees, per day.
    const account = field<Rec>(sandbox.store.rootValue() as Rec, 'shopifyPaymentsAccount');
    const shopDay = shopDays(sandbox);
    const paidOut = new Map<string, number>();
    const fees = new Map<string, number>();
    for (const p of pagesOf(account, 'payouts')) add(paidOut, shopDay(String(p.issuedAt)), (p.transactionType === 'WITHDRAWAL' ? -1 : 1) * cents((p.net as Rec).amount));
    for (const b of pagesOf(account, 'balanceTransactions')) add(fees, shopDay(String(b.transactionDate)), cents((b.fee as Rec).amount));
    expect(nonZero(new Map(financials.map((r) => [String(r.day), cents(r.payouts)]))), 'payouts').to.deep.equal(nonZero(paidOut));
    expect(nonZero(new Map(financials.map((r) => [String(r.day), cents(r.fees)]))), 'fees').to.deep.equal(nonZero(fees));
    const daily = readModel(dest, 'daily_shop');
    expect(byKey(new Map(daily.map((r) => [String(r.day), cents(r.net_sales)] as const).filter(([d]) => net.has(d))))).to.deep.equal(byKey(net));
    const ordersPerDay = new Map<string, number>();
    const unitsPerDay = new Map<string, number>();
    const customersPerDay = new Map<string, Set<number>>();
    const firstDay = new Map<number, string>();
    // Units sold: ordered less what edits removed (the edit agreements' sales of the line, negative), before returns.
    const unitsOf = (o: Order, line: number, quantity: number): number => quantity + o.sales.reduce((q, s) => q + (s.reason === 'ORDER_EDIT' && s.line === line ? (s.quantity ?? 0) : 0), 0);
    const removedUnits = counted.reduce((n, o) => n + o.lines.reduce((m, l) => m + l.quantity - unitsOf(o, l.id, l.quantity), 0), 0);
    expect(removedUnits, 'units removed by edits').to.be.greaterThan(0);
    for (const o of counted) {
      add(ordersPerDay, o.day, 1);
      for (const l of o.lines) add(unitsPerDay, o.day, unitsOf(o, l.id, l.quantity));
      if (o.customer === null) continue;
      customersPerDay.set(o.day, (customersPerDay.get(o.day) ?? new Set()).add(o.customer));
      if (!firstDay.has(o.customer) || o.day < firstDay.get(o.customer)!) firstDay.set(o.customer, o.day);
    }
    const newPerDay = new Map<string, number>();
    for (const day of firstDay.values()) add(newPerDay, day, 1);
    const ordered = daily.filter((r) => Number(r.orders) > 0);
    expect(byKey(new Map(ordered.map((r) => [String(r.day), Number(r.orders)])))).to.deep.equal(byKey(ordersPerDay));
    expect(byKey(new Map(ordered.map((r) => [String(r.day), Number(r.units)]))), 'units per day').to.deep.equal(byKey(unitsPerDay));
    expect(byKey(new Map(ordered.map((r) => [String(r.day), Number(r.customers)]))), 'customers per day').to.deep.equal(byKey(new Map([...ordersPerDay.keys()].map((d) => [d, customersPerDay.get(d)?.size ?? 0]))));
    expect(nonZero(new Map(ordered.map((r) => [String(r.day), Number(r.new_customers)]))), 'new customers per day').to.deep.equal(nonZero(newPerDay));

    // The lines an order bought: not one an edit removed whole (kept on the order at currentQuantity 0,
    // its units sold back), so an order whose every line of a product was removed did not buy it.
    const bought = (o: Order): Order['lines'] => o.lines.filter((l) => unitsOf(o, l.id, l.quantity) > 0);
    const productsOf = (lines: Order['lines']): number[] => [...new Set(lines.map((l) => l.product).filter((p): p is number => p !== null))].sort((a, b) => a - b);
    expect(counted.filter((o) => productsOf(bought(o)).length < productsOf(o.lines).length).length, 'orders holding a product only on a line an edit removed').to.be.greaterThan(0);

    // Units and net revenue per product and variant.
    const lineOf = new Map(counted.flatMap((o) => o.lines.map((l) => [l.id, l] as const)));
    const units = new Map<string, number>();
    const revenue = new Map<string, number>();
    for (const o of counted) for (const l of bought(o)) add(units, `${l.product}/${l.variant}`, unitsOf(o, l.id, l.quantity));
    for (const o of counted) {
      for (const s of o.sales) {
        const line = s.line === null ? undefined : lineOf.get(s.line);
        if (s.type === 'ProductSale' && line) add(revenue, `${line.product}/${line.variant}`, s.total - s.tax);
      }
    }
    const products = readModel(dest, 'product_performance');
    const productKey = (r: Rec): string => `${String(r.product_id)}/${String(r.variant_id)}`;
    expect(byKey(new Map(products.map((r) => [productKey(r), Number(r.units_sold)]))), 'units sold: ordered less removed by edits').to.deep.equal(byKey(units));
    expect(byKey(new Map(products.map((r) => [productKey(r), cents(r.net_revenue)])))).to.deep.equal(byKey(new Map([...units.keys()].map((k) => [k, revenue.get(k) ?? 0]))));
    // Orders and customers holding each; the share of its units returned (the ledger's returns of its lines).
    const holders = new Map<string, { orders: Set<number>; customers: Set<number>; returned: number }>();
    const holder = (key: string) => holders.get(key) ?? holders.set(key, { orders: new Set(), customers: new Set(), returned: 0 }).get(key)!;
    for (const o of counted) {
      for (const l of bought(o)) {
        const h = holder(`${l.product}/${l.variant}`);
        h.orders.add(o.id);
        if (o.customer !== null) h.customers.add(o.customer);
      }
      for (const s of o.sales) {
        const line = s.line === null ? undefined : lineOf.get(s.line);
        if (s.type === 'ProductSale' && s.action === 'RETURN' && line) holder(`${line.product}/${line.variant}`).returned -= s.quantity ?? 0;
      }
    }
    expect([...holders.values()].some((h) => h.returned > 0), 'some units returned').to.equal(true);
    const sorted = (pairs: Array<[string, string]>): Array<[string, string]> => pairs.sort(([a], [b]) => a.localeCompare(b));
    expect(sorted(products.map((r) => [productKey(r), `${String(r.orders)} orders, ${String(r.customers)} customers`])))
      .to.deep.equal(sorted([...holders].map(([k, h]) => [k, `${h.orders.size} orders, ${h.customers.size} customers`])));
    for (const r of products) {
      const h = holders.get(productKey(r))!;
      expect(Number(r.refund_rate), `refund rate of ${productKey(r)}`).to.be.closeTo(h.returned / units.get(productKey(r))!, 1e-9);
      // The first and last counted orders that bought it.
      const placed = counted.filter((o) => h.orders.has(o.id)).map((o) => new Date(o.createdAt).toISOString()).sort();
      expect([r.first_sale_at, r.last_sale_at], `first and last sale of ${productKey(r)}`).to.deep.equal([placed[0], placed.at(-1)]);
    }

    // Pairs of products bought in one order.
    const pairs = new Map<string, number>();
    for (const o of counted) {
      const ids = productsOf(bought(o));
      for (const [i, a] of ids.entries()) for (const b of ids.slice(i + 1)) add(pairs, `${a}+${b}`, 1);
    }
    expect(byKey(new Map(readModel(dest, 'product_pairs').map((r) => [`${String(r.product_a_id)}+${String(r.product_b_id)}`, Number(r.orders)])))).to.deep.equal(byKey(pairs));

    // Revenue per country and province.
    const perPlace = new Map<string, number>();
    for (const o of counted) add(perPlace, `${o.country}/${o.province}`, o.spent);
    const geography = readModel(dest, 'geography');
    const placeKey = (r: Rec): string => `${String(r.country)}/${String(r.province)}`;
    expect(byKey(new Map(geography.map((r) => [placeKey(r), cents(r.revenue)])))).to.deep.equal(byKey(perPlace));
    // Orders, customers and fulfilment per place: the share fulfilled, and the mean hours to the first fulfillment.
    for (const r of geography) {
      const here = counted.filter((o) => `${o.country}/${o.province}` === placeKey(r));
      const fulfilled = here.filter((o) => o.fulfilled);
      const timed = fulfilled.filter((o) => o.firstFulfilment !== null).map((o) => (Date.parse(o.firstFulfilment!) - Date.parse(o.createdAt)) / 3_600_000);
      expect(cents(r.average_order_value), `average order value in ${placeKey(r)}`).to.equal(centsPer(perPlace.get(placeKey(r))!, here.length));
      expect([Number(r.orders), Number(r.customers)], placeKey(r)).to.deep.equal([here.length, new Set(here.flatMap((o) => (o.customer === null ? [] : [o.customer]))).size]);
      expect(Number(r.fulfilment_rate), `fulfilment rate in ${placeKey(r)}`).to.be.closeTo(fulfilled.length / here.length, 1e-9);
      if (timed.length === 0) expect(r.avg_hours_to_fulfil, placeKey(r)).to.equal(null);
      else expect(Number(r.avg_hours_to_fulfil), `hours to fulfil in ${placeKey(r)}`).to.be.closeTo(timed.reduce((a, h) => a + h, 0) / timed.length, 1e-6);
    }
    expect(geography.some((r) => Number(r.fulfilment_rate) > 0 && Number(r.fulfilment_rate) < 1), 'places with some orders fulfilled and some not').to.equal(true);

    // Cohorts: customers by the month of their first counted order, and who ordered again in each later month.
    const months = new Map<number, Set<string>>();
    for (const o of counted) if (o.customer !== null) months.set(o.customer, (months.get(o.customer) ?? new Set()).add(o.day.slice(0, 7)));
    const cohorts = new Map<string, number>();
    for (const set of months.values()) {
      const first = [...set].sort()[0]!;
      for (const m of set) add(cohorts, `${first}-01/${(Number(m.slice(0, 4)) - Number(first.slice(0, 4))) * 12 + Number(m.slice(5)) - Number(first.slice(5))}`, 1);
    }
    const cohortRows = readModel(dest, 'customer_cohorts');
    expect(byKey(new Map(cohortRows.map((r) => [`${String(r.cohort_month)}/${String(r.month_offset)}`, Number(r.retained)])))).to.deep.equal(byKey(cohorts));
    // A cohort's size is its month-0 row's retained (every customer orders in their first month), on each of its rows.
    for (const r of cohortRows) {
      const size = cohorts.get(`${String(r.cohort_month)}/0`)!;
      expect(Number(r.customers), `cohort ${String(r.cohort_month)}`).to.equal(size);
      expect(Number(r.retention_rate), `retention of ${String(r.cohort_month)} +${String(r.month_offset)}`).to.be.closeTo(Number(r.retained) / size, 1e-12);
    }
  });

  it('models Parquet parts (--format parquet) as it models NDJSON ones, and writes each model as Parquet too', async () => {
    const ndjson = join(dir, 'ndjson-twin');
    const parquet = join(dir, 'parquet');
    const entities = 'shop,orders,order_sales';
    for (const [dest, extra] of [[ndjson, []], [parquet, ['--format', 'parquet']]] as const) {
      const result = await run(dest, entities, [...extra]);
      expect(result.code, result.stderr).to.equal(0);
    }
    // days_since_last_order counts to each destination's own latest extraction, a minute apart.
    const figures = (dest: string, model: string): Rec[] => readModel(dest, model).map(({ days_since_last_order: _, ...rest }) => rest);
    const instance = await DuckDBInstance.create(':memory:');
    const connection = await instance.connect();
    try {
      for (const model of models) {
        expect(figures(parquet, model.name), model.name).to.deep.equal(figures(ndjson, model.name));
        const path = join(parquet, '_models', model.name, `${model.name}.parquet`);
        const [row] = (await connection.runAndReadAll(`SELECT COUNT(*) AS n FROM read_parquet('${path}')`)).getRowObjectsJson();
        expect(Number(row!.n), `${model.name}.parquet`).to.equal(readModel(parquet, model.name).length);
      }
      expect(existsSync(join(ndjson, '_models', 'geography', 'geography.parquet')), 'no Parquet beside NDJSON parts').to.equal(false);
    } finally {
      connection.closeSync();
      instance.closeSync();
    }
  });

  it('keeps the shops of one destination apart: each shop\'s figures, in its own time zone, are its store\'s', async () => {
    const other = await startSandbox({ seed: 7, shopDomain: 'second.myshopify.com', operationDelayMs: 20, size: { orders: 40, customers: 15, products: 6 }, features: { timeZone: 'America/Los_Angeles' } });
    try {
      const dest = join(dir, 'two-shops');
      // Each shop's state as a shops-file job names it (state-<shop>.db), so `models --shops-file` reads both.
      const state = join(dir, 'state.db');
      for (const s of [sandbox, other]) {
        const result = await runCli(
          ['run', '--shop', s.shopDomain, '--admin-url', s.url, '--dest', dest, '--state', perShopStatePath(state, s.shopDomain), '--poll-interval', '20ms', '--log-format', 'json', '--entities', 'shop,orders,order_sales', '--safety-lag', '0s'],
          { SHOPIFY_ACCESS_TOKEN: s.token },
        );
        expect(result.code, result.stderr).to.equal(0);
      }
      const shopsFile = join(dir, 'shops.json');
      writeFileSync(shopsFile, JSON.stringify({ shops: [sandbox, other].map((s) => ({ shop: s.shopDomain, tokenEnv: 'UNUSED_TOKEN' })) }));
      const modelled = await runCli(['models', '--dest', dest, '--state', state, '--shops-file', shopsFile, '--log-format', 'json']);
      expect(modelled.code, modelled.stderr).to.equal(0);
      expect(modelled.stderr, 'every shop of the destination has its state').to.not.include('no state read holds');
      // With one shop's state alone, the other's is named as modelled from its manifests as they are.
      const one = await runCli(['models', '--dest', dest, '--state', perShopStatePath(state, sandbox.shopDomain), '--log-format', 'json']);
      expect(one.code, one.stderr).to.equal(0);
      expect(one.stderr).to.include(`no state read holds ${other.shopDomain}:`);
      const clv = readModel(dest, 'customer_lifetime_value');
      const daily = readModel(dest, 'daily_financials');
      const places = readModel(dest, 'geography');
      for (const s of [sandbox, other]) {
        const orders = storeOrders(s);
        const spent = new Map<number, number>();
        const net = new Map<string, number>();
        const revenue = new Map<string, number>();
        for (const o of orders.filter((o) => o.counted)) {
          if (o.customer !== null) add(spent, o.customer, o.spent);
          add(revenue, `${o.country}/${o.province}`, o.spent);
        }
        for (const o of orders.filter((o) => !o.test)) for (const sale of o.sales) add(net, sale.day, sale.type === 'ProductSale' || sale.type === 'AdjustmentSale' ? sale.total - sale.tax : 0);
        const of = (rows: Rec[]): Rec[] => rows.filter((r) => r.shop === s.shopDomain);
        expect(byKey(new Map(of(clv).map((r) => [Number(r.customer_id), cents(r.total_spent)])))).to.deep.equal(byKey(spent));
        expect(byKey(new Map(of(daily).filter((r) => net.has(String(r.day))).map((r) => [String(r.day), cents(r.net_sales)])))).to.deep.equal(byKey(net));
        // Zero on every day.
        expect(of(daily).filter((r) => cents(r.difference) !== 0).map((r) => r.day), `${s.shopDomain}: days with a difference`).to.deep.equal([]);
        expect(byKey(new Map(of(places).map((r) => [`${String(r.country)}/${String(r.province)}`, cents(r.revenue)])))).to.deep.equal(byKey(revenue));
      }
    } finally {
      await other.close();
    }
  });

  it('models a destination whose runs never extracted the sales ledger with its figures null, and says so; refuses a bucket with what to do instead', async () => {
    const dest = join(dir, 'no-ledger');
    const result = await run(dest, 'shop,orders');
    expect(result.code, result.stderr).to.equal(0);
    expect(result.stderr).to.include('no run extracted order_sales').and.include('daily_financials (gross_sales');
    const financials = readModel(dest, 'daily_financials');
    expect(financials.length).to.be.greaterThan(0);
    // Neither were Shopify Payments' payouts and balance transactions: null too, not zero.
    for (const r of financials) expect([r.net_sales, r.total_sales, r.difference, r.payouts, r.fees], String(r.day)).to.deep.equal([null, null, null, null, null]);
    expect(financials.some((r) => cents(r.orders_total) !== 0)).to.equal(true);
    expect(readModel(dest, 'product_performance').every((r) => r.net_revenue === null && r.units_sold === null && Number(r.orders) > 0)).to.equal(true);

    // The command on its own, over the same folder: the same files.
    const before = readModel(dest, 'customer_lifetime_value');
    const again = await runCli(['models', '--dest', dest, '--state', `${dest}.db`, '--log-format', 'pretty']);
    expect(again.code, again.stderr).to.equal(0);
    expect(again.stdout).to.include(join(dest, '_models', 'customer_lifetime_value', 'customer_lifetime_value.ndjson.gz'));
    expect(readModel(dest, 'customer_lifetime_value')).to.deep.equal(before);

    const bucket = await runCli(['models', '--dest', 'gs://bucket/shopify', '--log-format', 'pretty']);
    expect(bucket.code).to.equal(2);
    expect(bucket.stderr).to.include('models/bigquery');
  });
});

// The models read the destination through its manifests, and a manifest lists a window's files just
// before the state commits it (the commit protocol's steps 6 and 7): between the two, or after a run
// that died there, the files are listed and not committed. With the run's --state, only what the state
// committed is modelled, a table behind another is named, and so is each shop's last run.
describe('models over the run\'s --state', function () {
  this.timeout(180_000);
  let dir: string;
  let sandbox: Sandbox;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-models-state-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 40, customers: 12, products: 6 } });
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Each customer's spend, from the store's own orders (counted ones: not test, not cancelled). */
  const spentPerCustomer = (): Array<[number, number]> => {
    const spent = new Map<number, number>();
    for (const o of storeOrders(sandbox)) if (o.counted && o.customer !== null) add(spent, o.customer, o.spent);
    return byKey(spent);
  };
  const clvSpent = (dest: string): Array<[number, number]> => byKey(new Map(readModel(dest, 'customer_lifetime_value').map((r) => [Number(r.customer_id), cents(r.total_spent)])));
  const logLines = (stderr: string): Rec[] => stderr.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Rec);

  it('models only the windows the state committed: a run killed between its manifest and its commit adds nothing until its rerun commits it; the ledger behind the orders and the last run are named', async () => {
    const dest = join(dir, 'out');
    const state = join(dir, 'state.db');
    const args = ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--dest', dest, '--state', state, '--poll-interval', '20ms', '--log-format', 'json', '--safety-lag', '0s'];
    const env = { SHOPIFY_ACCESS_TOKEN: sandbox.token };
    const first = await runCli(['run', ...args, '--entities', 'shop,orders,order_sales'], env);
    expect(first.code, first.stderr).to.equal(0);
    const before = spentPerCustomer();

    // New orders, then a run of orders alone killed after its manifest listed them, before its commit.
    sandbox.store.mutate({ entities: ['orders'], touch: 0, add: 6, at: new Date() });
    const after = spentPerCustomer();
    expect(after, 'the new orders change some customer\'s spend').to.not.deep.equal(before);
    await killAt(startCli(['run', ...args, '--entities', 'orders', '--pause-at', 'orders:before-commit'], env), (e) => e.checkpoint === 'before-commit');
    const [, killed] = manifests(dest);
    expect(killed!.windows.map((w) => w.entity), 'the killed run\'s manifest lists its orders window').to.deep.equal(['orders']);

    const modelled = await runCli(['models', '--dest', dest, '--state', state, '--log-format', 'json']);
    expect(modelled.code, modelled.stderr).to.equal(0);
    expect(clvSpent(dest), 'the figures of what the state committed, the store before its new orders').to.deep.equal(before);
    const withheld = logLines(modelled.stderr).find((l) => typeof l.message === 'string' && l.message.includes('not committed'));
    expect(withheld, modelled.stderr).to.deep.include({ severity: 'WARNING', shop: sandbox.shopDomain, runs: [killed!.runId] });
    const lastRun = logLines(modelled.stderr).find((l) => l.lastRun !== undefined);
    expect(lastRun, modelled.stderr).to.deep.include({ shop: sandbox.shopDomain, lastRun: killed!.runId, lastRunStatus: 'running' });

    // The rerun commits the window: its orders are modelled now. order_sales was not in it, so the
    // ledger is a run behind the orders (nulled, as before) and its watermark behind theirs (named).
    const rerun = await runCli(['run', ...args, '--entities', 'orders', '--models'], env);
    expect(rerun.code, rerun.stderr).to.equal(0);
    expect(clvSpent(dest), 'the store\'s figures with its new orders').to.deep.equal(after);
    const status = JSON.parse((await runCli(['status', '--state', state, '--json'])).stdout) as Array<{ entity: string; watermark: string }>;
    const watermark = (entity: string): string => status.find((s) => s.entity === entity)!.watermark;
    expect(watermark('order_sales') < watermark('orders'), 'order_sales complete up to an earlier instant').to.equal(true);
    const behind = logLines(rerun.stderr).find((l) => l.entity === 'order_sales' && l.behind === 'orders');
    expect(behind, rerun.stderr).to.deep.include({ severity: 'WARNING', shop: sandbox.shopDomain, watermark: watermark('order_sales'), behindWatermark: watermark('orders') });
    const [, , last] = manifests(dest);
    const pretty = await runCli(['models', '--dest', dest, '--state', state, '--log-format', 'pretty']);
    expect(pretty.code, pretty.stderr).to.equal(0);
    expect(pretty.stdout).to.include(`${sandbox.shopDomain}: last run ${last!.runId} (succeeded`);
  });

  it('refuses a --state that is not there or not a state database, with its code (exit 2), as report does', async () => {
    const dest = join(dir, 'out');
    const missing = await runCli(['models', '--dest', dest, '--state', join(dir, 'nowhere.db'), '--log-format', 'json']);
    expect(missing.code).to.equal(2);
    expect(logLines(missing.stderr).map((l) => l.code)).to.deep.equal(['CONFIG_INVALID']);
    expect(missing.stderr).to.include('no state database at');
    const notState = join(dir, 'not-a-state.db');
    writeFileSync(notState, 'these bytes are no SQLite database, whatever the name says\n'.repeat(40));
    for (const command of ['models', 'report']) {
      const refused = await runCli([command, '--dest', dest, '--state', notState, '--log-format', 'json']);
      expect(refused.code, `${command}: ${refused.stderr}`).to.equal(2);
      expect(logLines(refused.stderr).map((l) => l.code), command).to.deep.equal(['STATE_UNREADABLE']);
      expect(refused.stderr, command).to.include(notState);
    }
  });
});
