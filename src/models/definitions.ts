// The analytics models: one definition each, written once over the current-state views and compiled to
// DuckDB's SQL and BigQuery's by a ModelDialect (dialect.ts). Every model has a `shop` column first: a
// destination can hold many shops. Days and months are the shop's own (shop.timezone, UTC where the shop
// table was never extracted).
//
// Which orders count: an order is counted unless it is a test order or cancelled (Shopify's own
// "amount spent" leaves both out). The sales-ledger figures (net sales, net revenue, returns, …) are
// Shopify's definitions over order_sales for every non-test order, on the day its agreement happened
// (the order's own on the day it was placed, a refund's on the day it was processed): a cancelled
// order's sale and its return both show there. A shop whose latest order_sales files are older than its
// latest orders files (the ledger was not extracted by the run that read the newest orders, or never)
// gets those columns null rather than sums that miss orders: index.ts warns which shops.
import { COMMITTED_FILES, currentView } from '../views/sql.ts';
import type { ModelDialect } from './dialect.ts';

export interface ModelParams {
  /** Segments, in the shop's currency and orders: VIP, then Loyal, then Regular; One-time and Emerging below. */
  vipSpent: number;
  vipOrders: number;
  loyalSpent: number;
  loyalOrders: number;
  regularOrders: number;
  /** product_pairs keeps this many pairs per shop, the most co-bought first. */
  topPairs: number;
}

export const DEFAULT_MODEL_PARAMS: Readonly<ModelParams> = { vipSpent: 1000, vipOrders: 10, loyalSpent: 500, loyalOrders: 5, regularOrders: 3, topPairs: 100 };

export interface ModelDef {
  name: string;
  description: string;
  /** The output columns, in order, with what each holds. */
  columns: Readonly<Record<string, string>>;
  /** The columns that come from the sales ledger: null for a shop without a current one. */
  ledgerColumns: readonly string[];
  /** The order rows are written in. */
  orderBy: string;
  sql(d: ModelDialect, p: ModelParams): string;
}

const view = (d: ModelDialect, table: string): string => d.name(currentView(table));

/** Each shop's time zone (the shop table's latest snapshot). */
const timeZones = (d: ModelDialect): string => `SELECT _shop, MAX(timezone) AS timezone FROM ${view(d, 'shop')} GROUP BY _shop`;

/** The counted orders, with the day they were placed and what the customer spent on them (total less refunds). */
const counted = (d: ModelDialect): string =>
  [
    `SELECT o._shop, o.id, o.customer_id, o.created_at, ${d.localDate('o.created_at', "COALESCE(tz.timezone, 'UTC')")} AS day,`,
    '    o.total_price - COALESCE(o.total_refunded, 0) AS spent, o.display_fulfillment_status, o.shipping_address_country, o.shipping_address_province',
    `  FROM ${view(d, 'orders')} AS o LEFT JOIN (${timeZones(d)}) AS tz ON tz._shop = o._shop`,
    '  WHERE NOT COALESCE(o.test, FALSE) AND o.cancelled_at IS NULL',
  ].join('\n');

/** Every sale of a non-test order, on the day (shop time) its agreement happened; money NUMERIC, signed. */
const ledger = (d: ModelDialect): string =>
  [
    `SELECT o._shop, o.id AS order_id, ${d.localDate('a.happened_at', "COALESCE(tz.timezone, 'UTC')")} AS day, s.sale_type, s.action_type, s.quantity, s.line_item_id,`,
    '    s.total_amount, COALESCE(s.total_tax_amount, 0) AS tax, COALESCE(s.total_discount_amount_before_taxes, 0) AS discount',
    `  FROM ${view(d, 'order_sales')} AS s`,
    `  JOIN ${view(d, 'order_agreements')} AS a ON a._shop = s._shop AND a.id = s.agreement_id`,
    `  JOIN ${view(d, 'orders')} AS o ON o._shop = a._shop AND o.id = a.order_id`,
    `  LEFT JOIN (${timeZones(d)}) AS tz ON tz._shop = o._shop`,
    '  WHERE NOT COALESCE(o.test, FALSE)',
  ].join('\n');

