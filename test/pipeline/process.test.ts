import { expect } from 'chai';
import { createReadStream } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { entityByName } from '../../src/entities/index.ts';
import type { Row } from '../../src/entities/types.ts';
import { isEtlError, type EtlError } from '../../src/errors.ts';
import { splitLines } from '../../src/pipeline/lines.ts';
import { processJsonl, processPlain } from '../../src/pipeline/process.ts';
import { TableWriters } from '../../src/pipeline/table-writer.ts';

const META = { shop: 'maple-goods.myshopify.com', runId: 'run-7', extractedAt: new Date('2026-03-05T06:00:00Z') };
const orders = entityByName('orders');
const collections = entityByName('collections');

async function* bytes(text: string): AsyncGenerator<Buffer> {
  yield Buffer.from(text);
}

function memorySink(): { rows: Array<[string, Row]>; write: (t: string, r: Row) => void } {
  const rows: Array<[string, Row]> = [];
  return { rows, write: (t, r) => void rows.push([t, r]) };
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

const collection = (n: number, updatedAt: string): string => JSON.stringify({ __typename: 'Collection', id: `gid://shopify/Collection/${n}`, title: 't', handle: 'h', sortOrder: 'MANUAL', templateSuffix: null, updatedAt });
const member = (p: number, c: number): string => JSON.stringify({ __typename: 'Product', id: `gid://shopify/Product/${p}`, __parentId: `gid://shopify/Collection/${c}` });

describe('processJsonl', () => {
  it('counts lines, root lines and rows per table, and stamps the run columns on every row', async () => {
    const sink = memorySink();
    const text = [member(5, 1), collection(1, '2026-01-01T00:00:00Z'), member(6, 1)].join('\n');
    const result = await processJsonl(collections, splitLines(bytes(text)), sink, META);
    expect(result).to.deep.equal({ lines: 3, rootLines: 1, rowsByTable: { collections: 1, collection_products: 2 }, maxCursor: null });
    for (const [, row] of sink.rows) expect([row._shop, row._run_id, row._extracted_at]).to.deep.equal(['maple-goods.myshopify.com', 'run-7', '2026-03-05T06:00:00.000Z']);
  });

  it('reports the highest root updatedAt as maxCursor, by time rather than by text', async () => {
    const order = (n: number, updatedAt: string, parent?: string): string => JSON.stringify({ __typename: 'Order', id: `gid://shopify/Order/${n}`, updatedAt, ...(parent ? { __parentId: parent } : {}) });
    const lineItem = JSON.stringify({ __typename: 'LineItem', id: 'gid://shopify/LineItem/1', updatedAt: '2030-01-01T00:00:00Z', __parentId: 'gid://shopify/Order/1' });
    const text = [order(1, '2026-02-01T10:00:00.5Z'), lineItem, order(2, '2026-02-01T10:00:00.250Z'), order(3, '2026-01-31T23:00:00Z')].join('\n');
    const result = await processJsonl(orders, splitLines(bytes(text)), memorySink(), META);
    expect(result.maxCursor).to.equal('2026-02-01T10:00:00.5Z');
    expect(result.rootLines).to.equal(3);
  });

  it('fails with MALFORMED_JSONL naming the physical line number and an excerpt', async () => {
    const text = `${collection(1, '2026-01-01T00:00:00Z')}\n\n{"__typename":"Collection","id":${'9'.repeat(300)}\n`;
    const err = await failure(processJsonl(collections, splitLines(bytes(text)), memorySink(), META));
    expect(err.code).to.equal('MALFORMED_JSONL');
    expect(err.message).to.match(/^collections JSONL line 3 is not valid JSON/);
    expect(err.message).to.include('{"__typename":"Collection","id":999');
    expect(err.message.length).to.be.lessThan(300);
    expect(err.details.line).to.equal(3);
  });

  it('counts lines itself when the lines do not carry numbers', async () => {
    async function* plain(): AsyncGenerator<string> {
      yield collection(1, '2026-01-01T00:00:00Z');
      yield '[1,2]';
    }
    const err = await failure(processJsonl(collections, plain(), memorySink(), META));
    expect(err.message).to.match(/line 2 is not a JSON object/);
  });

  it('fails on an unknown __typename, naming the line and the type', async () => {
    const text = [collection(1, '2026-01-01T00:00:00Z'), JSON.stringify({ __typename: 'Metafield', id: 'gid://shopify/Metafield/1', __parentId: 'gid://shopify/Collection/1' })].join('\n');
    const err = await failure(processJsonl(collections, splitLines(bytes(text)), memorySink(), META));
    expect(err.code).to.equal('MALFORMED_JSONL');
    expect(err.message).to.match(/^collections JSONL line 2: collections: unknown __typename "Metafield"; this entity handles Collection, Product/);
  });

  it('waits for the writers before reading the next line (backpressure)', async () => {
    let pulled = 0;
    let release: () => void = () => undefined;
    const lines: AsyncIterable<string> = {
      async *[Symbol.asyncIterator]() {
        for (const l of [collection(1, '2026-01-01T00:00:00Z'), collection(2, '2026-01-01T00:00:00Z')]) {
          pulled++;
          yield l;
        }
      },
    };
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const sink = { write: (): Promise<void> => gate };
    const done = processJsonl(collections, lines, sink, META);
    await new Promise((resolve) => setImmediate(resolve));
    expect(pulled).to.equal(1);
    release();
    expect((await done).lines).to.equal(2);
  });

  it('feeds the table writers: the orders fixture becomes gzipped part files holding the same rows', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'process-'));
    try {
      const memory = memorySink();
      const fixture = new URL('../fixtures/orders.jsonl', import.meta.url);
      await processJsonl(orders, splitLines(createReadStream(fixture)), memory, META);

      const writers = new TableWriters({ stagingDir: dir, objectName: (t, p) => `${t}/part-${p}.ndjson.gz` });
      const result = await processJsonl(orders, splitLines(createReadStream(fixture)), writers, META);
      const files = await writers.close();
      expect(files.map((f) => f.objectName).sort()).to.deep.equal(Object.keys(result.rowsByTable).map((t) => `${t}/part-0.ndjson.gz`).sort());
      for (const f of files) {
        const table = f.objectName.split('/')[0]!;
        const written = gunzipSync(await readFile(f.localPath)).toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
        expect(written).to.deep.equal(memory.rows.filter(([t]) => t === table).map(([, r]) => r));
        expect(f.rows).to.equal(result.rowsByTable[table]);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('processPlain', () => {
  it('turns the shop response into one shop row', async () => {
    const sink = memorySink();
    const data = { shop: { id: 'gid://shopify/Shop/1', name: 'A', myshopifyDomain: 'a.myshopify.com', createdAt: '2026-01-01T00:00:00Z' } };
    const result = await processPlain(entityByName('shop'), data, sink, META);
    expect(result).to.deep.equal({ lines: 1, rootLines: 1, rowsByTable: { shop: 1 }, maxCursor: null });
    expect(sink.rows[0]![1]).to.include({ id: '1', name: 'A', domain: 'a.myshopify.com', _shop: 'maple-goods.myshopify.com' });
  });

  it('refuses a bulk entity, and processJsonl refuses a plain one', async () => {
    expect((await failure(processPlain(orders, {}, memorySink(), META))).code).to.equal('INTERNAL');
    expect((await failure(processJsonl(entityByName('shop'), splitLines(bytes('')), memorySink(), META))).code).to.equal('INTERNAL');
  });

  it('fails clearly when the response has no shop', async () => {
    const err = await failure(processPlain(entityByName('shop'), {}, memorySink(), META));
    expect(err.message).to.match(/^shop: record has no id/);
  });
});
