// The Parquet encoder on its own: pages of several batches assembled into several row groups, read back
// by DuckDB; the values at the edges of each type (64-bit ids, decimals past 2^53 once scaled, negative
// amounts, timestamps before 1970, with an offset, with micro- and nanoseconds, empty and null lists, null records' fields);
// and the values a column's type cannot hold refused with MALFORMED_JSONL rather than written wrong.
import { DuckDBInstance } from '@duckdb/node-api';
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TablePages } from '../../src/parquet/encode.ts';
import { ParquetFileWriter } from '../../src/parquet/file.ts';
import { parquetSchema } from '../../src/parquet/schema.ts';
import type { TableDef } from '../../src/rows/types.ts';
import { isEtlError } from '../../src/errors/index.ts';
import { queryPartByName } from '../../src/entities/index.ts';
import { processBatch } from '../../src/pipeline/batch.ts';
import { readFileSync } from 'node:fs';
import { TableWriters } from '../../src/pipeline/table-writer.ts';
import { crc32c, crc32cBase64 } from '../../src/io/crc.ts';
import { compressBound, PageCompressor } from '../../src/parquet/zstd.ts';
import { Tape } from '../../src/rows/tape.ts';
import { constant } from '../../src/rows/tape-values.ts';
import { zstdDecompressSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';

const TABLE: TableDef = {
  name: 't',
  description: '',
  columns: [
    { name: 'id', type: 'INTEGER', mode: 'REQUIRED' },
    { name: 'name', type: 'STRING' },
    { name: 'price', type: 'NUMERIC' },
    { name: 'at', type: 'TIMESTAMP' },
    { name: 'day', type: 'DATE' },
    { name: 'ok', type: 'BOOLEAN' },
    { name: 'f', type: 'FLOAT' },
    { name: 'tags', type: 'STRING', mode: 'REPEATED' },
    { name: 'items', type: 'RECORD', mode: 'REPEATED', fields: [{ name: 'sku', type: 'STRING' }, { name: 'qty', type: 'INTEGER', mode: 'REQUIRED' }, { name: 'amount', type: 'NUMERIC' }] },
  ],
};

const ROWS = [
  { id: '9223372036854775807', name: 'Zoë ✓ 東京', price: '123456789012345.123456789', at: '2024-03-01T10:20:30.123456Z', day: '2024-02-29', ok: true, f: 1.5, tags: ['a', 'b'], items: [{ sku: 'x', qty: 2, amount: '-0.01' }, { sku: null, qty: 1, amount: null }], _extra: { added: [1, 'two'] } },
  { id: 2, name: null, price: '-99999999.5', at: '2024-02-28T23:59:59.987654321Z', day: null, ok: false, f: null, tags: [], items: [], _extra: null },
  { id: '-42', name: '', price: '0', at: '1970-01-01T00:59:59+01:00', day: '1970-01-01', ok: null, f: -0.25, tags: null, items: null, _extra: null },
];

/** A row as the row builders give it: its JSON text. */
function add(pages: TablePages, row: Record<string, unknown>): void {
  const text = Buffer.from(JSON.stringify(row));
  pages.add(text, 0, text.length);
}

describe('Parquet encoder (src/parquet/)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'parquet-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes pages of many batches into several row groups that DuckDB reads back value for value', async () => {
    const schema = parquetSchema(TABLE);
    const path = join(dir, 't.parquet');
    const handle = await open(path, 'w');
    // A row group closes at 300 bytes of pages: every couple of batches.
    const file = new ParquetFileWriter(handle, schema, 300);
    await file.start();
    const pages = new TablePages(schema);
    const batches = 20;
    for (let b = 0; b < batches; b++) {
      for (const row of ROWS) add(pages, { ...row, _extracted_at: '2026-03-05T00:00:00Z', _shop: 'ignored', _run_id: 'ignored' });
      const { bytes, index } = pages.pages();
      await file.add(bytes, index, ROWS.length);
    }
    await file.finish();
    await handle.close();
    const db = await DuckDBInstance.create(':memory:');
    const duck = await db.connect();
    try {
      const [meta] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS groups, sum(row_group_num_rows)::INTEGER AS rows FROM parquet_metadata('${path}') WHERE column_id = 0`)).getRowObjectsJson();
      expect(meta!.groups).to.be.greaterThan(2);
      expect(meta!.rows).to.equal(batches * ROWS.length);
      const rows = (await duck.runAndReadAll(`SELECT * FROM '${path}'`)).getRowObjectsJson();
      expect(Object.keys(rows[0]!)).to.deep.equal(['id', 'name', 'price', 'at', 'day', 'ok', 'f', 'tags', 'items', '_extra', '_extracted_at']);
      const expected = [
        { id: '9223372036854775807', name: 'Zoë ✓ 東京', price: '123456789012345.123456789', at: '2024-03-01 10:20:30.123456+00', day: '2024-02-29', ok: true, f: 1.5, tags: ['a', 'b'], items: [{ sku: 'x', qty: '2', amount: '-0.010000000' }, { sku: null, qty: '1', amount: null }], _extra: '{"added":[1,"two"]}', _extracted_at: '2026-03-05 00:00:00+00' },
        { id: '2', name: null, price: '-99999999.500000000', at: '2024-02-28 23:59:59.987654+00', day: null, ok: false, f: null, tags: [], items: [], _extra: null, _extracted_at: '2026-03-05 00:00:00+00' },
        { id: '-42', name: '', price: '0.000000000', at: '1969-12-31 23:59:59+00', day: '1970-01-01', ok: null, f: -0.25, tags: null, items: null, _extra: null, _extracted_at: '2026-03-05 00:00:00+00' },
      ];
      expect(rows).to.deep.equal(Array.from({ length: batches }, () => expected).flat());
    } finally {
      duck.closeSync();
      db.closeSync();
    }
  });

  it('writes a snapshot table\'s empty part as a Parquet file without row groups that reads as typed and empty', async () => {
    const writers = new TableWriters({ stagingDir: dir, objectName: (t, n) => `${t}/part-${n}.parquet`, everyTable: ['t'], parquet: () => parquetSchema(TABLE) });
    const [file] = await writers.close();
    expect(file).to.deep.include({ objectName: 't/part-0.parquet', rows: 0, contentType: 'application/vnd.apache.parquet' });
    const bytes = readFileSync(file!.localPath);
    expect({ crc32c: file!.crc32c, bytes: file!.bytes }).to.deep.equal({ crc32c: crc32cBase64(crc32c(bytes)), bytes: bytes.length });
    const db = await DuckDBInstance.create(':memory:');
    const duck = await db.connect();
    try {
      const [count] = (await duck.runAndReadAll(`SELECT count(*)::INTEGER AS n FROM '${file!.localPath}'`)).getRowObjectsJson();
      expect(count!.n).to.equal(0);
      const columns = (await duck.runAndReadAll(`DESCRIBE SELECT * FROM '${file!.localPath}'`)).getRowObjectsJson().map((c) => `${String(c.column_name)} ${String(c.column_type)}`);
      expect(columns).to.include.members(['id BIGINT', 'price DECIMAL(38,9)', 'at TIMESTAMP WITH TIME ZONE', 'items STRUCT(sku VARCHAR, qty BIGINT, amount DECIMAL(38,9))[]', '_extra JSON']);
    } finally {
      duck.closeSync();
      db.closeSync();
    }
  });

  it('refuses a value its column cannot hold exactly (MALFORMED_JSONL), and a null in a REQUIRED column', () => {
    const pages = new TablePages(parquetSchema(TABLE));
    const base = { ...ROWS[1]!, _extracted_at: '2026-03-05T00:00:00Z' };
    for (const bad of [{ price: '1.0000000001' }, { price: '12abc' }, { id: '9223372036854775808' }, { id: 1.5 }, { at: 'yesterday' }, { ok: 'true' }, { id: null }, { f: '1.5' }, { name: 7 }, { tags: 'a' }, { id: 12345678901234567890 }]) {
      let caught: unknown;
      try {
        add(pages, { ...base, ...bad });
      } catch (err) {
        caught = err;
      }
      expect(isEtlError(caught) && caught.code, JSON.stringify(bad)).to.equal('MALFORMED_JSONL');
    }
  });

  it('fails a batch holding such a value as MALFORMED_JSONL naming its line, and encodes the next batch whole', () => {
    const stamp = { shop: 'maple-goods.myshopify.com', runId: 'r', extractedAt: '2026-03-05T00:00:00Z', currency: 'CAD', format: 'parquet' as const };
    const text = readFileSync(new URL('../fixtures/orders.jsonl', import.meta.url), 'utf8');
    const bad = text.replace('"amount":"20.00"', '"amount":"20.0000000001"');
    expect(bad).to.not.equal(text);
    const failed = processBatch(queryPartByName('orders'), stamp, Buffer.from(bad), 1);
    // The byte path writes the value into its column as it reads the line, so the line is named, not the batch's last.
    const line = bad.split('\n').findIndex((l) => l.includes('20.0000000001')) + 1;
    expect(line).to.be.greaterThan(0);
    expect(failed).to.deep.include({ ok: false, code: 'MALFORMED_JSONL', line });
    expect(!failed.ok && failed.message).to.include('20.0000000001');
    // The builder the failed batch left halfway is not reused: the next batch's pages hold its rows alone.
    const good = processBatch(queryPartByName('orders'), stamp, Buffer.from(text), 1);
    const ndjson = processBatch(queryPartByName('orders'), { ...stamp, format: undefined }, Buffer.from(text), 1);
    const rows = (r: typeof good): Array<[string, number]> => (r.ok ? r.segments.map((s) => [s.table, s.segment.rows]) : []);
    expect(rows(good)).to.deep.equal(rows(ndjson)).and.to.have.length.greaterThan(1);
    // Each table's first column (its id or parent id, never a list) has one value per row.
    expect(good.ok && good.segments.map((s) => [s.table, s.segment.pages!.values[0]])).to.deep.equal(rows(ndjson));
  });

  it('writes a `…Z` timestamp as Date.parse reads it: a year before 100 as itself, the 29th to 31st of any month, leap days, microseconds past 2^53', () => {
    // Microseconds since 1970 pass 2^53 before 1685 and after 2255: those must still be exact.
    const times = ['0050-06-15T12:00:00Z', '0000-01-01T00:00:00.5Z', '0099-12-31T23:59:59Z', '1900-02-28T00:00:00Z', '2000-02-29T01:02:03.123456Z', '2024-02-29T00:00:00Z', '2023-02-29T00:00:00Z', '2024-04-31T23:00:00Z', '2024-12-31T23:59:59.999999Z', '1969-12-31T23:59:59.000001Z', '9999-12-31T00:00:00Z', '9999-12-31T23:59:59.999999Z', '2300-01-01T00:00:00.000001Z', '0000-01-01T00:00:00.000001Z', '1600-03-01T00:00:00.999999Z'];
    const pages = new TablePages(parquetSchema(TABLE));
    for (const at of times) add(pages, { ...ROWS[1]!, at, _extracted_at: '2026-03-05T00:00:00Z' });
    const column = pages.column('at')!;
    const micros = times.map((_, i) => column.values.readBigInt64LE(i * 8));
    // Date.parse keeps milliseconds; the fraction's next three digits are microseconds.
    const expected = times.map((t) => BigInt(Date.parse(t)) * 1000n + BigInt((/\.\d{3}(\d{1,3})/.exec(t)?.[1] ?? '').padEnd(3, '0')));
    expect(micros).to.deep.equal(expected);
  });

  it('compresses page after page with one zstd context, each page a whole frame that decompresses on its own', () => {
    const zstd = new PageCompressor();
    // Sizes from empty to past zstd's 128 KiB block and its window, repetitive and random (incompressible: the bound is needed).
    const pages = [0, 1, 100, 5000, 131_073, 3_000_000].flatMap((n) => [Buffer.alloc(n, 'ab'), randomBytes(n)]);
    const frames = pages.map((page) => {
      const room = compressBound(page.length);
      const out = Buffer.alloc(7 + room + 9, 0xee);
      const n = zstd.compress(page, page.length, out, 7);
      // Nothing written outside the room given (zstd may use the room past the frame as scratch).
      expect(out.subarray(0, 7).every((b) => b === 0xee) && out.subarray(7 + room).every((b) => b === 0xee), `page of ${page.length}`).to.equal(true);
      return out.subarray(7, 7 + n);
    });
    // Decompressed out of order, each with a fresh context: no frame depends on the one before.
    for (let i = pages.length - 1; i >= 0; i--) expect(zstdDecompressSync(frames[i]!).equals(pages[i]!), `page ${i}`).to.equal(true);
    expect(frames[10]!.length).to.be.lessThan(1000);
  });

  it('shreds the byte path\'s values as the scanner does the same row\'s text, and rolls back a row given up halfway', () => {
    const schema = parquetSchema(TABLE);
    const line = Buffer.from('{"id":"7","name":"Zoë \\"q\\" a\\/b\\n\\\\\\t","price":"2.50","at":"2024-03-01T10:20:30.123456Z","ok":true,"f":1.5,"tags":["a","b"],"items":[{"sku":"x","qty":3},{"qty":"12"}]}');
    const tape = new Tape();
    expect(tape.scan(line, 0, line.length)).to.equal(line.length);
    const at = (key: string): number => tape.member(0, constant(key));
    const items = at('items');
    const [first, second] = [tape.first(items), tape.next(tape.first(items))];
    const inItem = (item: number, key: string): number => tape.member(item, constant(key));
    const key = constant('"unused":');
    // The calls the byte path's kinds make for the row, in schema order; `stop` gives up after that many.
    const write = (out: TablePages, stop = Infinity): boolean => {
      const steps: Array<() => void> = [
        () => out.raw(key, tape, at('id')),
        () => out.string(key, tape, at('name')),
        () => out.raw(key, tape, at('price')),
        () => out.raw(key, tape, at('at')),
        () => out.null(key),
        () => out.boolean(key, true),
        () => out.number(key, 1.5),
        () => {
          out.listStart(key);
          out.string(null, tape, tape.first(at('tags')));
          out.listNext();
          out.string(null, tape, tape.next(tape.first(at('tags'))));
          out.listEnd();
        },
        () => out.listStart(key),
        () => {
          out.open();
          out.string(key, tape, inItem(first, 'sku'));
          out.raw(key, tape, inItem(first, 'qty'));
          out.null(key);
          out.close();
        },
        () => {
          out.listNext();
          out.open();
          out.null(key);
          out.raw(key, tape, inItem(second, 'qty'));
          out.close();
        },
        () => out.listEnd(),
      ];
      out.begin();
      out.open();
      for (const [i, step] of steps.entries()) {
        if (i === stop) {
          out.rollback();
          return false;
        }
        step();
      }
      out.endRow();
      return true;
    };
    const stamped = (): TablePages => {
      const pages = new TablePages(schema);
      pages.stamp([], 'CAD', '2026-03-05T00:00:00Z');
      return pages;
    };
    const scanned = stamped();
    add(scanned, { id: '7', name: 'Zoë "q" a/b\n\\\t', price: '2.50', at: '2024-03-01T10:20:30.123456Z', day: null, ok: true, f: 1.5, tags: ['a', 'b'], items: [{ sku: 'x', qty: 3, amount: null }, { sku: null, qty: '12', amount: null }], _extra: null, _extracted_at: '2026-03-05T00:00:00Z' });
    const expected = scanned.pages();
    // Given up at every step (inside the list of records too) before the row that is kept, and once after it.
    for (let stop = 0; stop <= 12; stop++) {
      const pages = stamped();
      expect(write(pages, stop)).to.equal(stop === 12 ? true : false);
      if (stop < 12) expect(write(pages)).to.equal(true);
      expect(write(pages, 9)).to.equal(false);
      expect(pages.rows).to.equal(1);
      const got = pages.pages();
      expect(Buffer.from(got.bytes).equals(Buffer.from(expected.bytes)), `given up at step ${stop}`).to.equal(true);
      expect([...got.index.values]).to.deep.equal([...expected.index.values]);
    }
  });
});