/**
 * The line items counted orders bought, with their ledger figures (CTEs for a model's WITH, `lines`
 * last): units sold (by the order's and its edits' sales, before returns), units returned, net sales
 * before tax. A line an edit removed whole is not bought: Shopify keeps it on the
 * order (quantity as ordered, current_quantity 0), and its edit's sales sell its units back, so it sold
 * none. Not current_quantity, which a refund takes to 0 as well: a returned line was bought. A line the
 * ledger holds no sale of (a shop without one) is kept, as the orders alone cannot tell.
 */
const boughtLines = (d: ModelDialect): Record<string, string> => ({
  counted: counted(d),
  ledger: ledger(d),
  // Every sale of a line item: a gift card's too.
  line_sales: [
    "SELECT _shop, line_item_id, SUM(CASE WHEN sale_type = 'ProductSale' THEN total_amount - tax ELSE 0 END) AS net,",
    "    -SUM(CASE WHEN sale_type = 'ProductSale' AND action_type = 'RETURN' THEN quantity ELSE 0 END) AS returned, SUM(CASE WHEN action_type <> 'RETURN' THEN quantity ELSE 0 END) AS sold",
    '  FROM ledger WHERE line_item_id IS NOT NULL GROUP BY _shop, line_item_id',
  ].join('\n'),
  lines: [
    'SELECT c._shop, c.id AS order_id, c.customer_id, c.created_at, li.id AS line_item_id, li.product_id, li.variant_id, li.title, s.sold, s.net, s.returned',
    `  FROM counted AS c JOIN ${view(d, 'order_line_items')} AS li ON li._shop = c._shop AND li.order_id = c.id`,
    '  LEFT JOIN line_sales AS s ON s._shop = li._shop AND s.line_item_id = li.id',
    '  WHERE s.line_item_id IS NULL OR s.sold > 0',
  ].join('\n'),
});

/** Shops whose ledger is as recent as their orders: the latest run that committed order_sales is at least the latest that committed orders. */
const ledgered = (d: ModelDialect): string =>
  [
    `SELECT shop FROM ${d.name(COMMITTED_FILES)} WHERE table_name IN ('orders', 'order_sales') GROUP BY shop`,
    "  HAVING MAX(CASE WHEN table_name = 'order_sales' THEN run_id END) >= MAX(CASE WHEN table_name = 'orders' THEN run_id END)",
  ].join('\n');

/** Shops a run extracted a table for (a snapshot entity writes a part, empty or not, every run): Shopify Payments' figures are null elsewhere. */
const extracted = (d: ModelDialect, table: string): string => `SELECT DISTINCT shop FROM ${d.name(COMMITTED_FILES)} WHERE table_name = '${table}'`;

/**
 * A sale's part in each of Shopify's sales figures (amounts before tax): gross sales are the products
 * sold at their price before discounts, discounts what came off them (given back on a return), returns
 * what returned products and refund adjustments take back, shipping the shipping lines' sales, other
 * the rest (gift cards, tips, duties, fees); net sales = gross + discounts + returns; total sales are
 * every sale with its tax, so total = net + shipping + other + taxes.
 */
const SALE_PARTS = {
  gross: "CASE WHEN sale_type = 'ProductSale' AND action_type <> 'RETURN' THEN total_amount - tax + discount ELSE 0 END",
  discounts: "CASE WHEN sale_type = 'ProductSale' THEN -discount ELSE 0 END",
  returns: "CASE WHEN sale_type = 'ProductSale' AND action_type = 'RETURN' THEN total_amount - tax + discount WHEN sale_type = 'AdjustmentSale' THEN total_amount - tax ELSE 0 END",
  net: "CASE WHEN sale_type IN ('ProductSale', 'AdjustmentSale') THEN total_amount - tax ELSE 0 END",
  shipping: "CASE WHEN sale_type = 'ShippingLineSale' THEN total_amount - tax ELSE 0 END",
  other: "CASE WHEN sale_type NOT IN ('ProductSale', 'AdjustmentSale', 'ShippingLineSale') THEN total_amount - tax ELSE 0 END",
  taxes: 'tax',
  total: 'total_amount',
} as const;

