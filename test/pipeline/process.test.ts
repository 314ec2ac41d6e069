import { expect } from 'chai';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { entityByName } from '../../src/entities/index.ts';
import type { JsonObject, Row } from '../../src/rows/types.ts';
import { isEtlError, type EtlError } from '../../src/errors/index.ts';
import { processJsonl, processPlain, type ProcessOptions } from '../../src/pipeline/process.ts';
import { TableWriters } from '../../src/pipeline/table-writer.ts';
import { WorkerPool } from '../../src/pipeline/worker-pool.ts';
import { memorySegments } from './segments.ts';

const META = { shop: 'maple-goods.myshopify.com', runId: 'run-7', extractedAt: new Date('2026-03-05T06:00:00Z'), currency: 'CAD' };
const STAMP = { _shop: 'maple-goods.myshopify.com', _run_id: 'run-7', _extracted_at: '2026-03-05T06:00:00.000Z' };
const orders = entityByName('orders');
const collections = entityByName('collections');
const FIXTURE = new URL('../fixtures/orders.jsonl', import.meta.url);

async function* bytes(text: string, chunkSize = Infinity): AsyncGenerator<Buffer> {
  const all = Buffer.from(text);
  for (let at = 0; at < all.length; at += chunkSize) yield all.subarray(at, Math.min(all.length, at + chunkSize));
}

async function failure(p: Promise<unknown>): Promise<EtlError> {
  try {
    await p;
  } catch (err) {
    if (isEtlError(err)) return err;
    throw err;
  }
  throw new Error('expected a failure');
}

/** The rows the entity makes, one record at a time on this thread: what every worker count must reproduce. */
function reference(text: string): Record<string, Row[]> {
  const out: Record<string, Row[]> = {};
  for (const line of text.split('\n').filter(Boolean)) {
    orders.process(JSON.parse(line) as JsonObject, { row: (table, row) => void (out[table] ??= []).push({ ...row, ...STAMP }) });
  }
  return out;
}

const collection = (n: number, updatedAt: string): string => JSON.stringify({ __typename: 'Collection', id: `gid://shopify/Collection/${n}`, title: 't', handle: 'h', sortOrder: 'MANUAL', templateSuffix: null, updatedAt });
const member = (p: number, c: number): string => JSON.stringify({ __typename: 'Product', id: `gid://shopify/Product/${p}`, __parentId: `gid://shopify/Collection/${c}` });

