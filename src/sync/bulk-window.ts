// One window of one bulk entity: get a COMPLETED operation (adopt our own from a crashed run, or
// submit and poll), stream its JSONL through the entity's processor into part files that upload as
// they close, and verify that every object Shopify counted was read. State records the operation
// before it is polled, so whatever happens next, the following run can find it again.
import { createHash } from 'node:crypto';
import type { Entity } from '../entities/types.ts';
import { loadQuery, withSearchFilter, windowFilter } from '../entities/queries.ts';
import { EtlError, ErrorCodes, isEtlError } from '../errors/index.ts';
import { processJsonl, type ProcessResult } from '../pipeline/process.ts';
import type { TableWriters } from '../pipeline/table-writer.ts';
import { assertCompleted, type BulkOperation } from '../shopify/operation.ts';
import { downloadResult } from '../shopify/download.ts';
import type { OperationRow, WindowRow } from '../state/db.ts';
import { checkpoint } from './checkpoints.ts';
import type { ShopContext } from './context.ts';
import { stageAndUpload, windowStagingDir, type WindowOutput } from './files.ts';

const ADOPTABLE = new Set(['CREATED', 'RUNNING', 'COMPLETED']);
/** How far Shopify's clock may be behind ours when an operation is looked up by its creation time. */
const CLOCK_SKEW_MS = 10 * 60_000;

export function windowQuery(entity: Entity, window: Pick<WindowRow, 'since' | 'until'>): string {
  const query = loadQuery(entity);
  if (!entity.incremental || window.until === null) return query;
  const filter = windowFilter(window.since === null ? null : new Date(window.since), new Date(window.until));
  return withSearchFilter(query, entity.incremental.rootField, filter);
}

