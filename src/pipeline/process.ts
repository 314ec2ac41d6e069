// JSONL → rows → table segments, for one window. The main thread cuts the download into batches of
// whole lines (batches.ts); workers parse, run the entity's processor and compress (batch.ts); results
// are taken back strictly in batch order, so rows keep the file's order within each table and line
// numbers continue across batches. At most `inFlight` batches are out at once and the next chunk is
// read only after the oldest batch's segments are written: a slow disk or upload slows the download
// instead of filling memory, so memory stays flat however big the file is.
import { EtlError, ErrorCodes, isEtlError } from '../errors.ts';
import type { Entity, JsonObject } from '../entities/types.ts';
import { TableTexts, type BatchFailure, type BatchResult, type RunStamp } from './batch.ts';
import { DEFAULT_BATCH_BYTES, lineBatches } from './batches.ts';
import type { Segment } from './segment.ts';
import type { WorkerPool } from './worker-pool.ts';

export interface RunMeta {
  /** The shop's myshopify domain, stamped on every row as `_shop`. */
  shop: string;
  runId: string;
  extractedAt: Date | string;
}

export interface ProcessResult {
  /** Non-empty lines read (compare with the bulk operation's objectCount); 1 for a plain entity. */
  lines: number;
  /** Lines without __parentId (compare with rootObjectCount). */
  rootLines: number;
  rowsByTable: Record<string, number>;
  /** Highest cursor field (updatedAt) among root records, as Shopify wrote it; null if none or not incremental. */
  maxCursor: string | null;
}

/** Where segments go, in order per table; TableWriters is one. A returned promise means "wait before writing more". */
export interface SegmentSink {
  write(table: string, segment: Segment): Promise<void> | void;
}

export interface ProcessOptions {
  pool: WorkerPool;
  gzipLevel: number;
  batchBytes?: number;
  /** Batches out at once (default two per worker: one being processed, one waiting, so no worker idles). */
  inFlight?: number;
  /** After each batch is written: totals so far, for progress. */
  onBatch?: (totals: { lines: number; rows: number }) => void;
}

function stampOf(meta: RunMeta): RunStamp {
  return { shop: meta.shop, runId: meta.runId, extractedAt: typeof meta.extractedAt === 'string' ? meta.extractedAt : meta.extractedAt.toISOString() };
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
  if (entity.kind !== 'bulk') throw new EtlError(ErrorCodes.INTERNAL, `${entity.name} is not a bulk entity`);
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

  const takeOldest = async (): Promise<void> => {
    const outcome = await queue.shift()!;
    if (!outcome.ok) throw lineError(entity, outcome, physicalLines);
    physicalLines += outcome.physicalLines;
    lines += outcome.lines;
    rootLines += outcome.rootLines;
    if (outcome.maxCursor !== null && outcome.maxCursorMs > maxCursorMs) {
      maxCursorMs = outcome.maxCursorMs;
      maxCursor = outcome.maxCursor;
    }
    for (const { table, segment } of outcome.segments) {
      rowsByTable[table] = (rowsByTable[table] ?? 0) + segment.rows;
      rows += segment.rows;
    }
    await writeAll(sink, outcome.segments);
    options.onBatch?.({ lines, rows });
  };

  try {
    for await (const batch of lineBatches(chunks, options.batchBytes ?? DEFAULT_BATCH_BYTES)) {
      const task = options.pool.run(entity.name, stamp, options.gzipLevel, batch);
      task.catch(() => undefined); // awaited in order by takeOldest; this only stops an unhandled-rejection report
      queue.push(task);
      if (queue.length >= inFlight) await takeOldest();
    }
    while (queue.length > 0) await takeOldest();
  } catch (err) {
    // Nothing may still be running for this window once the caller cleans up its files.
    await Promise.allSettled(queue);
    throw err;
  }
  return { lines, rootLines, rowsByTable, maxCursor };
}

/** For `kind: 'plain'` entities (shop): `data` is the GraphQL response's data object; runs on this thread. */
export async function processPlain(entity: Entity, data: JsonObject, sink: SegmentSink, meta: RunMeta, gzipLevel: number): Promise<ProcessResult> {
  if (entity.kind !== 'plain') throw new EtlError(ErrorCodes.INTERNAL, `${entity.name} is not a plain entity`);
  const out = new TableTexts(entity, stampOf(meta));
  try {
    entity.process(data, out.emit);
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