describe('processJsonl (worker threads)', () => {
  let pool: WorkerPool;
  let opts: ProcessOptions;
  before(() => {
    pool = new WorkerPool(2);
    opts = { pool, gzipLevel: 1 };
  });
  after(() => pool.close());

  it('counts lines, root lines and rows per table, and stamps the run columns on every row', async () => {
    const sink = memorySegments();
    const text = [member(5, 1), collection(1, '2026-01-01T00:00:00Z'), member(6, 1)].join('\n');
    const result = await processJsonl(collections, bytes(text), sink, META, opts);
    expect(result).to.deep.equal({ lines: 3, rootLines: 1, rowsByTable: { collections: 1, collection_products: 2 }, maxCursor: null });
    for (const [, row] of sink.rows) expect([row._shop, row._run_id, row._extracted_at]).to.deep.equal(['maple-goods.myshopify.com', 'run-7', '2026-03-05T06:00:00.000Z']);
  });

  it('reports the highest root updatedAt as maxCursor, by time rather than by text, across batches', async () => {
    const order = (n: number, updatedAt: string, parent?: string): string => JSON.stringify({ __typename: 'Order', id: `gid://shopify/Order/${n}`, updatedAt, ...(parent ? { __parentId: parent } : {}) });
    const lineItem = JSON.stringify({ __typename: 'LineItem', id: 'gid://shopify/LineItem/1', updatedAt: '2030-01-01T00:00:00Z', __parentId: 'gid://shopify/Order/1' });
    const text = [order(1, '2026-02-01T10:00:00.5Z'), lineItem, order(2, '2026-02-01T10:00:00.250Z'), order(3, '2026-01-31T23:00:00Z')].join('\n');
    const result = await processJsonl(orders, bytes(text), memorySegments(), META, { ...opts, batchBytes: { first: 10, max: 10 } });
    expect(result.maxCursor).to.equal('2026-02-01T10:00:00.5Z');
    expect(result.rootLines).to.equal(3);
  });

  it('reads a root line\'s cursor as Date.parse does whatever its form, within one batch: plain ones from the line\'s bytes, others (an offset) through Date.parse', async () => {
    const order = (n: number, updatedAt: string): string => JSON.stringify({ __typename: 'Order', id: `gid://shopify/Order/${n}`, updatedAt });
    const run = async (stamps: string[]): Promise<string | null> => (await processJsonl(orders, bytes(stamps.map((t, i) => order(i + 1, t)).join('\n')), memorySegments(), META, opts)).maxCursor;
    expect(await run(['2026-02-01T10:00:00+01:00', '2026-02-01T09:30:00Z', '2026-02-01T09:59:59.999+01:00'])).to.equal('2026-02-01T09:30:00Z');
    expect(await run(['2026-02-01T09:30:00Z', '2026-02-01T12:00:00+01:00', '2026-02-01T10:59:59.999999Z'])).to.equal('2026-02-01T12:00:00+01:00');
    expect(await run(['2026-02-01T10:00:00.1239Z', '2026-02-01T10:00:00.123Z', 'not a time'])).to.equal('2026-02-01T10:00:00.1239Z');
  });

  it('adds up a counted parent\'s child lines across batches and reports the parents short of their count (discount codes)', async () => {
    const codes = entityByName('discount_codes');
    const node = (n: number, count: number | null): string => JSON.stringify({ __typename: 'DiscountCodeNode', id: `gid://shopify/DiscountCodeNode/${n}`, codeDiscount: { __typename: 'DiscountCodeBasic', codesCount: count === null ? null : { count, precision: 'EXACT' } } });
    const code = (id: number, n: number): string => JSON.stringify({ __typename: 'DiscountRedeemCode', id: `gid://shopify/DiscountRedeemCode/${id}`, code: `C${id}`, asyncUsageCount: 0, createdBy: null, __parentId: `gid://shopify/DiscountCodeNode/${n}` });
    // Node 1 counts 3 and has 3 (one before it, two after, each line its own batch); node 2 counts 2 and has 1; node 3 has no count.
    const text = [code(10, 1), node(1, 3), code(11, 1), node(2, 2), code(12, 1), code(20, 2), node(3, null), code(30, 3)].join('\n');
    const whole = await processJsonl(codes, bytes(text), memorySegments(), META, opts);
    const batched = await processJsonl(codes, bytes(text), memorySegments(), META, { ...opts, batchBytes: { first: 10, max: 10 } });
    for (const result of [whole, batched]) {
      expect(result.rowsByTable).to.deep.equal({ discount_codes: 5 });
      expect(result.shortChildren).to.deep.equal([{ parent: 'gid://shopify/DiscountCodeNode/2', counted: 2, read: 1 }]);
    }
    const complete = await processJsonl(codes, bytes([node(1, 1), code(10, 1)].join('\n')), memorySegments(), META, opts);
    expect(complete).to.not.have.property('shortChildren');
  });

  it('fails with MALFORMED_JSONL naming the physical line number (counted across batches) and an excerpt', async () => {
    const good = collection(1, '2026-01-01T00:00:00Z');
    const text = `${good}\n\r\n${good}\r\n\n${good}\n{"__typename":"Collection","id":${'9'.repeat(300)}\n${good}\n`;
    for (const size of [1, 100, 1 << 20]) {
      const err = await failure(processJsonl(collections, bytes(text, 7), memorySegments(), META, { ...opts, batchBytes: { first: size, max: size } }));
      expect(err.code).to.equal('MALFORMED_JSONL');
      expect(err.message).to.match(/^collections JSONL line 6 is not valid JSON/);
      expect(err.message).to.include('{"__typename":"Collection","id":999');
      expect(err.message.length).to.be.lessThan(300);
      expect(err.details.line).to.equal(6);
    }
  });

  it('fails on a line that is not an object, and on an unknown __typename, naming the line and the type', async () => {
    const first = await failure(processJsonl(collections, bytes(`${collection(1, '2026-01-01T00:00:00Z')}\n[1,2]`), memorySegments(), META, opts));
    expect(first.message).to.match(/line 2 is not a JSON object/);
    const text = [collection(1, '2026-01-01T00:00:00Z'), JSON.stringify({ __typename: 'Metafield', id: 'gid://shopify/Metafield/1', __parentId: 'gid://shopify/Collection/1' })].join('\n');
    const err = await failure(processJsonl(collections, bytes(text), memorySegments(), META, opts));
    expect(err.code).to.equal('MALFORMED_JSONL');
    expect(err.message).to.match(/^collections JSONL line 2: collections: unknown __typename "Metafield"; this entity handles Collection, Product/);
    expect(err.details).to.include({ line: 2 });
  });

  it('keeps every table\'s rows in file order, identical to processing on one thread, whatever the worker count and chunking', async () => {
    const text = await readFile(FIXTURE, 'utf8');
    const expected = reference(text);
    for (const [workers, chunk, first, max] of [[1, 64, 300, 300], [3, 1000, 64, 4096], [2, Infinity, 1 << 20, 1 << 20]] as const) {
      const own = new WorkerPool(workers);
      try {
        const sink = memorySegments();
        await processJsonl(orders, bytes(text, chunk), sink, META, { pool: own, gzipLevel: 1, batchBytes: { first, max } });
        expect(sink.tables).to.deep.equal(expected);
      } finally {
        await own.close();
      }
    }
  });

  it('writes byte-identical part files whatever the worker count or network chunking', async () => {
    const text = await readFile(FIXTURE, 'utf8');
    const outputs: Buffer[][] = [];
    for (const [workers, chunk] of [[1, 100], [3, 4096]] as const) {
      const own = new WorkerPool(workers);
      const dir = await mkdtemp(join(tmpdir(), 'process-'));
      try {
        const writers = new TableWriters({ stagingDir: dir, objectName: (t, p) => `${t}/part-${p}.ndjson.gz`, maxPartBytes: 5000 });
        const result = await processJsonl(orders, bytes(text, chunk), writers, META, { pool: own, gzipLevel: 6, batchBytes: { first: 200, max: 1500 } });
        const files = await writers.close();
        for (const f of files) expect(f.rows).to.be.greaterThan(0);
        expect(files.reduce((n, f) => n + f.rows, 0)).to.equal(Object.values(result.rowsByTable).reduce((a, b) => a + b, 0));
        outputs.push(await Promise.all(files.sort((a, b) => a.objectName.localeCompare(b.objectName)).map((f) => readFile(f.localPath))));
        const orderRows = files.filter((f) => f.objectName.startsWith('orders/')).flatMap((f) => gunzipSync(outputs.at(-1)![files.indexOf(f)]!).toString().split('\n').filter(Boolean));
        expect(orderRows.map((l) => (JSON.parse(l) as Row).id)).to.deep.equal(reference(text).orders!.map((r) => r.id));
      } finally {
        await own.close();
        await rm(dir, { recursive: true, force: true });
      }
    }
    expect(outputs[0]!.length).to.be.greaterThan(5);
    expect(outputs[1]).to.deep.equal(outputs[0]);
  });

  it('reads no further than its batches in flight while the sink is slow (backpressure)', async () => {
    let pulled = 0;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* source(): AsyncGenerator<Buffer> {
      for (let i = 0; i < 1000; i++) {
        pulled++;
        yield Buffer.from(`${collection(i, '2026-01-01T00:00:00Z')}\n`);
      }
    }
    const sink = { write: (): Promise<void> => gate };
    const done = processJsonl(collections, source(), sink, META, { ...opts, batchBytes: { first: 1, max: 1 }, inFlight: 3 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    // One batch being written (the sink holds it), three out, and the chunk that made the last one.
    expect(pulled).to.be.at.most(5);
    release();
    expect((await done).lines).to.equal(1000);
  });

  it('stops when the download fails midway, waits for its batches, and leaves nothing on disk after abort', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'process-'));
    const text = await readFile(FIXTURE, 'utf8');
    async function* cut(): AsyncGenerator<Buffer> {
      yield* bytes(text.slice(0, Math.floor(text.length / 2)), 500);
      throw new Error('connection reset');
    }
    try {
      const writers = new TableWriters({ stagingDir: dir, objectName: (t, p) => `${t}/part-${p}.ndjson.gz` });
      let error: unknown;
      try {
        await processJsonl(orders, cut(), writers, META, { ...opts, batchBytes: { first: 1000, max: 1000 } });
      } catch (err) {
        error = err;
      }
      expect(String(error)).to.include('connection reset');
      await writers.abort();
      expect(await readdir(dir, { recursive: true, withFileTypes: true }).then((es) => es.filter((e) => e.isFile()))).to.deep.equal([]);
      // The pool is still good for the next window.
      expect((await processJsonl(orders, bytes(text), memorySegments(), META, opts)).lines).to.be.greaterThan(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('surfaces a failure of the worker itself as INTERNAL rather than hanging', async () => {
    const err = await failure(pool.run('no-such-entity', { shop: 's', runId: 'r', extractedAt: 'x', currency: 'USD' }, 1, Buffer.from('{}\n')));
    expect(err.code).to.equal('INTERNAL');
    // The worker looks up the query part it is given by name (an entity of several queries has one per query).
    expect(err.message).to.match(/unknown query "no-such-entity"/);
  });

  it('takes lines of many megabytes (a huge note): in a worker up to its limit, past it on the calling thread', async () => {
    const lines = (await readFile(FIXTURE, 'utf8')).split('\n').filter(Boolean);
    const order = JSON.parse(lines.find((l) => l.includes('"__typename":"Order"'))!) as JsonObject;
    // Mostly ASCII with a few wide characters: the costliest text for V8 (two bytes per character).
    for (const mb of [2, 24]) {
      const note = `長${'x'.repeat(mb * 1024 * 1024)}`;
      const sink = memorySegments();
      const result = await processJsonl(orders, bytes(`${JSON.stringify({ ...order, note })}\n${lines[0]}\n`), sink, META, opts);
      expect(result.lines).to.equal(2);
      expect(sink.tables.orders?.[0]?.note).to.equal(note);
    }
  });

  it('reads a real file stream', async () => {
    const result = await processJsonl(orders, createReadStream(FIXTURE), memorySegments(), META, opts);
    expect(result.lines).to.equal((await readFile(FIXTURE, 'utf8')).split('\n').filter(Boolean).length);
  });
});

describe('processPlain', () => {
  it('turns the shop response into one shop row', async () => {
    const sink = memorySegments();
    const data = { shop: { id: 'gid://shopify/Shop/1', name: 'A', myshopifyDomain: 'a.myshopify.com', createdAt: '2026-01-01T00:00:00Z' } };
    const result = await processPlain(entityByName('shop'), data, sink, META, 1);
    expect(result).to.deep.equal({ lines: 1, rootLines: 1, rowsByTable: { shop: 1 }, maxCursor: null });
    expect(sink.rows[0]![1]).to.include({ id: '1', name: 'A', domain: 'a.myshopify.com', _shop: 'maple-goods.myshopify.com' });
  });

  it('refuses a bulk entity, and processJsonl refuses a plain one', async () => {
    const pool = new WorkerPool(1);
    try {
      expect((await failure(processPlain(orders, {}, memorySegments(), META, 1))).code).to.equal('INTERNAL');
      expect((await failure(processJsonl(entityByName('shop'), bytes(''), memorySegments(), META, { pool, gzipLevel: 1 }))).code).to.equal('INTERNAL');
    } finally {
      await pool.close();
    }
  });

  it('fails clearly when the response has no shop', async () => {
    const err = await failure(processPlain(entityByName('shop'), {}, memorySegments(), META, 1));
    expect(err.message).to.match(/^shop: record has no id/);
  });
});
