// A fixed set of worker threads that process JSONL batches (batch-worker.ts), shared by every window
// of a run. Each task goes to the worker with the fewest outstanding tasks; callers bound how many
// tasks they keep in flight (process.ts), so the pool itself needs no queue. Workers are referenced
// only while they have work, so an idle pool never keeps the process alive. They start once a bulk
// operation is under way (start(), while Shopify runs it) or with the first batch, so a run that reads
// no bulk result (a dry run, a failed preflight) starts none.
// A batch's memory moves to the worker and comes back with the reply, to hold a later batch: gigabytes
// of fresh off-heap buffers would make V8 on both threads collect garbage far more often, and shrink
// the workers' young generation, which cost a third of the run's CPU (README, Performance).
import { extname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { queryPartByName } from '../entities/index.ts';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { processBatch, type BatchFailure, type BatchResult, type RunStamp } from './batch.ts';
import { exclusive } from './segment.ts';

export interface BatchTask {
  id: number;
  entity: string;
  stamp: RunStamp;
  gzipLevel: number;
  /** The batch is the first `length` bytes; the memory is moved, and moved back in the reply. */
  memory: ArrayBuffer;
  length: number;
}

/** Made-up lines of a query to run through before its data comes (warm-up.ts); no reply. */
export interface WarmUpTask {
  warmUp: string;
  stamp: RunStamp;
  gzipLevel: number;
}

export interface BatchReply {
  id: number;
  outcome?: BatchResult | BatchFailure;
  /** The worker failed outside any line (a bug, or an entity it cannot load). */
  crash?: string;
  /** The task's memory, for another batch. */
  memory: ArrayBuffer;
}

/** Room for a batch of the largest default size and the rest of its last line. */
const SPARE_BYTES = 1024 * 1024 + 256 * 1024;

interface Pending {
  resolve: (outcome: BatchResult | BatchFailure) => void;
  reject: (err: Error) => void;
}

// The same extension as this module: .ts when run from source (type stripping), .js from dist.
const WORKER_URL = new URL(`./batch-worker${extname(fileURLToPath(import.meta.url))}`, import.meta.url);

// A worker's live data is a batch and the rows it is writing (a few MB), but V8 lets a worker's young
// generation and heap grow far past that; these caps keep RSS flat at no measurable cost now that a
// batch leaves little garbage (README, Performance).
export const HEAP_LIMITS = { maxYoungGenerationSizeMb: 8, maxOldGenerationSizeMb: 48 };
// A batch is about 1 MiB unless one line is huge. A line's text exists about four times over while
// it is written (the line, the parsed value, its JSON, the row), two bytes a character once one is not
// Latin-1: past this size that can outgrow the capped heap (a 7 MB line sometimes did), and a worker
// out of memory fails the run, so such a batch, rare as it is, runs on the calling thread instead,
// whose heap is not capped.
const WORKER_BATCH_LIMIT = 3 * 1024 * 1024;
/** Queries the workers warm up on, per pool (warmUp). */
const WARM_UP_QUERIES = 2;

class PoolWorker {
  readonly pending = new Map<number, Pending>();
  readonly worker: Worker;

  constructor(onGone: (self: PoolWorker, err: Error) => void, onMemory: (memory: ArrayBuffer) => void) {
    this.worker = new Worker(WORKER_URL, { resourceLimits: HEAP_LIMITS });
    this.worker.unref();
    this.worker.on('message', (reply: BatchReply) => {
      onMemory(reply.memory);
      const p = this.pending.get(reply.id);
      if (!p) return;
      this.pending.delete(reply.id);
      if (this.pending.size === 0) this.worker.unref();
      if (reply.outcome) p.resolve(reply.outcome);
      else p.reject(new EtlError(ErrorCodes.INTERNAL, `batch worker failed: ${reply.crash ?? 'no reply'}`));
    });
    this.worker.on('error', (err) => onGone(this, err));
    this.worker.on('exit', (code) => onGone(this, new Error(`batch worker exited with code ${code}`)));
  }

  run(task: BatchTask): Promise<BatchResult | BatchFailure> {
    return new Promise((resolve, reject) => {
      this.pending.set(task.id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(task, [task.memory]);
    });
  }

  fail(err: Error): void {
    for (const p of this.pending.values()) p.reject(new EtlError(ErrorCodes.INTERNAL, `batch worker stopped: ${err.message}`, { cause: err }));
    this.pending.clear();
  }
}

export class WorkerPool {
  readonly size: number;
  #workers: PoolWorker[] = [];
  // Batch memory back from the workers, ready for the next batches (at most a few batches' worth).
  #spare: ArrayBuffer[] = [];
  // Memory this pool handed out: safe to move whole, although a batch fills only its start.
  #own = new WeakSet<ArrayBuffer>();
  #nextId = 0;
  #closed = false;
  /** The queries the workers warmed up on. */
  readonly #warmed = new Set<string>();

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new EtlError(ErrorCodes.INTERNAL, `worker pool size must be ≥ 1 (got ${size})`);
    this.size = size;
  }

  /** Memory for a batch (a BatchAllocator): reused from earlier batches when one is big enough. */
  readonly batchBuffer = (size: number): Buffer => {
    const at = this.#spare.findIndex((m) => m.byteLength >= size);
    const memory = at === -1 ? new ArrayBuffer(Math.max(size, SPARE_BYTES)) : this.#spare.splice(at, 1)[0]!;
    this.#own.add(memory);
    return Buffer.from(memory, 0, size);
  };

  /**
   * Processes one batch. A Buffer from batchBuffer, or alone on its ArrayBuffer, is moved to the worker
   * (the caller's buffer is empty afterwards); any other (a slice of Node's shared pool) is copied first.
   */
  run(entity: string, stamp: RunStamp, gzipLevel: number, bytes: Buffer): Promise<BatchResult | BatchFailure> {
    if (this.#closed) return Promise.reject(new EtlError(ErrorCodes.INTERNAL, 'worker pool is closed'));
    if (bytes.length > WORKER_BATCH_LIMIT) {
      try {
        return Promise.resolve(processBatch(queryPartByName(entity), stamp, bytes, gzipLevel));
      } catch (err) {
        return Promise.reject(err instanceof Error ? err : new Error(String(err)));
      }
    }
    this.start();
    let least = this.#workers[0]!;
    for (const w of this.#workers) if (w.pending.size < least.pending.size) least = w;
    const own = bytes.byteOffset === 0 && this.#own.has(bytes.buffer as ArrayBuffer) ? bytes : exclusive(bytes);
    return least.run({ id: this.#nextId++, entity, stamp, gzipLevel, memory: own.buffer as ArrayBuffer, length: own.length });
  }

  /**
   * Starts the workers if they are not running yet, and has each warm up on query `part`'s made-up
   * lines while it has nothing else to do (warm-up.ts): called when its operation starts, so that the
   * workers do it while Shopify runs the operation. The first WARM_UP_QUERIES queries only: the row
   * path's code is the same for every query, and a run of many small ones should not pay for each.
   */
  warmUp(part: string, stamp: RunStamp, gzipLevel: number): void {
    this.start();
    if (this.#closed || this.#warmed.has(part) || this.#warmed.size >= WARM_UP_QUERIES) return;
    this.#warmed.add(part);
    const task: WarmUpTask = { warmUp: part, stamp, gzipLevel };
    for (const w of this.#workers) w.worker.postMessage(task);
  }

  /** Starts the workers if they are not running yet (run() does too); idempotent. */
  start(): void {
    if (this.#closed || this.#workers.length > 0) return;
    // Node runs with --max-semi-space-size=1, for the main thread (src/cli/node-flags.ts). V8 applies
    // that flag to every isolate made later too, over resourceLimits, which would give the workers a
    // young generation four times smaller than HEAP_LIMITS and four times the collections. Back to
    // V8's default (0: size from the isolate's own limits) before they start; the main thread's heap
    // keeps the size it was made with.
    setFlagsFromString('--max-semi-space-size=0');
    this.#workers = Array.from({ length: this.size }, () => this.#spawn());
  }

  async close(): Promise<void> {
    this.#closed = true;
    const workers = this.#workers;
    this.#workers = [];
    await Promise.all(workers.map((w) => w.worker.terminate()));
  }

  #spawn(): PoolWorker {
    return new PoolWorker(
      (gone, err) => {
        gone.fail(err);
        // A worker that died unexpectedly is replaced, so one bad batch does not starve later windows.
        const at = this.#workers.indexOf(gone);
        if (at !== -1 && !this.#closed) this.#workers[at] = this.#spawn();
      },
      (memory) => {
        // Kept while few; a batch made big by one very long line is let go.
        if (this.#spare.length < this.size * 2 + 2 && memory.byteLength <= SPARE_BYTES * 2) {
          this.#own.add(memory);
          this.#spare.push(memory);
        }
      },
    );
  }
}
