// One attempt at a window of a bulk entity: get a COMPLETED operation (operation.ts) for each of its
// queries, stream their JSONL through the query's processor into part files that upload as they close,
// and verify that every object Shopify counted was read. A paged query (paged-part.ts) has no operation:
// its pages, read now, go through the same pipeline as a result file would.
import type { LimitFunction } from 'p-limit';
import type { Entity, QueryPart } from '../entities/types.ts';
import { loadQuery, withSearchFilter, windowFilter } from '../entities/queries.ts';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { processJsonl, stampOf, type ProcessResult, type RunMeta } from '../pipeline/process.ts';
import type { WorkerPool } from '../pipeline/worker-pool.ts';
import { assertCompleted, type BulkOperation } from '../shopify/operation.ts';
import { scopesToGrant } from '../shopify/scopes.ts';
import { downloadResult } from '../shopify/download.ts';
import type { CountCheck, StoreCount } from '../load/manifest.ts';
import type { WindowRow } from '../state/windows.ts';
import { checkCounts, childrenShortfall, readCount, shortfall, type CountDeps } from './counts.ts';
import { pagedLines } from './paged-part.ts';
import type { ShopifyClient } from '../shopify/client.ts';
import { pollOperation, startOperation, type OperationDeps } from './operation.ts';
import type { Staging, WindowOutput, WindowStage } from './staging.ts';
import type { Progress } from '../report/progress.ts';
import type { WindowMachine } from './window.ts';

export interface BulkWindowDeps {
  operations: OperationDeps;
  /** Shopify's concurrent bulk operations per shop: held from submit until the operation ends. */
  slots: LimitFunction;
  /** Worker threads for parsing, transforming and compressing JSONL batches (shared by every window). */
  pool: WorkerPool;
  staging: Staging;
  /** Stamped on every row, but for the extraction time, which is the operation's. */
  meta: Omit<RunMeta, 'extractedAt'>;
  gzipLevel: number;
  /** --retry-budget, for the result download's own retries. */
  retryBudgetMs: number;
  /** Where an incremental window's counts are read. */
  counts: CountDeps;
  /** Ordinary requests: the pages of a paged query (paged-part.ts). */
  client: Pick<ShopifyClient, 'request'>;
}

/** The part of a window row its search filter reads: its time range, and its id range when split by id. */
type WindowRange = Pick<WindowRow, 'since' | 'until'> & Partial<Pick<WindowRow, 'id_after' | 'id_through'>>;

/** The `query:` search filter of an incremental window (null: the whole root, or not incremental). */
function windowSearch(entity: Entity, window: WindowRange): string | null {
  if (!entity.incremental || window.until === null) return null;
  const ids = { after: window.id_after ?? null, through: window.id_through ?? null };
  return windowFilter(window.since === null ? null : new Date(window.since), new Date(window.until), ids, entity.incremental.searchField);
}

/** The query of one of the entity's parts (its first: its own) for a window. */
export function windowQuery(entity: Entity, window: WindowRange, part: QueryPart = entity): string {
  const query = loadQuery(part);
  const filter = windowSearch(entity, window);
  return filter === null ? query : withSearchFilter(query, entity.incremental!.rootField, filter);
}

/** What one part of a window read, verified. */
interface PartRead {
  /** Null for a paged query (no operation). */
  op: BulkOperation | null;
  result: ProcessResult;
  check: CountCheck | undefined;
}

/**
 * Every part of the window (Entity.parts) runs at once, each its own operation, writing its own
 * tables into the window's one stage; the window is downloaded only once all of them are. A part that
 * fails fails the window: the others are let finish (their operations stay recorded, so the next
 * attempt adopts what completed instead of submitting it again), then nothing of the window is kept.
 * The files are read once every operation has completed, and every row of the window is stamped with
 * the latest completion: one `_extracted_at` per window, whichever query read the row, so a table of
 * one query can be matched to its parent's copy from another (the current-state views do).
 */