/** A ledger column: the shop's figure, or null for a shop without a current ledger (joined as `lg`). */
const fromLedger = (expression: string): string => `CASE WHEN lg.shop IS NULL THEN NULL ELSE ${expression} END`;

const withClause = (parts: Record<string, string>): string => `WITH ${Object.entries(parts).map(([name, body]) => `${name} AS (\n  ${body}\n)`).join(', ')}`;

const segment = (p: ModelParams): string =>
  [
    `CASE WHEN spent >= ${p.vipSpent} AND orders >= ${p.vipOrders} THEN 'VIP'`,
    `WHEN spent >= ${p.loyalSpent} AND orders >= ${p.loyalOrders} THEN 'Loyal'`,
    `WHEN orders >= ${p.regularOrders} THEN 'Regular'`,
    "WHEN orders = 1 THEN 'One-time' ELSE 'Emerging' END",
  ].join(' ');

export const models: readonly ModelDef[] = [
  {
    name: 'customer_lifetime_value',
    description: 'One row per customer with a counted order: orders, what they spent, average order value, first and last order, days since the last, and a segment.',
    columns: {
      shop: 'the shop\'s myshopify domain',
      customer_id: 'the customer',
      orders: 'counted orders',
      total_spent: 'their totals less their refunds (Shopify\'s amount spent)',
      average_order_value: 'total_spent / orders, to the cent (halves away from zero)',
      first_order_at: 'when the first counted order was placed',
      last_order_at: 'when the last counted order was placed',
      days_since_last_order: 'whole days from last_order_at to the latest extraction of the shop\'s orders (the data\'s "now")',
      segment: 'VIP (total_spent >= --segment-vip-spent and orders >= --segment-vip-orders), else Loyal (--segment-loyal-spent, --segment-loyal-orders), else Regular (orders >= --segment-regular-orders), else One-time (one order), else Emerging',
    },
    ledgerColumns: [],
    orderBy: 'shop, customer_id',
    sql: (d, p) => `${withClause({
      counted: counted(d),
      per: 'SELECT _shop, customer_id, COUNT(*) AS orders, SUM(spent) AS spent, MIN(created_at) AS first_order_at, MAX(created_at) AS last_order_at\n  FROM counted WHERE customer_id IS NOT NULL GROUP BY _shop, customer_id',
      as_of: `SELECT _shop, MAX(_extracted_at) AS extracted_at FROM ${view(d, 'orders')} GROUP BY _shop`,
    })}
SELECT per._shop AS shop, per.customer_id, per.orders, ${d.cents('per.spent')} AS total_spent, ${d.centsPer('per.spent', 'per.orders')} AS average_order_value,
  per.first_order_at, per.last_order_at, ${d.div(d.secondsBetween('per.last_order_at', 'as_of.extracted_at'), '86400')} AS days_since_last_order,
  ${segment(p)} AS segment
FROM per JOIN as_of ON as_of._shop = per._shop`,
  },
  {
    name: 'product_performance',
    description: 'One row per product and variant sold in a counted order: units sold and net revenue from the ledger, orders, customers, the share of units returned, first and last sale.',
    columns: {
      shop: 'the shop\'s myshopify domain',
      product_id: 'the product (null for a custom line item or a product deleted since)',
      variant_id: 'the variant',
      title: 'the line items\' title',
      units_sold: 'units sold in counted orders: the ledger\'s sales of those line items by the order and its edits (units an edit removed taken off), before returns',
      net_revenue: 'the ledger\'s product sales of those line items before tax: after discounts, returns subtracted',
      orders: 'counted orders that bought it (a line an edit removed whole is not bought)',
      customers: 'distinct customers of those orders',
      refund_rate: 'units returned (the ledger\'s returns of those line items) / units_sold',
      first_sale_at: 'when the first of those orders was placed',
      last_sale_at: 'when the last one was placed',
    },
    ledgerColumns: ['units_sold', 'net_revenue', 'refund_rate'],
    orderBy: 'shop, product_id NULLS LAST, variant_id NULLS LAST',
    sql: (d) => `${withClause({ ...boughtLines(d), ledgered: ledgered(d) })}
SELECT l._shop AS shop, l.product_id, l.variant_id, MAX(l.title) AS title, ${fromLedger('COALESCE(SUM(l.sold), 0)')} AS units_sold,
  ${fromLedger(d.cents('COALESCE(SUM(l.net), 0)'))} AS net_revenue,
  COUNT(DISTINCT l.order_id) AS orders, COUNT(DISTINCT l.customer_id) AS customers,
  ${fromLedger(d.ratio('COALESCE(SUM(l.returned), 0)', 'COALESCE(SUM(l.sold), 0)'))} AS refund_rate,
  MIN(l.created_at) AS first_sale_at, MAX(l.created_at) AS last_sale_at
FROM lines AS l
LEFT JOIN ledgered AS lg ON lg.shop = l._shop
GROUP BY l._shop, l.product_id, l.variant_id, lg.shop`,
  },
  {
    name: 'product_pairs',
    description: 'The products most often bought together: per shop, the --top-pairs pairs of products in the most counted orders.',
    columns: {
      shop: 'the shop\'s myshopify domain',
      product_a_id: 'one product (the lower id)',
      product_b_id: 'the other',
      orders: 'counted orders that bought both (as product_performance\'s orders)',
      pair_rank: '1 for the pair in the most orders (ties by ids)',
    },
    ledgerColumns: [],
    orderBy: 'shop, pair_rank',
    sql: (d, p) => `${withClause({
      ...boughtLines(d),
      bought: 'SELECT DISTINCT _shop, order_id, product_id FROM lines WHERE product_id IS NOT NULL',
      pairs: 'SELECT a._shop, a.product_id AS product_a_id, b.product_id AS product_b_id, COUNT(*) AS orders\n  FROM bought AS a JOIN bought AS b ON b._shop = a._shop AND b.order_id = a.order_id AND a.product_id < b.product_id\n  GROUP BY a._shop, a.product_id, b.product_id',
      ranked: 'SELECT pairs.*, ROW_NUMBER() OVER (PARTITION BY _shop ORDER BY orders DESC, product_a_id, product_b_id) AS pair_rank FROM pairs',
    })}
SELECT _shop AS shop, product_a_id, product_b_id, orders, pair_rank FROM ranked WHERE pair_rank <= ${p.topPairs}`,
  },
  {
    name: 'daily_financials',
    description: 'Per day (shop time): Shopify\'s sales figures from the ledger, refunds, Shopify Payments payouts and fees, and the orders\' own totals to reconcile against.',
    columns: {
      shop: 'the shop\'s myshopify domain',
      day: 'the calendar day in the shop\'s time zone',
      gross_sales: 'products sold at their price before discounts (before tax)',
      discounts: 'discounts on them (negative; given back on a return: positive)',
      returns: 'returned products and refund adjustments (negative)',
      net_sales: 'gross_sales + discounts + returns',
      shipping: 'shipping sales and their returns (before tax)',
      other_sales: 'every other sale (gift cards, tips, duties, fees; before tax)',
      taxes: 'taxes of every sale',
      total_sales: 'every sale with its tax: net_sales + shipping + other_sales + taxes',
      refunds: 'refunds processed (order_refunds, positive)',
      payouts: 'Shopify Payments payouts issued (net; a withdrawal negative); null where no run extracted payouts',
      fees: 'Shopify Payments fees (balance transactions); null where no run extracted balance_transactions',
      orders_total: 'from the orders\' own columns, dated as the ledger dates their sales: totals as placed (original_total_price) of the orders placed, what edits changed of their totals (total_price - original_total_price) on the day of each order\'s last edit, less refunds processed',
      difference: 'total_sales - orders_total: zero on consistent data, each day (an order edited on several days has the whole change on its last edit\'s day, its edits\' sales on theirs)',
    },
    ledgerColumns: ['gross_sales', 'discounts', 'returns', 'net_sales', 'shipping', 'other_sales', 'taxes', 'total_sales', 'difference'],
    orderBy: 'shop, day',
    sql: (d) => {
      const tz = "COALESCE(tz.timezone, 'UTC')";
      const zero = ['gross', 'discounts', 'returns', 'net', 'shipping', 'other', 'taxes', 'total', 'refunds', 'payouts', 'fees', 'orders_total'];
      const row = (values: Record<string, string>): string => zero.map((c) => `${values[c] ?? '0'} AS ${c}`).join(', ');
      const sum = (c: string): string => d.cents(`SUM(f.${c})`);
      // Orders written before original_total_price was extracted: their edits' change stays on the day placed.
      const placedTotal = 'COALESCE(o.original_total_price, o.total_price)';
      return `${withClause({
        ledger: ledger(d),
        // Each edited order's last edit (order_agreements, which the orders entity writes).
        edited: `SELECT _shop, order_id, MAX(happened_at) AS edited_at FROM ${view(d, 'order_agreements')} WHERE agreement_type = 'OrderEditAgreement' GROUP BY _shop, order_id`,
        ledgered: ledgered(d),
        paid_out: extracted(d, 'payouts'),
        charged: extracted(d, 'balance_transactions'),
        facts: [
          `SELECT _shop, day, ${row(Object.fromEntries(Object.entries(SALE_PARTS).map(([k, v]) => [k, v])))} FROM ledger`,
          // An order's total as placed on the day placed and what its edits changed on the day of the last:
          // the days the ledger dates its order's and its edits' sales on.
          `  UNION ALL SELECT o._shop, ${d.localDate('o.created_at', tz)}, ${row({ orders_total: `CASE WHEN e.order_id IS NULL THEN o.total_price ELSE ${placedTotal} END` })}`,
          `  FROM ${view(d, 'orders')} AS o LEFT JOIN edited AS e ON e._shop = o._shop AND e.order_id = o.id`,
          `  LEFT JOIN (${timeZones(d)}) AS tz ON tz._shop = o._shop WHERE NOT COALESCE(o.test, FALSE)`,
          `  UNION ALL SELECT o._shop, ${d.localDate('e.edited_at', tz)}, ${row({ orders_total: `o.total_price - ${placedTotal}` })}`,
          `  FROM edited AS e JOIN ${view(d, 'orders')} AS o ON o._shop = e._shop AND o.id = e.order_id`,
          `  LEFT JOIN (${timeZones(d)}) AS tz ON tz._shop = o._shop WHERE NOT COALESCE(o.test, FALSE)`,
          `  UNION ALL SELECT o._shop, ${d.localDate('COALESCE(r.processed_at, r.created_at)', tz)}, ${row({ refunds: 'r.total_refunded', orders_total: '-r.total_refunded' })}`,
          `  FROM ${view(d, 'order_refunds')} AS r JOIN ${view(d, 'orders')} AS o ON o._shop = r._shop AND o.id = r.order_id`,
          `  LEFT JOIN (${timeZones(d)}) AS tz ON tz._shop = o._shop WHERE NOT COALESCE(o.test, FALSE)`,
          `  UNION ALL SELECT p._shop, ${d.localDate('p.issued_at', tz)}, ${row({ payouts: "CASE WHEN p.transaction_type = 'WITHDRAWAL' THEN -p.net ELSE p.net END" })}`,
          `  FROM ${view(d, 'payouts')} AS p LEFT JOIN (${timeZones(d)}) AS tz ON tz._shop = p._shop`,
          `  UNION ALL SELECT b._shop, ${d.localDate('b.transaction_date', tz)}, ${row({ fees: 'b.fee' })}`,
          `  FROM ${view(d, 'balance_transactions')} AS b LEFT JOIN (${timeZones(d)}) AS tz ON tz._shop = b._shop`,
        ].join('\n'),
      })}
SELECT f._shop AS shop, f.day,
  ${fromLedger(sum('gross'))} AS gross_sales, ${fromLedger(sum('discounts'))} AS discounts, ${fromLedger(sum('returns'))} AS returns,
  ${fromLedger(sum('net'))} AS net_sales, ${fromLedger(sum('shipping'))} AS shipping, ${fromLedger(sum('other'))} AS other_sales,
  ${fromLedger(sum('taxes'))} AS taxes, ${fromLedger(sum('total'))} AS total_sales,
  ${sum('refunds')} AS refunds, CASE WHEN po.shop IS NULL THEN NULL ELSE ${sum('payouts')} END AS payouts,
  CASE WHEN ch.shop IS NULL THEN NULL ELSE ${sum('fees')} END AS fees, ${sum('orders_total')} AS orders_total,
  ${fromLedger(d.cents('SUM(f.total) - SUM(f.orders_total)'))} AS difference
FROM facts AS f LEFT JOIN ledgered AS lg ON lg.shop = f._shop LEFT JOIN paid_out AS po ON po.shop = f._shop LEFT JOIN charged AS ch ON ch.shop = f._shop
GROUP BY f._shop, f.day, lg.shop, po.shop, ch.shop`;
    },
  },
  {
    name: 'geography',
    description: 'Per country and province of the shipping address (null: none): counted orders, customers, revenue, average order value, how many were fulfilled and how fast.',
    columns: {
      shop: 'the shop\'s myshopify domain',
      country: 'shipping address country (null: no shipping address)',
      province: 'shipping address province',
      orders: 'counted orders',
      customers: 'distinct customers of those orders',
      revenue: 'their totals less refunds',
      average_order_value: 'revenue / orders, to the cent (halves away from zero)',
      fulfilment_rate: 'share of the orders fulfilled (display_fulfillment_status FULFILLED)',
      avg_hours_to_fulfil: 'mean hours from a fulfilled order being placed to its first fulfillment',
    },
    ledgerColumns: [],
    orderBy: 'shop, country NULLS LAST, province NULLS LAST',
    sql: (d) => `${withClause({
      counted: counted(d),
      fulfilled: `SELECT _shop, order_id, MIN(created_at) AS fulfilled_at FROM ${view(d, 'order_fulfillments')} GROUP BY _shop, order_id`,
    })}
SELECT c._shop AS shop, c.shipping_address_country AS country, c.shipping_address_province AS province,
  COUNT(*) AS orders, COUNT(DISTINCT c.customer_id) AS customers, ${d.cents('SUM(c.spent)')} AS revenue, ${d.centsPer('SUM(c.spent)', 'COUNT(*)')} AS average_order_value,
  ${d.ratio("SUM(CASE WHEN c.display_fulfillment_status = 'FULFILLED' THEN 1 ELSE 0 END)", 'COUNT(*)')} AS fulfilment_rate,
  AVG(CASE WHEN c.display_fulfillment_status = 'FULFILLED' THEN ${d.secondsBetween('c.created_at', 'f.fulfilled_at')} END) / 3600 AS avg_hours_to_fulfil
FROM counted AS c LEFT JOIN fulfilled AS f ON f._shop = c._shop AND f.order_id = c.id
GROUP BY c._shop, c.shipping_address_country, c.shipping_address_province`,
  },
  {
    name: 'daily_shop',
    description: 'Per day (shop time): counted orders placed, their customers and how many ordered for the first time, and units sold, gross and net sales from the ledger.',
    columns: {
      shop: 'the shop\'s myshopify domain',
      day: 'the calendar day in the shop\'s time zone',
      orders: 'counted orders placed',
      customers: 'distinct customers who placed them',
      new_customers: 'of those, customers whose first counted order it was',
      units: 'units sold in them, as product_performance\'s units_sold',
      gross_sales: 'as daily_financials',
      net_sales: 'as daily_financials',
    },
    ledgerColumns: ['units', 'gross_sales', 'net_sales'],
    orderBy: 'shop, day',
    sql: (d) => `${withClause({
      counted: counted(d),
      ledger: ledger(d),
      ledgered: ledgered(d),
      firsts: 'SELECT _shop, customer_id, MIN(day) AS day FROM counted WHERE customer_id IS NOT NULL GROUP BY _shop, customer_id',
      facts: [
        'SELECT c._shop, c.day, c.id AS order_id, c.customer_id, CASE WHEN n.day = c.day THEN c.customer_id END AS new_customer_id, 0 AS units, 0 AS gross, 0 AS net',
        '  FROM counted AS c LEFT JOIN firsts AS n ON n._shop = c._shop AND n.customer_id = c.customer_id',
        `  UNION ALL SELECT c._shop, c.day, NULL, NULL, NULL, l.quantity, 0, 0 FROM counted AS c JOIN ledger AS l ON l._shop = c._shop AND l.order_id = c.id`,
        `  JOIN ${view(d, 'order_line_items')} AS li ON li._shop = l._shop AND li.order_id = c.id AND li.id = l.line_item_id WHERE l.action_type <> 'RETURN'`,
        `  UNION ALL SELECT _shop, day, NULL, NULL, NULL, 0, ${SALE_PARTS.gross}, ${SALE_PARTS.net} FROM ledger`,
      ].join('\n'),
    })}
SELECT f._shop AS shop, f.day, COUNT(DISTINCT f.order_id) AS orders, COUNT(DISTINCT f.customer_id) AS customers, COUNT(DISTINCT f.new_customer_id) AS new_customers,
  ${fromLedger('SUM(f.units)')} AS units, ${fromLedger(d.cents('SUM(f.gross)'))} AS gross_sales, ${fromLedger(d.cents('SUM(f.net)'))} AS net_sales
FROM facts AS f LEFT JOIN ledgered AS lg ON lg.shop = f._shop
GROUP BY f._shop, f.day, lg.shop`,
  },
  {
    name: 'customer_cohorts',
    description: 'Monthly cohorts by first counted order (shop time): per cohort and months since, how many of its customers ordered again that month.',
    columns: {
      shop: 'the shop\'s myshopify domain',
      cohort_month: 'first day of the month of the customers\' first counted order',
      month_offset: 'months since cohort_month (0: the first month)',
      customers: 'customers in the cohort',
      retained: 'of them, customers with a counted order in that month (months where none did have no row)',
      retention_rate: 'retained / customers',
    },
    ledgerColumns: [],
    orderBy: 'shop, cohort_month, month_offset',
    sql: (d) => `${withClause({
      counted: counted(d),
      active: `SELECT DISTINCT _shop, customer_id, ${d.monthStart('day')} AS order_month FROM counted WHERE customer_id IS NOT NULL`,
      firsts: 'SELECT _shop, customer_id, MIN(order_month) AS cohort_month FROM active GROUP BY _shop, customer_id',
      sizes: 'SELECT _shop, cohort_month, COUNT(*) AS customers FROM firsts GROUP BY _shop, cohort_month',
    })}
SELECT f._shop AS shop, f.cohort_month, ${d.monthsBetween('f.cohort_month', 'a.order_month')} AS month_offset, s.customers, COUNT(*) AS retained,
  ${d.ratio('COUNT(*)', 's.customers')} AS retention_rate
FROM firsts AS f
JOIN active AS a ON a._shop = f._shop AND a.customer_id = f.customer_id
JOIN sizes AS s ON s._shop = f._shop AND s.cohort_month = f.cohort_month
GROUP BY f._shop, f.cohort_month, a.order_month, s.customers`,
  },
];