export function queryHash(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

export async function extractBulkWindow(ctx: ShopContext, entity: Entity, window: WindowRow): Promise<WindowOutput> {
  const query = windowQuery(entity, window);
  const hash = queryHash(query);
  const op = await ctx.slots(async () => {
    const adopted = await adopt(ctx, entity, window, query, hash);
    const started = adopted ?? (await submit(ctx, entity, window, query, hash));
    // A result file is coming: the workers start while Shopify runs the operation, not on the first batch.
    ctx.pool.start();
    return started.status === 'COMPLETED' ? started : poll(ctx, entity, started);
  });
  assertCompleted(op);
  return download(ctx, entity, window, op);
}

/** Our own operation for this window from an earlier attempt, if Shopify still has it usable. */
async function adopt(ctx: ShopContext, entity: Entity, window: WindowRow, query: string, hash: string): Promise<BulkOperation | null> {
  if (window.status === 'submitted' && !window.operation_id) return findUnrecorded(ctx, entity, window, query, hash);
  const known = ctx.state.windowOperation(window);
  const op = known ? await ctx.bulk.get(known.operation_id) : null;
  if (known && !isOurs(known, op)) retireStale(ctx, known, op);
  else if (known && op) {
    if (known.query_hash === hash && ADOPTABLE.has(op.status)) {
      ctx.logger.info('adopting the operation an earlier run started', { entity: entity.name, operationId: op.id, status: op.status });
      ctx.state.updateOperation(op);
      return op;
    }
    if (op.status === 'CREATED' || op.status === 'RUNNING') {
      // Ours but no longer matching (the query changed): free its slot rather than let it run for nothing.
      await ctx.bulk.cancel(op.id);
    }
  }
  if (window.operation_id) ctx.logger.info('earlier operation not reusable; extracting the window again', { entity: entity.name, operationId: window.operation_id, status: op?.status ?? 'unknown' });
  return null;
}

/**
 * A run died after sending the window's query and before recording Shopify's answer: the operation may
 * run (or have completed) all the same. It is looked up by its query among the operations created
 * since the window was marked (less CLOCK_SKEW_MS for Shopify's clock), so it is read rather than
 * left unused while the window is submitted again.
 */
async function findUnrecorded(ctx: ShopContext, entity: Entity, window: WindowRow, query: string, hash: string): Promise<BulkOperation | null> {
  const op = await ctx.bulk.find(query, new Date(Date.parse(window.updated_at) - CLOCK_SKEW_MS));
  if (!op || !ADOPTABLE.has(op.status)) return null;
  ctx.state.recordSubmitted(window.window_id, entity.name, ctx.shop, op, hash);
  await ctx.persist();
  ctx.logger.info('adopting the operation an earlier run submitted but never recorded', { entity: entity.name, operationId: op.id, status: op.status });
  return op;
}

/**
 * Whether the store's operation is the one our record describes. Shopify echoes the query an
 * operation runs; an id the store does not know, or one running another query, was recorded against
 * another store (another sandbox, a reinstalled app).
 */
function isOurs(known: OperationRow, op: BulkOperation | null): op is BulkOperation {
  return op !== null && (op.query === null || queryHash(op.query) === known.query_hash);
}

function retireStale(ctx: ShopContext, known: OperationRow, op: BulkOperation | null): void {
  ctx.state.retireOperation(known.operation_id);
  ctx.logger.warn('retiring a stale operation record', {
    entity: known.entity,
    operationId: known.operation_id,
    reason: op ? 'the store runs another query under this id' : 'the store does not know this id',
    windowId: known.window_id,
    submittedAt: known.submitted_at,
  });
}

/**
 * Submits the window's query. While every slot is taken it waits like a poll (from --poll-interval,
 * doubling up to --max-poll-interval), for at most --created-timeout: a slot that frees later than
 * that belongs to an operation nobody here controls, and the error names it.
 */
async function submit(ctx: ShopContext, entity: Entity, window: WindowRow, query: string, hash: string): Promise<BulkOperation> {
  // On GCS before Shopify can start anything for it: a run dying before it records the answer leaves
  // its successor a window to look for (findUnrecorded).
  ctx.state.markSubmitting(window.window_id);
  await ctx.persist();
  const started = Date.now();
  const deadline = started + ctx.config.createdTimeoutMs;
  for (let wait = ctx.config.pollIntervalMs; ; wait = Math.min(wait * 2, ctx.config.maxPollIntervalMs)) {
    ctx.signal.throwIfAborted();
    ctx.progress.update(entity.name, { phase: 'submitting' });
    try {
      const op = await ctx.bulk.submit(query);
      await checkpoint(ctx, entity.name, 'submit-answered');
      const stale = ctx.state.recordSubmitted(window.window_id, entity.name, ctx.shop, op, hash);
      if (stale) {
        ctx.logger.warn('retiring a stale operation record', {
          entity: stale.entity, operationId: stale.operation_id, reason: 'the store handed this id out again', windowId: stale.window_id, submittedAt: stale.submitted_at,
        });
      }
      await ctx.persist();
      ctx.logger.info('bulk operation submitted', { entity: entity.name, operationId: op.id, since: window.since, until: window.until });
      await checkpoint(ctx, entity.name, 'after-submit');
      return op;
    } catch (err) {
      if (!isEtlError(err, ErrorCodes.OPERATION_IN_PROGRESS)) throw err;
      const runningIds = (err.details.runningIds as string[] | undefined) ?? [];
      if (Date.now() + wait > deadline) throw slotTimeout(ctx, entity, runningIds, Date.now() - started, err);
      await freeOrphans(ctx, runningIds);
      ctx.logger.warn('no free bulk operation slot; waiting', { entity: entity.name, blockedBy: runningIds, waitMs: wait });
      await sleep(wait, ctx.signal);
    }
  }
}

/** Names every operation still holding a slot, and whether this ETL started it, so the operator can act. */
function slotTimeout(ctx: ShopContext, entity: Entity, runningIds: string[], waitedMs: number, cause: EtlError): EtlError {
  const foreign = runningIds.filter((id) => !ctx.state.operation(id));
  const ours = runningIds.filter((id) => ctx.state.operation(id));
  const listed = [
    foreign.length ? `not started by this ETL: ${foreign.join(', ')}` : '',
    ours.length ? `started by this ETL: ${ours.join(', ')}` : '',
  ].filter(Boolean).join('; ');
  return new EtlError(
    ErrorCodes.OPERATION_IN_PROGRESS,
    `${entity.name}: no free bulk query slot on ${ctx.shop} after waiting ${Math.round(waitedMs / 1000)}s (--created-timeout); ` +
      `still running (${listed || 'no ids given'}). Wait for them to finish or cancel them with bulkOperationCancel, then run again`,
    { cause, details: { runningIds, foreign, ours, waitedMs } },
  );
}

/**
 * Operations of ours that no open window will ever read (left by a run that died before recording
 * its outcome) still hold Shopify slots: cancel them, once. Anything we do not know stays untouched,
 * and so does an operation the store runs under an id we recorded against another store.
 */
async function freeOrphans(ctx: ShopContext, runningIds: string[]): Promise<void> {
  for (const id of runningIds) {
    const known = ctx.state.operation(id);
    if (!known || known.status === 'CANCELING' || known.status === 'CANCELED') continue;
    const owner = ctx.state.window(known.window_id);
    if (owner.operation_id === id && owner.status !== 'committed' && owner.status !== 'failed' && owner.status !== 'abandoned') continue;
    const op = await ctx.bulk.get(id);
    if (!isOurs(known, op)) {
      retireStale(ctx, known, op);
      continue;
    }
    ctx.logger.warn('cancelling an orphaned operation of ours that holds a slot', { operationId: id });
    const cancelled = await ctx.bulk.cancel(id);
    if (cancelled) ctx.state.updateOperation(cancelled);
  }
}

async function poll(ctx: ShopContext, entity: Entity, op: BulkOperation): Promise<BulkOperation> {
  ctx.progress.update(entity.name, { phase: 'polling', status: op.status, objectCount: op.objectCount });
  const final = await ctx.bulk.poll(op.id, {
    initialIntervalMs: ctx.config.pollIntervalMs,
    maxIntervalMs: ctx.config.maxPollIntervalMs,
    createdTimeoutMs: ctx.config.createdTimeoutMs,
    runningTimeoutMs: ctx.config.operationTimeoutMs,
    maxObjects: ctx.config.maxObjects,
    signal: ctx.signal,
    onProgress: (p) => {
      ctx.state.updateOperation(p);
      ctx.progress.update(entity.name, { phase: 'polling', status: p.status, objectCount: p.objectCount });
    },
  });
  ctx.state.updateOperation(final);
  return final;
}

async function download(ctx: ShopContext, entity: Entity, window: WindowRow, op: BulkOperation): Promise<WindowOutput> {
  ctx.progress.update(entity.name, { phase: 'streaming', bytes: 0, fileSize: op.fileSize, rows: 0 });
  let bytes = 0;
  const stagingDir = windowStagingDir(ctx.config.staging, ctx.runId, window.window_id);
  const produce = async (writers: TableWriters): Promise<ProcessResult> => {
    if (op.url === null) return { lines: 0, rootLines: 0, rowsByTable: {}, maxCursor: null };
    const chunks = downloadResult(op.url, {
      signal: ctx.signal,
      retry: { budgetMs: ctx.config.retryBudgetMs },
      logger: ctx.logger,
      onBytes: (n) => {
        bytes += n;
        ctx.progress.update(entity.name, { bytes });
      },
    });
    let batches = 0;
    return processJsonl(entity, chunks, writers, { shop: ctx.shop, runId: ctx.runId, extractedAt: readAt(op), currency: ctx.shopCurrency }, {
      pool: ctx.pool,
      gzipLevel: ctx.config.gzipLevel,
      onBatch: async ({ lines, rows }) => {
        ctx.progress.update(entity.name, { lines, rows });
        // Mid-download: the first batches are written and the parts they closed uploaded, while the
        // rest of the file is not yet read (the uploads are waited for only when a test pauses here).
        if (++batches === 2 && ctx.config.pauseAt === `${entity.name}:downloading`) {
          while (ctx.uploads.activeCount + ctx.uploads.pendingCount > 0) await sleep(10, ctx.signal);
          await checkpoint(ctx, entity.name, 'downloading');
        }
      },
    });
  };
  // Checked before the last parts close, so a short file never reaches the destination whole.
  const verify = (result: ProcessResult): void => {
    if (result.lines === op.objectCount) return;
    throw new EtlError(ErrorCodes.VERIFY_MISMATCH, `${entity.name}: operation ${op.id} reported objectCount ${op.objectCount} but its file had ${result.lines} lines; nothing from this window is committed`, {
      details: { operationId: op.id, objectCount: op.objectCount, lines: result.lines },
    });
  };
  const output = await stageAndUpload(ctx, entity, window, stagingDir, produce, verify);
  return { ...output, operationId: op.id, objectCount: op.objectCount };
}

/**
 * When the operation's data was read, stamped on its rows as `_extracted_at`: Shopify's completedAt
 * (the operation reads while it runs, so every row was read by then), else the time we see it now.
 * Copies of one record from two operations, even of one run, are thus ordered.
 */
function readAt(op: BulkOperation): string {
  return (op.completedAt ? new Date(op.completedAt) : new Date()).toISOString();
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
