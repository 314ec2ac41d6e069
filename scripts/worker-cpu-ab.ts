// The workers' CPU, old code against new, on the same bytes: what a change to the row path saves,
// measured in a way a loaded machine disturbs far less than wall times (README, Performance, issue 21's
// parts 3 to 6). The sandbox's orders (both of the entity's queries) are written once to files; the
// source tree at a git ref is copied out beside this checkout's; then, in one worker thread with the
// pool's heap limits, passes of processBatch over the files alternate between the two (A B, B A, …),
// each timed by the thread's own CPU time, and each pass's segments must hold the same as the first
// pass's, or the script fails: for gzip NDJSON the same text (inflated: two deflaters may end a segment
// with a different number of empty sync-flush blocks); with --format parquet the batches make Parquet
// pages, and what must be the same is each page's uncompressed body and value count: a change of
// zstd's settings changes the compressed bytes, not the values.
//
//   node scripts/worker-cpu-ab.ts [--base main] [--orders 15000] [--rounds 9] [--query orders,orders_details] [--data DIR] [--format parquet]
//
// --base: the git ref of A (B is this checkout's src/, uncommitted changes included); --data: a
// directory to keep the files in and reuse (else a temporary one, removed at the end).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, Worker, workerData } from 'node:worker_threads';
import { constants, inflateRawSync, zstdDecompressSync } from 'node:zlib';
import { parse } from 'graphql';
import { startSandbox } from 'shopify-sandbox';
import { HEAP_LIMITS } from '../src/pipeline/worker-pool.ts';
import type { Segment } from '../src/pipeline/segment.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const BATCH_BYTES = 1024 * 1024;

interface Job { roots: string[]; files: Array<{ query: string; path: string }>; rounds: number; parquet: boolean }