export async function extractBulkWindow(deps: BulkWindowDeps, entity: Entity, window: WindowMachine): Promise<WindowOutput> {
  const stage = deps.staging.open(window);
  const ran = await allOrAbort(stage, entity.parts.map((part, index) => (part.kind === 'paged' ? Promise.resolve(null) : operationOf(deps, entity, part, index, window))));
  const extractedAt = readAt(ran.flatMap((r) => (r ? [r.op] : [])));
  const read = (index: number): Promise<PartRead> => {
    const part = entity.parts[index]!;
    const r = ran[index];
    return r ? download(deps, entity, part, window, stage, r.op, r.counts, extractedAt) : readPages(deps, entity, part, window, stage, extractedAt);
  };
  // Parts that share a table (a snapshot's, EntitySpec.parts) are read one after another, in part
  // order, so the table's rows come in the same order every run; others are read at once.
  const reads = sharesTable(entity) ? await inTurn(stage, ran.map((_, index) => () => read(index))) : await allOrAbort(stage, ran.map((_, index) => read(index)));
  const [first] = reads;
  const result: ProcessResult = {
    lines: sum(reads.map((r) => r.result.lines)),
    rootLines: first!.result.rootLines,
    rowsByTable: reads.reduce<Record<string, number>>((rows, r) => {
      for (const [table, n] of Object.entries(r.result.rowsByTable)) rows[table] = (rows[table] ?? 0) + n;
      return rows;
    }, {}),
    maxCursor: reads.map((r) => r.result.maxCursor).reduce((a, b) => (b !== null && (a === null || Date.parse(b) > Date.parse(a)) ? b : a), null),
  };
  const output = await stage.complete(result);
  return {
    ...output,
    operationId: first!.op?.id ?? null,
    // A paged query's lines count as its objects: nothing but the pages tells how many there are.
    objectCount: sum(reads.map((r) => r.op?.objectCount ?? r.result.lines)),
    ...(reads.length > 1 ? { operationIds: reads.flatMap((r) => (r.op ? [r.op.id] : [])) } : {}),
    ...(first!.check ? { counts: first!.check } : {}),
  };
}

const sum = (values: number[]): number => values.reduce((a, b) => a + b, 0);

