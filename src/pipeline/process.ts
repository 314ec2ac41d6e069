// JSONL → rows → table segments, for one window. The main thread cuts the download into batches of
// whole lines (batches.ts); workers parse, run the entity's processor and compress (batch.ts); results
// are taken back strictly in batch order, so rows keep the file's order within each table and line
// numbers continue across batches. At most `inFlight` batches are out at once, and a batch leaves the
// count only once its segments are written: a slow disk or upload slows the download instead of
// filling memory, so memory stays flat however big the file is.
import { EtlError, ErrorCodes, isEtlError } from '../errors/index.ts';
import type { QueryPart as Entity } from '../entities/types.ts';
import type { OutputFormat } from '../load/layout.ts';
import type { JsonObject } from '../rows/types.ts';
import { TableRows, type BatchFailure, type BatchResult, type ChildTally, type RunStamp } from './batch.ts';
import { lineBatches, type BatchSizes } from './batches.ts';
import type { Segment } from './segment.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface RunMeta {
  /** The shop's myshopify domain, stamped on every row as `_shop`. */
  shop: string;
  runId: string;
  /** When the window's data was read, stamped as `_extracted_at` (see readAt in src/sync/bulk-window.ts). */
  extractedAt: Date | string;
  /** The shop's currency (ISO 4217), for the tables that name it (TableDef.shopCurrencyColumns). */
  currency: string;
  /** How segments are encoded (--format); ndjson when absent. */
  format?: OutputFormat;
}

export interface ProcessResult {
  /** Non-empty lines read (compare with the bulk operation's objectCount); 1 for a plain entity. */
  lines: number;
  /** Lines without __parentId (compare with rootObjectCount). */
  rootLines: number;
  rowsByTable: Record<string, number>;
  /** Highest cursor field (updatedAt) among root records, as Shopify wrote it; null if none or not incremental. */
  maxCursor: string | null;
  /** Parents with fewer child lines than they count (QueryPart.countedChildren); absent or empty when none. */
  shortChildren?: ShortChildren[];
}

export interface ShortChildren {
  parent: string;
  counted: number;
  read: number;
}

/** Where segments go, in order per table; TableWriters is one. A returned promise means "wait before writing more". */
export interface SegmentSink {
  write(table: string, segment: Segment): Promise<void> | void;
}

export interface ProcessOptions {
  pool: WorkerPool;
  gzipLevel: number;
  batchBytes?: BatchSizes;
  /** Batches out at once (default two per worker: one being processed, one waiting, so no worker idles). */
  inFlight?: number;
  /** After each batch is written: totals so far, for progress. Awaited: nothing more is written meanwhile. */
  onBatch?: (totals: { lines: number; rows: number }) => Promise<void> | void;
}

export function stampOf(meta: RunMeta): RunStamp {
  return { shop: meta.shop, runId: meta.runId, extractedAt: typeof meta.extractedAt === 'string' ? meta.extractedAt : meta.extractedAt.toISOString(), currency: meta.currency, ...(meta.format === 'parquet' ? { format: meta.format } : {}) };
}

function emptyCounts(entity: Entity): Record<string, number> {
  return Object.fromEntries(entity.tables.map((t) => [t.name, 0]));
}

async function writeAll(sink: SegmentSink, segments: BatchResult['segments']): Promise<void> {
  const waits: Array<Promise<void>> = [];
  for (const { table, segment } of segments) {
    const wait = sink.write(table, segment);
    if (wait) waits.push(wait);
  }
  await Promise.all(waits);
}

function lineError(entity: Entity, failure: BatchFailure, linesBefore: number): EtlError {
  const line = linesBefore + failure.line;
  return new EtlError(failure.code, `${entity.name} JSONL line ${line}${failure.message}`, { details: { ...failure.details, line } });
}