if (isMainThread) {
  const { values: args } = parseArgs({
    options: {
      base: { type: 'string', default: 'main' },
      orders: { type: 'string', default: '15000' },
      rounds: { type: 'string', default: '9' },
      query: { type: 'string', default: 'orders,orders_details' },
      data: { type: 'string' },
      format: { type: 'string', default: 'ndjson' },
    },
  });
  if (args.format !== 'ndjson' && args.format !== 'parquet') throw new Error(`--format ${args.format}: ndjson or parquet`);
  const scratch = mkdtempSync(join(tmpdir(), 'worker-cpu-ab-'));
  try {
    const data = args.data ?? join(scratch, 'data');
    mkdirSync(data, { recursive: true });
    const files = args.query.split(',').map((query) => ({ query, path: join(data, `${query}-${args.orders}.jsonl`) }));
    if (!files.every((f) => existsSync(f.path))) {
      const sandbox = await startSandbox({ size: { orders: Number(args.orders) }, dataDir: join(scratch, 'sandbox') });
      try {
        for (const f of files) await sandbox.store.writeBulkResult(parse(readFileSync(join(root, 'queries', `${f.query}.graphql`), 'utf8')), f.path, { ordering: 'interleaved' });
      } finally {
        await sandbox.close();
      }
    }
    // A: the tree at --base, beside this checkout so that its imports resolve to the same node_modules.
    const base = join(scratch, 'base');
    mkdirSync(base);
    execFileSync('sh', ['-c', `git archive ${JSON.stringify(args.base)} src queries package.json | tar -x -C ${JSON.stringify(base)}`], { cwd: root });
    symlinkSync(join(root, 'node_modules'), join(base, 'node_modules'));
    const job: Job = { roots: [base, root], files, rounds: Number(args.rounds), parquet: args.format === 'parquet' };
    const worker = new Worker(new URL(import.meta.url), { workerData: job, resourceLimits: HEAP_LIMITS });
    const code = await new Promise<number>((resolve) => worker.on('exit', resolve));
    if (code !== 0) process.exitCode = code;
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
} else {
  const job = workerData as Job;
  const stamp = { shop: 'sandbox.myshopify.com', runId: '20261203T000000.000Z-ab', extractedAt: '2026-12-03T00:00:00.000Z', currency: 'USD', ...(job.parquet ? { format: 'parquet' as const } : {}) };
  // Batches of whole lines, as the main thread cuts them once past its first small ones.
  const inputs = job.files.map(({ query, path }) => {
    const bytes = readFileSync(path);
    const batches: Uint8Array[] = [];
    for (let start = 0; start < bytes.length; ) {
      let end = Math.min(start + BATCH_BYTES, bytes.length);
      if (end < bytes.length) end = bytes.lastIndexOf(0x0a, end - 1) + 1;
      batches.push(new Uint8Array(bytes.subarray(start, end)));
      start = end;
    }
    return { query, batches, mb: bytes.length / 1e6 };
  });
  const sides = await Promise.all(job.roots.map(async (dir) => {
    const { processBatch } = (await import(join(dir, 'src/pipeline/batch.ts'))) as typeof import('../src/pipeline/batch.ts');
    const { queryPartByName } = (await import(join(dir, 'src/entities/index.ts'))) as typeof import('../src/entities/index.ts');
    return { dir, processBatch, parts: new Map(inputs.map((i) => [i.query, queryPartByName(i.query)])), cpuMs: [] as number[] };
  }));
  let reference: string | null = null;
  for (let round = 0; round < job.rounds; round++) {
    for (const side of round % 2 === 0 ? sides : [...sides].reverse()) {
      const segments: Segment[] = [];
      const before = process.threadCpuUsage();
      for (const input of inputs) {
        for (const batch of input.batches) {
          const result = side.processBatch(side.parts.get(input.query)!, stamp, batch, 1);
          if (!result.ok) throw new Error(`${side.dir}: ${input.query} batch failed at line ${result.line}${result.message}`);
          for (const s of result.segments) segments.push(s.segment);
        }
      }
      const cpu = process.threadCpuUsage(before);
      side.cpuMs.push((cpu.user + cpu.system) / 1000);
      const hash = createHash('sha256');
      // Outside the timed pass: what the segments hold, not how deflate or zstd framed it.
      for (const s of segments) {
        if (!s.pages) hash.update(inflateRawSync(s.bytes, { finishFlush: constants.Z_SYNC_FLUSH }));
        else for (let leaf = 0; leaf < s.pages.values.length; leaf++) hash.update(pageBody(s.bytes.subarray(s.pages.offsets[leaf]!, s.pages.offsets[leaf + 1]!))).update(`${s.pages.values[leaf]}`);
      }
      const digest = hash.digest('hex');
      if (reference !== null && digest !== reference) throw new Error(`${side.dir} wrote other bytes than the first pass (round ${round + 1})`);
      reference = digest;
    }
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const mb = inputs.reduce((sum, i) => sum + i.mb, 0);
  console.log(`${inputs.map((i) => `${i.query} ${i.mb.toFixed(1)} MB`).join(', ')}; ${job.rounds} rounds, alternating; CPU time of one worker thread per pass`);
  for (const [i, side] of sides.entries()) {
    console.log(`${i === 0 ? 'A (base)' : 'B (this checkout)'}  median ${median(side.cpuMs).toFixed(0)} ms (${(median(side.cpuMs) / mb).toFixed(2)} ms/MB)  [${side.cpuMs.map((x) => x.toFixed(0)).join(' ')}]`);
  }
  const ratios = sides[1]!.cpuMs.map((b, i) => b / sides[0]!.cpuMs[i]!);
  console.log(`B/A per round: median ${median(ratios).toFixed(3)}  [${ratios.map((r) => r.toFixed(3)).join(' ')}]; output the same text in every pass`);
}

/** A Parquet page's body, decompressed: the page (a PageHeader in Thrift's compact protocol, then the zstd frame) less the header. */
function pageBody(page: Uint8Array): Buffer {
  let at = 0;
  const varint = (): number => {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      const b = page[at++]!;
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
  };
  // The header holds only i32 fields (type 5) and structs of them (type 12), with short field-id deltas.
  const struct = (): void => {
    for (;;) {
      const type = page[at++]! & 0x0f;
      if (type === 0) return;
      if (type === 5) varint();
      else if (type === 12) struct();
      else throw new Error(`a page header field of type ${type}`);
    }
  };
  struct();
  return zstdDecompressSync(page.subarray(at));
}