/** Every task's result once all have ended; if any failed, the stage is aborted and the first failure thrown. */
async function allOrAbort<T>(stage: WindowStage, tasks: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(tasks);
  const failure = settled.find((s) => s.status === 'rejected');
  if (failure) {
    await stage.abort();
    throw failure.reason;
  }
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

const sharesTable = (entity: Entity): boolean => entity.parts.reduce((n, p) => n + p.tables.length, 0) > entity.tables.length;

/** Each task started once the one before has ended; on a failure the stage is aborted and it is thrown. */
async function inTurn<T>(stage: WindowStage, tasks: Array<() => Promise<T>>): Promise<T[]> {
  const results: T[] = [];
  try {
    for (const task of tasks) results.push(await task());
  } catch (err) {
    await stage.abort();
    throw err;
  }
  return results;
}

type Counts = { atStart: StoreCount; atEnd: Promise<StoreCount> } | null;

/** The part's operation, run to COMPLETED, with the store's count beside it. */
async function operationOf(deps: BulkWindowDeps, entity: Entity, part: QueryPart, index: number, window: WindowMachine): Promise<{ op: BulkOperation; counts: Counts }> {
  const query = windowQuery(entity, window.row, part);
  // An incremental window's count is read beside its operation (counts.ts), while it starts and once it
  // ends, where Shopify offers one for the root.
  const count = entity.incremental?.counted ? () => settledLater(readCount(deps.counts, entity, windowSearch(entity, window.row))) : null;
  let atStart: Promise<StoreCount> | null = null;
  const op = await deps.slots(async () => {
    atStart = count?.() ?? null;
    const started = await startOperation(deps.operations, window, query, { index, name: part.name });
    // A result file is coming: the workers start, and warm up on the query's made-up lines, while
    // Shopify runs the operation, not on the first batch (src/pipeline/warm-up.ts).
    deps.pool.warmUp(part.name, stampOf({ ...deps.meta, extractedAt: new Date() }), deps.gzipLevel);
    return started.status === 'COMPLETED' ? started : pollOperation(deps.operations, entity.name, started);
  });
  assertCompleted(op, scopesToGrant([...entity.scopes, ...(part.ownScopes ?? [])]));
  return { op, counts: count && atStart ? { atStart: await atStart, atEnd: count() } : null };
}

/** A paged query's rows: its pages, read now, through the pipeline as a result file would be. */
async function readPages(deps: BulkWindowDeps, entity: Entity, part: QueryPart, window: WindowMachine, stage: WindowStage, extractedAt: string): Promise<PartRead> {
  if (!part.paging) throw new EtlError(ErrorCodes.INTERNAL, `${part.name}: a paged query needs its connection's path`);
  deps.operations.progress.update(entity.name, { phase: 'streaming' });
  const chunks = pagedLines(deps.client, windowQuery(entity, window.row, part), part.paging);
  const result = await processJsonl(part, chunks, stage, { ...deps.meta, extractedAt }, {
    pool: deps.pool,
    gzipLevel: deps.gzipLevel,
    onBatch: batchDone(entity, window, stage, deps.operations.progress),
  });
  return { op: null, result, check: undefined };
}

async function download(deps: BulkWindowDeps, entity: Entity, part: QueryPart, window: WindowMachine, stage: WindowStage, op: BulkOperation, counts: Counts, extractedAt: string): Promise<PartRead> {
  const { progress } = deps.operations;
  progress.update(entity.name, { phase: 'streaming', bytes: 0, fileSize: op.fileSize, rows: 0 });
  const result = op.url === null ? { lines: 0, rootLines: 0, rowsByTable: {}, maxCursor: null } : await processJsonl(part, resultChunks(deps, entity.name, op.url), stage, { ...deps.meta, extractedAt }, {
    pool: deps.pool,
    gzipLevel: deps.gzipLevel,
    onBatch: batchDone(entity, window, stage, progress),
  });
  // Checked before the last parts close, so a short file never reaches the destination whole.
  if (result.lines !== op.objectCount) {
    throw new EtlError(ErrorCodes.VERIFY_MISMATCH, `${part.name}: operation ${op.id} reported objectCount ${op.objectCount} but its file had ${result.lines} lines; nothing from this window is committed`, {
      details: { operationId: op.id, objectCount: op.objectCount, lines: result.lines },
    });
  }
  if (result.shortChildren) {
    // Whole by its own count, short by a parent's: the next attempt submits anew instead of adopting this file again.
    deps.operations.state.operations.retire(op.id);
    throw childrenShortfall(part, op.id, result.shortChildren);
  }
  const check = counts ? checkCounts(counts.atStart, await counts.atEnd, result.rootLines) : undefined;
  if (check?.covered === false) {
    // Whole by its own count, short by the store's: the next attempt submits anew instead of adopting this file again.
    deps.operations.state.operations.retire(op.id);
    throw shortfall(entity, op.id, check);
  }
  return { op, result, check };
}

/** A promise awaited only later: its rejection (the run stopped meanwhile) must not count as unhandled before then. */
function settledLater<T>(promise: Promise<T>): Promise<T> {
  promise.catch(() => undefined);
  return promise;
}

function resultChunks(deps: BulkWindowDeps, entity: string, url: string): AsyncIterable<Uint8Array> {
  const { progress, logger, signal } = deps.operations;
  let bytes = 0;
  return downloadResult(url, {
    signal,
    retry: { budgetMs: deps.retryBudgetMs },
    logger,
    onBytes: (n) => {
      bytes += n;
      progress.update(entity, { bytes });
    },
  });
}

/** After each batch is written: progress, the parts it closed on to the outbox, the `downloading` checkpoint. */
function batchDone(entity: Entity, window: WindowMachine, stage: WindowStage, progress: Progress): (totals: { lines: number; rows: number }) => Promise<void> {
  let batch = 0;
  return async ({ lines, rows }) => {
    progress.update(entity.name, { lines, rows });
    stage.takeClosed();
    await window.checkpoint('downloading', { batch: ++batch, uploadsSettled: () => stage.uploadsSettled() });
  };
}

/**
 * When the window's data was read, stamped on its rows as `_extracted_at`: the latest of its
 * operations' completedAt (an operation reads while it runs, so every row was read by then), else the
 * time we see them now. Copies of one record from two windows, even of one run, are thus ordered.
 */
function readAt(ops: readonly BulkOperation[]): string {
  const times = ops.map((op) => (op.completedAt ? Date.parse(op.completedAt) : Date.now()));
  // A window of paged queries only: its pages are read from now on.
  return new Date(times.length === 0 ? Date.now() : Math.max(...times)).toISOString();
}
