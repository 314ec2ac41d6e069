// The floor under the ETL on this machine: what any two-thread design must spend on the same file
// before it builds a single row. The main thread reads the file in 1 MiB chunks cut at the last line
// end (as the ETL's batches are); one worker per core splits each batch into lines and compresses it
// as the ETL compresses a segment at its default --gzip-level 1 (encodeSegment: ISA-L where it is built,
// with both CRCs), so the time is read + split + compress of the input's bytes, on every core. The ETL
// compresses its output, which is larger than its input, so this floor is low.
// The bench runs it as a program of its own, like the bare loop, over the files one after another:
//   node scripts/two-core-floor.ts [--threads N] FILE…     → {"ms":…}
import { open } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker } from 'node:worker_threads';
import { encodeSegment } from '../src/pipeline/segment.ts';

const CHUNK = 1 << 20;

if (!isMainThread) {
  parentPort!.on('message', (batch: Uint8Array) => {
    let lines = 0;
    for (let at = batch.indexOf(10); at !== -1; at = batch.indexOf(10, at + 1)) lines++;
    const out = encodeSegment(batch, lines, 1);
    parentPort!.postMessage({ lines, bytes: out.bytes.length });
  });
} else if (import.meta.main) {
  const { values, positionals } = parseArgs({ options: { threads: { type: 'string' } }, allowPositionals: true });
  const threads = Number(values.threads ?? availableParallelism());
  // A worker answers its batches in order, so each keeps the queue of those it has not answered yet.
  const workers = Array.from({ length: threads }, () => {
    const worker = new Worker(new URL(import.meta.url));
    const waiting: Array<() => void> = [];
    worker.on('message', () => waiting.shift()!());
    return { worker, waiting };
  });
  const t = performance.now();
  // Two batches in flight per worker, as the ETL keeps.
  const inFlight = new Set<Promise<void>>();
  let next = 0;
  for (const path of positionals) {
    const file = await open(path);
    let carry = Buffer.alloc(0);
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK);
      const { bytesRead } = await file.read(chunk, 0, CHUNK);
      const data = Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
      const cut = bytesRead === 0 ? data.length : data.lastIndexOf(10) + 1;
      carry = Buffer.from(data.subarray(cut));
      if (cut > 0) {
        const { worker, waiting } = workers[next++ % threads]!;
        const batch = new Uint8Array(data.subarray(0, cut));
        const done = new Promise<void>((resolve) => waiting.push(resolve));
        worker.postMessage(batch, [batch.buffer]);
        inFlight.add(done);
        void done.then(() => inFlight.delete(done));
        if (inFlight.size >= 2 * threads) await Promise.race(inFlight);
      }
      if (bytesRead === 0) break;
    }
    await file.close();
  }
  await Promise.all(inFlight);
  const ms = performance.now() - t;
  await Promise.all(workers.map((w) => w.worker.terminate()));
  process.stdout.write(`${JSON.stringify({ ms })}\n`);
}
