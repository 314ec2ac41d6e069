// Why the JSONL hot path uses its own line splitter rather than ndjson or stream-json's JSONL parser:
// times each one over the same sandbox-generated orders file, against a bare split + JSON.parse loop,
// in one process. Run: node scripts/compare-parsers.ts [orders=15000]
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { parse } from 'graphql';
import ndjson from 'ndjson';
import jsonlParser from 'stream-json/jsonl/parser.js';
import { ordersEntity } from '../src/entities/orders.ts';
import { loadQuery } from '../src/entities/queries.ts';
import { lineBatches } from '../src/pipeline/batches.ts';
import { Store } from 'shopify-sandbox';

const orders = Number(process.argv[2] ?? 15_000);
const dir = await mkdtemp(join(tmpdir(), 'parsers-'));
const file = join(dir, 'orders.jsonl');
await new Store({ seed: 1, shopDomain: 'bench.myshopify.com', size: { orders } }).writeBulkResult(parse(loadQuery(ordersEntity)), file, { ordering: 'interleaved' });
const mb = (await stat(file)).size / 1e6;

async function bare(): Promise<number> {
  let n = 0;
  let rest = '';
  for await (const chunk of createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 })) {
    const lines = (rest + chunk).split('\n');
    rest = lines.pop()!;
    for (const line of lines) if (line) { JSON.parse(line); n++; }
  }
  return n;
}

// The hot path's split, on one thread: batches of whole lines (main thread), then lines within a batch (worker).
async function ours(): Promise<number> {
  let n = 0;
  for await (const batch of lineBatches(createReadStream(file, { highWaterMark: 1 << 20 }))) {
    const text = batch.toString('utf8');
    for (let start = 0, end = text.indexOf('\n'); start < text.length; start = end + 1, end = text.indexOf('\n', start)) {
      if (end === -1) end = text.length;
      if (end > start) { JSON.parse(text.slice(start, end)); n++; }
    }
  }
  return n;
}

async function viaStream(parser: NodeJS.ReadWriteStream): Promise<number> {
  let n = 0;
  await pipeline(createReadStream(file, { highWaterMark: 1 << 20 }), parser, async function* (items: AsyncIterable<unknown>) {
    for await (const _ of items) n++;
  });
  return n;
}

const candidates: Array<[string, () => Promise<number>]> = [
  ['bare split + JSON.parse', bare],
  ['src/pipeline/batches.ts + JSON.parse', ours],
  ['ndjson.parse()', () => viaStream(ndjson.parse({ strict: true }))],
  ['stream-json jsonl parser', () => viaStream(jsonlParser.asStream())],
];
const seconds: Record<string, number> = {};
for (const [name, run] of candidates) {
  await run(); // warm-up: JIT and page cache
  const t = process.hrtime.bigint();
  const lines = await run();
  seconds[name] = Number(process.hrtime.bigint() - t) / 1e9;
  console.log(`${name.padEnd(38)} ${seconds[name]!.toFixed(2)} s  ${(mb / seconds[name]!).toFixed(0).padStart(4)} MB/s  ${lines} lines  ratio ${(seconds['bare split + JSON.parse']! / seconds[name]!).toFixed(2)}`);
}
console.log(`file: ${mb.toFixed(0)} MB of orders JSONL (${orders} orders)`);
await rm(dir, { recursive: true, force: true });
