import { expect } from 'chai';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { StagedFile } from '../../src/load/destination.ts';
import { TableWriters, type TableWritersOptions } from '../../src/pipeline/table-writer.ts';
import { segmentOf } from './segments.ts';

/** CRC32C (Castagnoli), bit by bit: an independent check of the writer's checksum. */
function crc32c(bytes: Buffer): string {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  const out = Buffer.alloc(4);
  out.writeUInt32BE((crc ^ 0xffffffff) >>> 0);
  return out.toString('base64');
}

async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

const rowsOf = (buf: Buffer): unknown[] => gunzipSync(buf).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));

describe('TableWriters', () => {
  let dir: string;
  const options = (extra: Partial<TableWritersOptions> = {}): TableWritersOptions => ({
    stagingDir: dir,
    objectName: (table, part) => `${table}/shop=a.myshopify.com/dt=2026-03-05/run=r1/part-${String(part).padStart(5, '0')}.ndjson.gz`,
    ...extra,
  });
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'table-writer-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes each table\'s rows gzipped, with CRC32C, byte and row counts that match the file', async () => {
    const writers = new TableWriters(options());
    const orders = [{ id: '1', note: 'café' }, { id: '2', note: null }];
    for (const row of orders) await writers.write('orders', segmentOf([row]));
    await writers.write('order_line_items', segmentOf([{ id: '10', order_id: '1' }]));
    const files = await writers.close();

    expect(files.map((f) => f.objectName)).to.deep.equal([
      'orders/shop=a.myshopify.com/dt=2026-03-05/run=r1/part-00000.ndjson.gz',
      'order_line_items/shop=a.myshopify.com/dt=2026-03-05/run=r1/part-00000.ndjson.gz',
    ]);
    for (const f of files) {
      const bytes = await readFile(f.localPath);
      expect(f.localPath).to.equal(join(dir, f.objectName));
      expect(f.bytes).to.equal(bytes.length);
      expect(f.crc32c).to.equal(crc32c(bytes));
      expect(f.rows).to.equal(rowsOf(bytes).length);
      expect(f.contentType).to.equal('application/gzip');
    }
    expect(rowsOf(await readFile(files[0]!.localPath))).to.deep.equal(orders);
    expect(rowsOf(await readFile(files[1]!.localPath))).to.deep.equal([{ id: '10', order_id: '1' }]);
  });

  it('rolls parts by uncompressed size, numbering from firstPart and handing out each closed part once', async () => {
    const closed: StagedFile[] = [];
    const writers = new TableWriters(options({ maxPartBytes: 2000, firstPart: () => 7 }));
    const rows = Array.from({ length: 200 }, (_, i) => ({ id: String(i), pad: 'x'.repeat(40) }));
    for (const row of rows) {
      await writers.write('products', segmentOf([row]));
      closed.push(...writers.takeClosed());
    }
    expect(closed.length, 'parts handed out while writing goes on').to.be.greaterThan(2);
    const files = await writers.close();
    closed.push(...writers.takeClosed());

    expect(files.length).to.be.greaterThan(3);
    expect(closed).to.deep.equal(files);
    expect(writers.takeClosed()).to.deep.equal([]);
    expect(files.map((f) => Number(/part-(\d+)/.exec(f.objectName)![1]))).to.deep.equal(files.map((_, i) => 7 + i));
    const back: unknown[] = [];
    for (const f of files) {
      const bytes = await readFile(f.localPath);
      expect(f.crc32c).to.equal(crc32c(bytes));
      expect(gunzipSync(bytes).length).to.be.lessThan(2000 + 200);
      back.push(...rowsOf(bytes));
    }
    expect(back).to.deep.equal(rows);
    expect(files.reduce((n, f) => n + f.rows, 0)).to.equal(rows.length);
  });

  it('makes no file for a table without rows, and none at all when nothing was written', async () => {
    const writers = new TableWriters(options());
    expect(await writers.close()).to.deep.equal([]);
    expect(await listFiles(dir)).to.deep.equal([]);
  });

  it('gives each of everyTable an empty part when it got no row: a gzip of nothing, listed with 0 rows, numbered from firstPart', async () => {
    const writers = new TableWriters(options({ everyTable: ['collections', 'collection_products'], firstPart: (table) => (table === 'collection_products' ? 3 : 0) }));
    await writers.write('collections', segmentOf([{ id: '1' }]));
    const files = await writers.close();

    expect(files.map((f) => [f.objectName, f.rows])).to.deep.equal([
      ['collections/shop=a.myshopify.com/dt=2026-03-05/run=r1/part-00000.ndjson.gz', 1],
      ['collection_products/shop=a.myshopify.com/dt=2026-03-05/run=r1/part-00003.ndjson.gz', 0],
    ]);
    expect(writers.takeClosed()).to.deep.equal(files);
    const empty = await readFile(files[1]!.localPath);
    expect(gunzipSync(empty).length).to.equal(0);
    expect(files[1]!.bytes).to.equal(empty.length);
    expect(files[1]!.crc32c).to.equal(crc32c(empty));
    expect(await listFiles(dir)).to.deep.equal(files.map((f) => f.localPath).sort());
  });

  it('abort removes the open parts and leaves no files', async () => {
    const writers = new TableWriters(options({ maxPartBytes: 1_000_000 }));
    for (let i = 0; i < 3000; i++) await writers.write('orders', segmentOf([{ id: String(i), pad: 'y'.repeat(50) }]));
    await writers.write('customers', segmentOf([{ id: '1' }]));
    expect((await listFiles(dir)).length).to.be.greaterThan(0); // a part is open on disk
    await writers.abort();
    expect(await listFiles(dir)).to.deep.equal([]);
    expect(() => writers.write('orders', segmentOf([{ id: 'late' }]))).to.throw(/aborted/);
  });

  it('abort also removes the parts closed but never taken, and keeps those taken', async () => {
    const writers = new TableWriters(options({ maxPartBytes: 2000 }));
    for (let i = 0; i < 40; i++) await writers.write('orders', segmentOf([{ id: String(i), pad: 'y'.repeat(50) }]));
    const taken = writers.takeClosed();
    expect(taken).to.not.be.empty;
    for (let i = 40; i < 80; i++) await writers.write('orders', segmentOf([{ id: String(i), pad: 'y'.repeat(50) }]));
    await writers.abort();
    expect(await listFiles(dir)).to.deep.equal(taken.map((f) => f.localPath).sort());
  });

  it('refuses an object name that leaves the staging folder', async () => {
    const writers = new TableWriters({ stagingDir: dir, objectName: () => '../escape.ndjson.gz', maxPartBytes: 10 });
    let error: unknown;
    try {
      await writers.write('orders', segmentOf([{ id: '1', pad: 'z'.repeat(20) }]));
    } catch (err) {
      error = err;
    }
    expect(String(error)).to.match(/escapes the staging folder/);
    await writers.abort();
  });

  it('turns a disk error into an EtlError naming the path', async () => {
    const blocker = join(dir, 'blocker');
    await writeFile(blocker, '');
    const writers = new TableWriters({ stagingDir: blocker, objectName: (t) => `${t}/part.ndjson.gz`, maxPartBytes: 10 });
    let error: unknown;
    try {
      await writers.write('orders', segmentOf([{ id: '1', pad: 'z'.repeat(20) }]));
    } catch (err) {
      error = err;
    }
    expect(error).to.have.property('name', 'EtlError');
    expect(String((error as Error).message)).to.include(blocker);
    await writers.abort();
  });
});
