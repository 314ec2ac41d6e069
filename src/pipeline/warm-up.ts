// The workers' warm-up while Shopify runs an operation. A worker thread starts with none of the row
// path's code optimised: V8 compiles it as the first megabytes of data go through, each worker on its
// own, on background threads that share the cores with the workers (~0.7 s of CPU per run whatever
// its size; V8's --trace-opt: some 300 TurboFan compiles in the processing window). A result file's
// first bytes come only once the operation is done, and the workers sit idle until then; so they run
// made-up lines of the first queries (QueryPart.sampleLines: every table, every column filled, in
// Shopify's shape) through processBatch meanwhile, and what is left to compile when the data comes is
// little. The output is thrown away. The warm-up uses only that idle time: it runs a batch at a time,
// and stops for good when the first real batch comes.
import type { QueryPart } from '../entities/types.ts';
import { processBatch, type RunStamp } from './batch.ts';

/** Made-up lines per query warmed up on: what took V8's compiling in the window from ~0.7 to ~0.3 s of CPU (orders, 150 MB). */
const WARM_UP_BYTES = 5 * 1024 * 1024;
/** The batch the lines are repeated into (a batch's per-table work, deflate and checksums, is part of the path too). */
const BATCH_BYTES = 256 * 1024;

interface Pending {
  part: QueryPart;
  stamp: RunStamp;
  gzipLevel: number;
  batch: Buffer;
  left: number;
}

/** One thread's warm-ups, run a batch per turn of the event loop until done or until real data comes. */
export class WarmUps {
  readonly #queue: Pending[] = [];
  #scheduled = false;
  #over = false;

  /** Queues a warm-up on `part`'s lines (none for a query without them, or once data came). */
  add(part: QueryPart, stamp: RunStamp, gzipLevel: number): void {
    const lines = part.sampleLines?.();
    if (this.#over || !lines?.length) return;
    const once = `${lines.join('\n')}\n`;
    const batch = Buffer.from(once.repeat(Math.max(1, Math.floor(BATCH_BYTES / Buffer.byteLength(once)))));
    this.#queue.push({ part, stamp, gzipLevel, batch, left: WARM_UP_BYTES });
    this.#schedule();
  }

  /** Real data came: no more warming up, now or later. */
  stop(): void {
    this.#over = true;
    this.#queue.length = 0;
  }

  #schedule(): void {
    if (this.#scheduled || this.#queue.length === 0) return;
    this.#scheduled = true;
    // setImmediate, not a loop: a batch that arrives meanwhile is handled before the next step.
    setImmediate(() => {
      this.#scheduled = false;
      const next = this.#queue[0];
      if (!next) return;
      processBatch(next.part, next.stamp, next.batch, next.gzipLevel);
      next.left -= next.batch.length;
      if (next.left <= 0) this.#queue.shift();
      this.#schedule();
    });
  }
}