export async function processJsonl(entity: Entity, chunks: AsyncIterable<Uint8Array>, sink: SegmentSink, meta: RunMeta, options: ProcessOptions): Promise<ProcessResult> {
  if (entity.kind === 'plain') throw new EtlError(ErrorCodes.INTERNAL, `${entity.name} is not a bulk entity`);
  const stamp = stampOf(meta);
  const inFlight = options.inFlight ?? options.pool.size * 2;
  const rowsByTable = emptyCounts(entity);
  const queue: Array<Promise<BatchResult | BatchFailure>> = [];
  let physicalLines = 0;
  let lines = 0;
  let rootLines = 0;
  let rows = 0;
  let maxCursor: string | null = null;
  let maxCursorMs = -Infinity;
  // A parent and its children can lie in different batches: their tallies add up here.
  const children = new Map<string, ChildTally>();

  // Two loops: the reader hands batches to the pool while there is room; the writer takes results in
  // order and writes each as soon as it is ready (not only when the reader is blocked), so parts close
  // and upload while the download goes on. Either one failing stops both.
  let reading = true;
  let stopped = false;
  let wakeReader = (): void => undefined;
  let wakeWriter = (): void => undefined;
  let fail: (err: unknown) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = (err) => {
      if (stopped) return;
      stopped = true;
      reject(err);
      wakeReader();
      wakeWriter();
    };
  });
  failed.catch(() => undefined);

  const read = async (): Promise<void> => {
    try {
      for await (const batch of lineBatches(chunks, options.batchBytes, options.pool.batchBuffer)) {
        if (stopped) return;
        const task = options.pool.run(entity.name, stamp, options.gzipLevel, batch);
        task.catch(() => undefined); // taken in order by the writer; this only stops an unhandled-rejection report
        queue.push(task);
        wakeWriter();
        while (queue.length >= inFlight && !stopped) await new Promise<void>((resolve) => (wakeReader = resolve));
        if (stopped) return;
      }
    } finally {
      reading = false;
      wakeWriter();
    }
  };

  const write = async (): Promise<void> => {
    while (!stopped) {
      if (queue.length === 0) {
        if (!reading) return;
        await new Promise<void>((resolve) => (wakeWriter = resolve));
        continue;
      }
      const outcome = await queue[0]!;
      queue.shift();
      wakeReader();
      if (!outcome.ok) throw lineError(entity, outcome, physicalLines);
      physicalLines += outcome.physicalLines;
      lines += outcome.lines;
      rootLines += outcome.rootLines;
      if (outcome.maxCursor !== null && outcome.maxCursorMs > maxCursorMs) {
        maxCursorMs = outcome.maxCursorMs;
        maxCursor = outcome.maxCursor;
      }
      for (const [parent, counted, read] of outcome.children) {
        const tally = children.get(parent);
        if (tally) {
          tally[1] ??= counted;
          tally[2] += read;
        } else children.set(parent, [parent, counted, read]);
      }
      for (const { table, segment } of outcome.segments) {
        rowsByTable[table] = (rowsByTable[table] ?? 0) + segment.rows;
        rows += segment.rows;
      }
      await writeAll(sink, outcome.segments);
      await options.onBatch?.({ lines, rows });
    }
  };

  try {
    // A reader stuck on a silent network is not awaited after a failure: the download's own idle
    // timeout or the abort signal ends it, and it stops at its next batch.
    await Promise.race([Promise.all([read().catch(fail), write().catch(fail)]), failed]);
  } catch (err) {
    // No batch of this window is left running when the caller cleans up its files.
    await Promise.allSettled(queue);
    throw err;
  }
  const shortChildren = [...children.values()].flatMap(([parent, counted, read]) => (counted !== null && read < counted ? [{ parent, counted, read }] : []));
  return { lines, rootLines, rowsByTable, maxCursor, ...(shortChildren.length > 0 ? { shortChildren } : {}) };
}

/** For `kind: 'plain'` entities (shop): `data` is the GraphQL response's data object; runs on this thread. */
export async function processPlain(entity: Entity, data: JsonObject, sink: SegmentSink, meta: RunMeta, gzipLevel: number): Promise<ProcessResult> {
  if (entity.kind !== 'plain') throw new EtlError(ErrorCodes.INTERNAL, `${entity.name} is not a plain entity`);
  const out = new TableRows(entity, stampOf(meta));
  try {
    entity.process(data, out);
  } catch (err) {
    if (isEtlError(err)) throw new EtlError(err.code, `${entity.name}: ${err.message}`, { cause: err, details: err.details });
    throw err;
  }
  const segments = out.encode(gzipLevel);
  await writeAll(sink, segments);
  const rowsByTable = emptyCounts(entity);
  for (const { table, segment } of segments) rowsByTable[table] = segment.rows;
  return { lines: 1, rootLines: 1, rowsByTable, maxCursor: null };
}
