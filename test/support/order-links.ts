// The sales ledger (order_sales) and refund and return detail (refund_detail) against the orders they
// belong to: every link to a parent and to a line of the same order, and the sums Shopify keeps between
// them, to the cent. Checked on the demo's output (test/cli/run.test.ts) and on the entities' own runs
// (test/e2e/order-sales.test.ts, refund-detail.test.ts).
import { cents } from './output.ts';

type Row = Record<string, unknown>;
/** A table's rows by name. */
export type TableRows = (table: string) => Row[];

const orderOf = (rows: Row[]): Map<unknown, unknown> => new Map(rows.map((r) => [r.id, r.order_id]));

/**
 * Every link that does not hold, as `table id: what`: a sale's agreement and that agreement's order;
 * a sale's line item or shipping line, on the same order; a refund line item's refund and line item,
 * refunded shipping's refund and shipping line, each on the refund's order; an adjustment's refund;
 * a return line item's return and (but for an unverified one) line item, on the return's order.
 */
export function brokenOrderLinks(rows: TableRows): string[] {
  const orders = new Set(rows('orders').map((o) => o.id));
  const agreementOrder = orderOf(rows('order_agreements'));
  const refundOrder = orderOf(rows('order_refunds'));
  const returnOrder = orderOf(rows('returns'));
  const lineOrder = orderOf(rows('order_line_items'));
  const shippingOrder = orderOf(rows('order_shipping_lines'));
  const broken: string[] = [];
  const check = (ok: boolean, table: string, row: Row, what: string): void => void (ok || broken.push(`${table} ${String(row.id)}: ${what}`));
  /** The row's parent is there and of an order the run wrote; its line (when it names one) is of the same order. */
  const onOrder = (table: string, row: Row, parent: string, parentOrder: Map<unknown, unknown>, lines: Array<[string, Map<unknown, unknown>]>): void => {
    const order = parentOrder.get(row[parent]);
    check(order !== undefined && orders.has(order), table, row, `${parent} ${String(row[parent])} of a written order`);
    for (const [column, lineOf] of lines) if (row[column] !== null) check(lineOf.get(row[column]) === order, table, row, `${column} ${String(row[column])} on order ${String(order)}`);
  };
  for (const a of rows('order_agreements')) check(orders.has(a.order_id), 'order_agreements', a, `order ${String(a.order_id)}`);
  for (const s of rows('order_sales')) onOrder('order_sales', s, 'agreement_id', agreementOrder, [['line_item_id', lineOrder], ['shipping_line_id', shippingOrder]]);
  for (const i of rows('order_refund_line_items')) onOrder('order_refund_line_items', i, 'refund_id', refundOrder, [['line_item_id', lineOrder]]);
  for (const s of rows('order_refund_shipping_lines')) onOrder('order_refund_shipping_lines', s, 'refund_id', refundOrder, [['shipping_line_id', shippingOrder]]);
  for (const a of rows('order_adjustments')) onOrder('order_adjustments', a, 'refund_id', refundOrder, []);
  for (const i of rows('return_line_items')) {
    onOrder('return_line_items', i, 'return_id', returnOrder, [['line_item_id', lineOrder]]);
    check((i.line_item_id === null) === (i.line_type === 'UnverifiedReturnLineItem'), 'return_line_items', i, 'a line item exactly when verified');
  }
  return broken;
}

/** The orders whose sales, over all their agreements, do not add up to their total less their refunds: `order id: sales ≠ expected` in cents. */
export function unreconciledSales(rows: TableRows): string[] {
  const agreementOrder = orderOf(rows('order_agreements'));
  const sold = new Map<unknown, number>();
  for (const sale of rows('order_sales')) {
    const order = agreementOrder.get(sale.agreement_id);
    sold.set(order, (sold.get(order) ?? 0) + cents(sale.total_amount));
  }
  return rows('orders').flatMap((o) => {
    const [sales, expected] = [sold.get(o.id) ?? 0, cents(o.total_price) - cents(o.total_refunded)];
    return sales === expected ? [] : [`order ${String(o.id)}: ${sales} ≠ ${expected}`];
  });
}

/** The refunds whose line items' subtotal and tax, plus their shipping's, less their adjustments and tax, are not what they refunded: `refund id: sum ≠ total` in cents. */
export function unreconciledRefunds(rows: TableRows): string[] {
  const sum = new Map<unknown, number>();
  const add = (refund: unknown, amount: number): void => void sum.set(refund, (sum.get(refund) ?? 0) + amount);
  for (const i of rows('order_refund_line_items')) add(i.refund_id, cents(i.subtotal) + cents(i.total_tax));
  for (const s of rows('order_refund_shipping_lines')) add(s.refund_id, cents(s.subtotal_amount) + cents(s.tax_amount));
  for (const a of rows('order_adjustments')) add(a.refund_id, -(cents(a.amount) + cents(a.tax_amount)));
  return rows('order_refunds').flatMap((r) => ((sum.get(r.id) ?? 0) === cents(r.total_refunded) ? [] : [`refund ${String(r.id)}: ${sum.get(r.id) ?? 0} ≠ ${cents(r.total_refunded)}`]));
}
