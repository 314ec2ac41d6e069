// The workers' warm-up (src/pipeline/warm-up.ts): made-up lines of each query, in Shopify's shape, that
// the byte path takes whole, so that warming up runs the code the data will; and a pool that warmed up
// writes exactly what one that did not writes.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { entities, queryPartByName } from '../../src/entities/index.ts';
import { TableRows, type BatchResult } from '../../src/pipeline/batch.ts';
import { WorkerPool } from '../../src/pipeline/worker-pool.ts';

const STAMP = { shop: 'maple-goods.myshopify.com', runId: 'run-7', extractedAt: '2026-03-05T06:00:00.000Z', currency: 'CAD' };

describe('warm-up', () => {
  it('gives every query with a byte path made-up lines, one per table its lines go to, each taken whole by the byte path', () => {
    let checked = 0;
    for (const entity of Object.values(entities)) {
      for (const part of entity.parts) {
        if (!part.transcode) continue;
        const lines = part.sampleLines!();
        // A query whose lines are counted against their parent's count goes through process() whole: nothing to warm.
        if (lines.length === 0) {
          expect(part.countedChildren, part.name).to.not.equal(undefined);
          continue;
        }
        const tables = new Set<string>();
        for (const line of lines) {
          const bytes = Buffer.from(line);
          const out = new TableRows(part, STAMP);
          const taken = part.transcode(bytes, 0, bytes.length, out, part.incremental?.cursorField, { root: false, cursor: null, cursorAt: -1 });
          expect(taken, `${part.name}: ${line.slice(0, 200)}`).to.equal(bytes.length);
          // Slashes escaped as Shopify escapes them: the byte path's usual branch for every GID.
          expect(line.includes('gid://'), part.name).to.equal(false);
          for (const { table } of out.encode(1)) tables.add(table);
          checked++;
        }
        // Every table of the query gets rows from them (an inline list's table from its owner's line).
        expect([...tables].sort(), part.name).to.deep.equal(part.tables.map((t) => t.name).filter((t) => tables.has(t)).sort());
        expect(tables.size, part.name).to.be.greaterThan(0);
      }
    }
    expect(checked).to.be.greaterThan(50);
  });

  it('leaves what the workers write unchanged: a pool that warmed up on a query gives the same rows as one that did not', async () => {
    const batch = readFileSync(new URL('../fixtures/orders.jsonl', import.meta.url));
    const text = async (pool: WorkerPool): Promise<Record<string, string>> => {
      try {
        const result = (await pool.run('orders', STAMP, 1, Buffer.from(batch))) as BatchResult;
        expect(result.ok).to.equal(true);
        return Object.fromEntries(result.segments.map((s) => [s.table, inflateRawSync(s.segment.bytes, { finishFlush: 2 }).toString('utf8')]));
      } finally {
        await pool.close();
      }
    };
    const cold = await text(new WorkerPool(1));
    const warmed = new WorkerPool(1);
    warmed.warmUp('orders', STAMP, 1);
    warmed.warmUp('orders_details', STAMP, 1);
    // The warm-up runs while the worker is idle: let it get going before the data comes.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await text(warmed)).to.deep.equal(cold);
    expect(Object.keys(cold)).to.include.members(['orders', 'order_line_items']);
    expect(queryPartByName('orders').sampleLines!().length).to.be.greaterThan(3);
  });
});
