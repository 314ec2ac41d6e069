// The quality pass reads a few columns of each row without parsing it (src/sync/quality.ts, field):
// checked against JSON.parse on rows shaped as the writer writes them, with the traps a substring search
// could fall into: a nested record with a key that ends the same way, a string value holding the key's
// text, nulls, numbers, and the key as the row's last.
import { expect } from 'chai';
import { mkdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gzipSync } from 'node:zlib';
import type { Destination } from '../../src/load/destination.ts';
import { LocalDestination } from '../../src/load/local.ts';
import type { ManifestFile, ManifestWindow } from '../../src/load/manifest.ts';
import { checkQuality, field } from '../../src/sync/quality.ts';

describe('quality: a column of a row without parsing it', () => {
  const rows = [
    { id: '1001', note: 'said "id":"999", then "original_price":"1.00"', tax_lines: [{ title: 'VAT', rate: 0.2, price: '3.00', price_currency: 'EUR' }], original_price: '15.00', order_id: '77', total_tax: null },
    { order_id: '78', kind: 'REFUND', status: 'SUCCESS', amount: '12.34', test: false, rate: 0.075, id: '5' },
    { payout_id: null, net: '-3.10', type: 'CHARGE' },
    { vendor: 'Maison Élan, 東京', order_id: '5612000000007', original_total: '149.5' },
  ];
  for (const row of rows) {
    const line = Buffer.from(JSON.stringify(row));
    it(`reads ${Object.keys(row).join(', ')} as JSON.parse does`, () => {
      for (const [key, value] of Object.entries(row)) {
        // Records, and a string with escapes (the trap for the other keys), are not what field reads.
        if ((typeof value === 'object' && value !== null) || key === 'note' || key === 'vendor') continue;
        expect(field(line, key), key).to.equal(value === null ? null : String(value));
      }
      expect(field(line, 'absent')).to.equal(null);
    });
  }
  it('reads a row among others by its range of bytes: the next row\'s columns are not its', () => {
    const text = Buffer.from(`${JSON.stringify({ id: '1', amount: '2.00' })}\n${JSON.stringify({ id: '3', order_id: '4', amount: '5.00' })}\n`);
    const end = text.indexOf(0x0a);
    expect([field(text, 'id', 0, end), field(text, 'amount', 0, end), field(text, 'order_id', 0, end)]).to.deep.equal(['1', '2.00', null]);
    expect([field(text, 'id', end + 1, text.length - 1), field(text, 'order_id', end + 1, text.length - 1)]).to.deep.equal(['3', '4']);
  });
});

// The pass must hold no row, whatever a part's size: a value read from a row is kept (an order id is a
// key of the file's sums until the file is done), and V8 makes a substring of 13 characters or more a
// view that keeps its whole string alive, so an id cut from a line's text kept the line: one line per
// order of every file (at 1 GB of orders the ETL's RSS went 240 -> 600 MiB in this pass). The heap is
// read after a full collection at every chunk the pass reads from the line items' part.
describe('quality: the pass holds sums, not rows', () => {
  const gc = (() => {
    v8.setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  })();
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quality-heap-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('reads a part of 3,000 orders\' 4 KB line items (some of 40 KB, longer than an inflated chunk) holding less than a tenth of its text', async () => {
    const ORDERS = 3000;
    // Text that compresses little, so the part arrives in many chunks.
    let seed = 7;
    const noise = (n: number): string => {
      let s = '';
      for (let i = 0; i < n; i++) s += ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % 36).toString(36);
      return s;
    };
    const orderRows: string[] = [];
    const lineRows: string[] = [];
    for (let i = 0; i < ORDERS; i++) {
      const id = String(5612000000000 + i);
      orderRows.push(JSON.stringify({ id, updated_at: '2026-12-01T00:00:00Z', total_price: '10.00', total_tax: '0.0', total_discounts: '0.0', total_refunded: '0.0' }));
      lineRows.push(JSON.stringify({ id: String(1418000000000 + i), order_id: id, title: noise(i % 500 === 0 ? 40_000 : 4000), original_total: '10.00' }));
    }
    const text = lineRows.join('\n');
    const part = (table: string, lines: string[]): ManifestFile => {
      const objectName = `${table}/part-00000.ndjson.gz`;
      mkdirSync(join(dir, table), { recursive: true });
      writeFileSync(join(dir, objectName), gzipSync(lines.join('\n') + '\n'));
      return { objectName, table, rows: lines.length, bytes: 0, crc32c: '' };
    };
    const window: ManifestWindow = { windowKey: 'r/w', entity: 'orders', since: null, until: null, operationId: null, checks: { objectCount: null, linesRead: 0, linesMatchObjectCount: true }, files: [part('orders', orderRows), part('order_line_items', lineRows)] };
    const local = new LocalDestination(dir);
    let peak = 0;
    gc();
    const base = v8.getHeapStatistics().used_heap_size;
    const sampling: Destination = Object.assign(Object.create(local) as Destination, {
      read: (name: string) => {
        const source = local.read(name);
        if (name.startsWith('order_line_items/')) {
          source.on('data', () => {
            gc();
            peak = Math.max(peak, v8.getHeapStatistics().used_heap_size - base);
          });
        }
        return source;
      },
    });
    const quality = await checkQuality(sampling, [window], join(dir, 'scratch'));
    expect(quality.checks[0]).to.deep.include({ name: 'order_totals', checked: ORDERS, failed: 0 });
    expect(peak, `heap grew by ${(peak / 2 ** 20).toFixed(1)} MiB over ${(text.length / 2 ** 20).toFixed(1)} MiB of line items`).to.be.greaterThan(0).and.lessThan(text.length / 10);
  });
});
