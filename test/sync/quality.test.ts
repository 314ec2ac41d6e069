// The quality checks read a few columns of each row as it is written, without parsing it
// (src/pipeline/sums.ts, RowSums): at the place the writer noted each column begins, or by searching the
// row when none was noted or the note is wrong. Checked against JSON.parse on rows shaped as the writer
// writes them, each way, with the traps a substring search could fall into: a nested record with a key
// that ends the same way, a string value holding the key's text, nulls, numbers, and the key last.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entities } from '../../src/entities/index.ts';
import { TablePages } from '../../src/parquet/encode.ts';
import { parquetSchema } from '../../src/parquet/schema.ts';
import { readFileSync } from 'node:fs';
import { inflateRawSync, constants } from 'node:zlib';
import { queryPartByName } from '../../src/entities/index.ts';
import { processBatch } from '../../src/pipeline/batch.ts';
import { pageSums, rowSums, SUMS } from '../../src/pipeline/sums.ts';
import type { ManifestWindow } from '../../src/load/manifest.ts';
import { checkQuality } from '../../src/sync/quality.ts';

// What the checks read from a batch's rows (src/pipeline/sums.ts, tableSums), against the same rows
// through JSON.parse: an order's figures, a parent's adjacent children summed (one entry per run of
// the same parent), transactions other than successful refunds left out, a withdrawal's net negative,
// a row without its parent's id left out.
describe('quality: the sums a batch\'s rows give the checks', () => {
  const text = (rows: object[]): Buffer => Buffer.from(rows.map((r) => `${JSON.stringify(r)}\n`).join(''));
  type Marks = 'none' | 'noted' | 'wrong';
  /** The rows' sums as RowSums takes them row by row, with where each column begins noted as the writer notes it, not at all, or one byte off. */
  const taken = (table: string, rows: object[], marks: Marks): number[] => {
    const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
    const sums = rowSums(table, columns)!;
    const buf = text(rows);
    for (let start = 0, end = buf.indexOf(0x0a); end !== -1; start = end + 1, end = buf.indexOf(0x0a, start)) {
      let noted: Int32Array | null = null;
      if (marks !== 'none') {
        noted = new Int32Array(columns.length).fill(-1);
        for (const [i, c] of columns.entries()) {
          const at = buf.indexOf(`"${c}":`, start);
          if (at !== -1 && at < end) noted[i] = at + (marks === 'wrong' ? 1 : 0);
        }
      }
      sums.row(buf, start, end, noted);
    }
    return [...sums.values()];
  };
  /** The sums, the same whether the columns' places were noted, not, or wrongly. */
  const sums = (table: string, rows: object[]): number[] => {
    const searched = taken(table, rows, 'none');
    expect(taken(table, rows, 'noted'), 'read where noted').to.deep.equal(searched);
    expect(taken(table, rows, 'wrong'), 'noted one byte off').to.deep.equal(searched);
    return searched;
  };
  it('an order: id, updated_at, total, tax, discounts, refunded, its tip, duties and additional fees summed, in cents (duties not when its prices include them), and whether it was edited', () => {
    const order = { id: '5612000000007', name: '#1001', updated_at: '2026-12-01T10:00:00Z', total_price: '107.5', total_tax: '8.88', total_discounts: '0.0', total_refunded: null, total_tip_received: '5.0', original_total_duties: '6.99', original_total_additional_fees: null, duties_included: false, edited: false, line_items_count: 2 };
    expect(sums('orders', [order])).to.deep.equal([5612000000007, Date.parse(order.updated_at), 10750, 888, 0, 0, 1199, 0]);
    expect(sums('orders', [{ ...order, original_total_additional_fees: '4.5', duties_included: true }]).slice(-2)).to.deep.equal([950, 0]);
    expect(sums('orders', [{ ...order, edited: true }]).at(-1)).to.equal(1);
  });
  it('line items: adjacent rows of one order summed, another order its own entry, a row without order_id left out', () => {
    const rows = [
      { id: '1', order_id: '77', title: 'Élan "mug"', original_total: '10.05' },
      { id: '2', order_id: '77', original_total: '0.95' },
      { id: '3', order_id: null, original_total: '5.00' },
      { id: '4', order_id: '78', original_total: '2.5' },
    ];
    expect(sums('order_line_items', rows)).to.deep.equal([77, 1100, 78, 250]);
  });
  it('transactions: only successful refunds', () => {
    const rows = [
      { id: '1', order_id: '77', kind: 'SALE', status: 'SUCCESS', amount: '10.00' },
      { id: '2', order_id: '77', kind: 'REFUND', status: 'FAILURE', amount: '3.00' },
      { id: '3', order_id: '77', kind: 'REFUND', status: 'SUCCESS', amount: '4.00' },
    ];
    expect(sums('order_transactions', rows)).to.deep.equal([77, 400]);
    expect(sums('order_transactions', rows.slice(0, 2)), 'a batch without one gives an empty list, not none').to.deep.equal([]);
  });
  it('payouts: a withdrawal\'s net below zero; balance transactions summed per payout', () => {
    expect(sums('payouts', [{ id: '5', net: '12.00', transaction_type: 'DEPOSIT' }, { id: '6', net: '3.10', transaction_type: 'WITHDRAWAL' }])).to.deep.equal([5, 1200, 6, -310]);
    expect(sums('balance_transactions', [{ id: '1', payout_id: '5', net: '-3.10' }, { id: '2', payout_id: '5', net: '15.10' }])).to.deep.equal([5, 1200]);
  });
  // The same rows in a Parquet table's builders (as a --format parquet batch holds them) give the same numbers.
  it('every table, from its Parquet column builders as from its NDJSON', () => {
    const rows: Record<string, object[]> = {
      orders: [
        { id: '5612000000007', updated_at: '2026-12-01T10:00:00.123456Z', total_price: '107.5', total_tax: '8.88', total_discounts: '1.0', total_refunded: null, total_tip_received: '0.0', original_total_duties: null, original_total_additional_fees: null },
        { id: '5612000000008', updated_at: '2026-12-02T00:00:00Z', total_price: '-3.005', total_tax: null, total_discounts: '0.0', total_refunded: '2.25', total_tip_received: '2.5', original_total_duties: '1.17', original_total_additional_fees: '4.50', duties_included: false, edited: true },
        { id: '5612000000009', updated_at: '2026-12-02T00:00:00Z', total_price: '20.0', total_tax: '1.0', total_discounts: '0.0', total_refunded: null, total_tip_received: '2.5', original_total_duties: '1.17', original_total_additional_fees: '4.50', duties_included: true, edited: false },
        { id: '5612000000010', updated_at: '2026-12-02T00:00:00Z', total_price: '20.0', total_tax: '1.0', total_discounts: '0.0', total_refunded: null, total_tip_received: '0.0', original_total_duties: null, original_total_additional_fees: null, duties_included: null, edited: null },
      ],
      order_line_items: [{ id: '1', order_id: '77', title: 'Élan', original_total: '10.05' }, { id: '2', order_id: '77', original_total: '0.95' }, { id: '4', order_id: '78', original_total: null }],
      order_shipping_lines: [{ id: '1', order_id: '77', original_price: '4.99' }],
      order_refunds: [{ id: '1', order_id: '77', total_refunded: '12.00' }],
      order_transactions: [{ id: '1', order_id: '77', kind: 'SALE', status: 'SUCCESS', amount: '10.00' }, { id: '2', order_id: '77', kind: 'REFUND', status: 'SUCCESS', amount: '4.00' }, { id: '3', order_id: '78', kind: 'REFUND', status: 'FAILURE', amount: '1.00' }],
      payouts: [{ id: '5', net: '12.00', transaction_type: 'DEPOSIT' }, { id: '6', net: '3.10', transaction_type: 'WITHDRAWAL' }],
      balance_transactions: [{ id: '1', payout_id: '5', net: '-3.10' }, { id: '2', payout_id: '5', net: '15.10' }, { id: '3', payout_id: null, net: '1.00' }],
    };
    expect(Object.keys(rows).sort()).to.deep.equal(Object.keys(SUMS).sort());
    for (const [table, list] of Object.entries(rows)) {
      const def = entities.flatMap((e) => e.tables).find((t) => t.name === table)!;
      const pages = new TablePages(parquetSchema(def));
      const buf = text(list.map((r) => ({ admin_graphql_api_id: 'gid://shopify/Node/1', ...r, _extracted_at: '2026-12-03T00:00:00Z' })));
      for (let start = 0; start < buf.length; ) {
        const end = buf.indexOf(0x0a, start);
        pages.add(buf, start, end);
        start = end + 1;
      }
      const fromText = sums(table, list.map((r) => ({ admin_graphql_api_id: 'gid://shopify/Node/1', ...r, _extracted_at: '2026-12-03T00:00:00Z' })));
      expect(fromText, table).to.not.be.empty;
      expect([...pageSums(table, pages)!], table).to.deep.equal(fromText);
    }
  });
  it('an order\'s updated_at as Date.parse reads it, whatever its form (the plain one is read from the bytes, any other through Date.parse)', () => {
    const forms = ['2026-12-01T10:00:00Z', '2026-02-30T10:00:00Z', '2024-02-29T23:59:59Z', '2026-12-01T10:00:00.5Z', '2026-12-01T10:00:00.123456Z', '2026-12-01T10:00:00.Z',
      '2026-12-01T10:00:00+01:00', '0099-01-01T00:00:00Z', '0100-01-01T00:00:00Z', '2026-13-01T00:00:00Z', '2026-12-01T24:00:00Z', '2026-12-01T10:00:60Z',
      '2026-12-01 10:00:00Z', 'garbage', '2026-12-31T23:59:59.999Z', '1970-01-01T00:00:00Z', '1969-12-31T23:59:59.1Z'];
    for (const updated_at of forms) expect(sums('orders', [{ id: '1', updated_at }])[1], updated_at).to.deep.equal(Date.parse(updated_at));
  });
  it('a key\'s text inside a string value is not the column', () => {
    const refund = { id: '1', order_id: '77', note: '"kind":"REFUND","status":"SUCCESS","amount":"9.99"', kind: 'SALE', status: 'SUCCESS', amount: '1.00' };
    expect(sums('order_transactions', [refund])).to.deep.equal([]);
    expect(sums('order_transactions', [{ ...refund, kind: 'REFUND' }])).to.deep.equal([77, 100]);
    const line = { id: '2', order_id: '78', tax_lines: [{ title: 'VAT', total: '5.00' }], note: 'had "original_total":"7.00"', original_total: '15.00' };
    expect(sums('order_line_items', [line])).to.deep.equal([78, 1500]);
    expect(sums('order_line_items', [{ ...line, original_total: null }])).to.deep.equal([78, 0]);
  });
  it('a batch\'s rows give the same sums read where the writer noted their columns as searched for (the orders fixture)', () => {
    for (const query of ['orders']) {
      const part = queryPartByName(query);
      const result = processBatch(part, { shop: 'shop.myshopify.com', runId: 'r', extractedAt: '2026-12-03T00:00:00.000Z', currency: 'USD' }, readFileSync(new URL(`../fixtures/${query}.jsonl`, import.meta.url)), 1);
      if (!result.ok) throw new Error(result.message);
      const checked = result.segments.filter((s) => SUMS[s.table] !== undefined);
      expect(checked.length, query).to.be.greaterThan(0);
      for (const { table, segment } of checked) {
        const rows = inflateRawSync(segment.bytes, { finishFlush: constants.Z_SYNC_FLUSH }).toString('utf8').trimEnd().split('\n').map((l) => JSON.parse(l) as object);
        expect([...segment.sums!], table).to.deep.equal(taken(table, rows, 'none')).and.not.be.empty;
      }
    }
  });
  it('a table the checks do not read gives none', () => {
    expect(rowSums('customers', ['id'])).to.equal(undefined);
  });
});

// A window a killed run extracted keeps its sums in the state for the run that commits it, which may be
// a newer version's: an order's entry grew from 6 numbers to 7 (its tip, duties and additional fees), then
// to 8 (whether it was edited), and
// entries read at the wrong width would be nonsense checked as orders. One entry per row of a table
// whose rows are not summed: a window whose count is off is reported as not checkable.
describe('quality: sums recorded by another version', () => {
  let scratch: string;
  beforeEach(() => void (scratch = mkdtempSync(join(tmpdir(), 'quality-width-'))));
  afterEach(() => rmSync(scratch, { recursive: true, force: true }));
  const window = (rows: number): ManifestWindow => ({
    windowKey: 'r1/1', entity: 'orders', since: null, until: '2026-12-01T00:00:00Z', operationId: null,
    checks: { objectCount: rows, linesRead: rows, linesMatchObjectCount: true },
    files: [{ objectName: 'orders/part-00000.ndjson.gz', table: 'orders', rows, bytes: 100, crc32c: 'AAAAAA==' }],
  });
  const recorded = (orders: number[]) => ({ *of() { yield { table: 'orders', sums: new Float64Array(orders) }; } });
  const at = Date.parse('2026-11-30T10:00:00Z');

  it('checks the orders at their width (8 numbers an order), an edited one skipped', async () => {
    const quality = await checkQuality(recorded([7, at, 1200, 0, 0, 0, 200, 0, 8, at, 1500, 0, 0, 0, 0, 0, 9, at, 900, 0, 0, 0, 0, 1]), [window(3)], scratch);
    const totals = quality.checks.find((c) => c.name === 'order_totals')!;
    expect([totals.checked, totals.failed, totals.skipped]).to.deep.equal([2, 2, 1]);
  });
  it("refuses an earlier version's orders (7 numbers an order) rather than misread them", async () => {
    let error: unknown;
    await checkQuality(recorded([7, at, 1200, 0, 0, 0, 0, 8, at, 1500, 0, 0, 0, 0, 9, at, 900, 0, 0, 0, 0, 10, at, 100, 0, 0, 0, 0, 11, at, 300, 0, 0, 0, 0, 12, at, 400, 0, 0, 0, 0, 13, at, 800, 0, 0, 0, 0, 14, at, 100, 0, 0, 0, 0]), [window(8)], scratch).catch((e: unknown) => (error = e));
    expect(String(error)).to.match(/window r1\/1 has 8 orders rows but 56 numbers of sums for them, not 64 \(recorded by another version\)/);
  });
});
