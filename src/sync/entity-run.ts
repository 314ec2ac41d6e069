// One entity of one shop in one run: first finish what an earlier, interrupted run left (upload its
// staged files, adopt its operation, or extract its window again), then extract the planned windows
// in time order. Each window ends in the commit protocol: files uploaded → manifest → one transaction
// commits the window and moves the watermark. A window that cannot complete stops the entity, so the
// watermark never passes a gap.
import { existsSync } from 'node:fs';
import { rm, rmdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Entity } from '../entities/types.ts';
import { EtlError, ErrorCodes, isEtlError, isShopFatal } from '../errors/index.ts';
import { MIN_WINDOW_MS, planOptions, planWindows, splitWindow, type Window } from './plan.ts';
import type { WindowRow } from '../state/db.ts';
import { extractBulkWindow } from './bulk-window.ts';
import { checkpoint } from './checkpoints.ts';
import type { ShopContext } from './context.ts';
import { uploadFile, windowStagingDir, type WindowOutput } from './files.ts';
import { extractPlainWindow } from './plain-window.ts';

export interface EntityOutcome {
  entity: string;
  status: 'committed' | 'failed' | 'interrupted';
  windows: number;
  rowsByTable: Record<string, number>;
  operations: number;
  retries: number;
  watermark: string | null;
  error?: { code: string; message: string };
}

/** Failures after which submitting the same window again can succeed. */
const RESUBMIT = new Set<string>([ErrorCodes.BULK_FAILED, ErrorCodes.BULK_CANCELED, ErrorCodes.BULK_EXPIRED, ErrorCodes.BULK_STUCK, ErrorCodes.DOWNLOAD_FAILED]);
/** Failures that end the operation itself (failed, cancelled by Shopify or by us, expired): nothing is left to adopt. */
const OPERATION_ENDED = new Set<string>([ErrorCodes.BULK_FAILED, ErrorCodes.BULK_TIMEOUT, ErrorCodes.BULK_CANCELED, ErrorCodes.BULK_EXPIRED, ErrorCodes.BULK_STUCK]);
const MAX_ATTEMPTS = 3;
/** A window is halved at most this many times (1/16 of it), so a store that is slow everywhere fails instead of fanning out. */
const MAX_SPLIT_DEPTH = 4;
const SHOPIFY_FOUNDED = new Date('2006-01-01T00:00:00Z');

export async function runEntity(ctx: ShopContext, entity: Entity): Promise<EntityOutcome> {
  const outcome: EntityOutcome = { entity: entity.name, status: 'committed', windows: 0, rowsByTable: {}, operations: 0, retries: 0, watermark: null };
  const log = ctx.logger.child({ entity: entity.name });
  try {
    for (const leftover of ctx.state.openWindows(ctx.shop, entity.name, ctx.runId)) {
      log.info('resuming a window an earlier run left open', { windowId: leftover.window_id, status: leftover.status, run: leftover.run_id });
      ctx.state.adoptWindow(leftover.window_id, ctx.runId);
      await finishWindow(ctx, entity, ctx.state.window(leftover.window_id), outcome, leftover.run_id);
    }
    // Planned again after the leftovers: committing them may have moved the watermark.
    for (const w of planEntity(ctx, entity)) await runPlannedWindow(ctx, entity, w, outcome);
    outcome.watermark = ctx.state.watermark(ctx.shop, entity.name);
    ctx.progress.update(entity.name, { phase: 'committed' });
  } catch (err) {
    outcome.watermark = ctx.state.watermark(ctx.shop, entity.name);
    const e = toEtlError(err);
    outcome.status = e.code === ErrorCodes.INTERRUPTED ? 'interrupted' : 'failed';
    outcome.error = { code: e.code, message: e.message };
    ctx.progress.update(entity.name, { phase: 'failed' });
    if (outcome.status === 'failed') {
      ctx.manifest.addFailure(entity.name, e.code, e.message);
      log.error(`${entity.name} failed: ${e.message}`, { code: e.code, watermark: outcome.watermark });
    }
    if (isShopFatal(e) && e.code !== ErrorCodes.INTERRUPTED) throw e;
  }
  return outcome;
}

/** The windows this run extracts for the entity, from its current watermark. */
export function planEntity(ctx: ShopContext, entity: Entity): Window[] {
  return planWindows(entity, ctx.state.watermark(ctx.shop, entity.name), planOptions(ctx.config, ctx.startedAt, ctx.shopCreatedAt));
}

async function runPlannedWindow(ctx: ShopContext, entity: Entity, w: Window, outcome: EntityOutcome, splitDepth = 0): Promise<void> {
  ctx.signal.throwIfAborted();
  const windowId = ctx.state.createWindow({ runId: ctx.runId, shop: ctx.shop, entity: entity.name, since: w.since?.toISOString() ?? null, until: w.until.toISOString() });
  await finishWindow(ctx, entity, ctx.state.window(windowId), outcome, undefined, splitDepth);
}

/** Takes a window from whatever status it is in to committed, or throws with the window marked. */
async function finishWindow(ctx: ShopContext, entity: Entity, window: WindowRow, outcome: EntityOutcome, extractedByRun?: string, splitDepth = 0): Promise<void> {
  let output: WindowOutput | null = null;
  if (extractedByRun && (window.status === 'downloaded' || window.status === 'uploaded')) output = await resumeUploads(ctx, window, extractedByRun);
  if (!output) {
    const result = await extractWithRetries(ctx, entity, window, outcome, splitDepth);
    if (result === 'split') return;
    output = result;
    extractedByRun = undefined;
  }
  ctx.state.setWindowStatus(window.window_id, 'uploaded', { lines: output.lines, maxCursor: output.maxCursor });
  await ctx.manifest.addWindow({
    windowKey: window.window_key,
    entity: entity.name,
    since: window.since,
    until: window.until,
    operationId: output.operationId,
    ...(extractedByRun ? { extractedByRun } : {}),
    checks: { objectCount: output.objectCount, linesRead: output.lines, linesMatchObjectCount: output.objectCount === null || output.objectCount === output.lines },
  }, output.files);
  await checkpoint(ctx, entity.name, 'before-commit');
  const { watermark } = ctx.state.commitWindow(window.window_id);
  await ctx.persist();
  outcome.windows += 1;
  for (const [table, rows] of Object.entries(output.rowsByTable)) outcome.rowsByTable[table] = (outcome.rowsByTable[table] ?? 0) + rows;
  ctx.logger.info('window committed', { entity: entity.name, since: window.since, until: window.until, lines: output.lines, files: output.files.length, watermark });
}

/**
 * A window whose files were all written before the crash: upload what is still staged. Returns null
 * when a staged file is gone (the disk was lost), so the window is extracted again.
 */
async function resumeUploads(ctx: ShopContext, window: WindowRow, extractedByRun: string): Promise<WindowOutput | null> {
  const rows = ctx.state.files(window.window_id);
  if (rows.some((f) => f.status === 'lost' || (f.status === 'staged' && !existsSync(f.local_path)))) {
    ctx.logger.warn('staged files of an interrupted window are gone; extracting it again', { windowId: window.window_id });
    return null;
  }
  const files = rows.map((f) => ({ localPath: f.local_path, objectName: f.object_name, crc32c: f.crc32c, bytes: f.bytes, rows: f.rows, contentType: 'application/gzip' }));
  await Promise.all(files.filter((_, i) => rows[i]!.status === 'staged').map((f, i) => uploadFile(ctx, window.entity, f, i)));
  // Uploaded, each staged copy is gone; so go the folders that held them, and the run's if now empty.
  const stagingDir = windowStagingDir(ctx.config.staging, extractedByRun, window.window_id);
  await rm(stagingDir, { recursive: true, force: true });
  await rmdir(dirname(stagingDir)).catch(() => undefined);
  const rowsByTable: Record<string, number> = {};
  for (const f of rows) rowsByTable[f.table_name] = (rowsByTable[f.table_name] ?? 0) + f.rows;
  const op = ctx.state.windowOperation(window);
  return { lines: window.lines ?? 0, rowsByTable, maxCursor: window.max_cursor, files, operationId: window.operation_id, objectCount: op?.object_count ?? null };
}

async function extractWithRetries(ctx: ShopContext, entity: Entity, window: WindowRow, outcome: EntityOutcome, splitDepth: number): Promise<WindowOutput | 'split'> {
  for (let attempt = 1; ; attempt++) {
    await discardPartialFiles(ctx, window.window_id);
    try {
      outcome.operations += entity.kind === 'bulk' ? 1 : 0;
      return entity.kind === 'bulk'
        ? await extractBulkWindow(ctx, entity, ctx.state.window(window.window_id))
        : await extractPlainWindow(ctx, entity, window);
    } catch (err) {
      const e = toEtlError(err);
      if (e.code === ErrorCodes.INTERRUPTED) throw e;
      // Too much for one operation (Shopify's TIMEOUT, or past our time or size bound): the same window would fail again.
      const tooMuch = e.code === ErrorCodes.BULK_TIMEOUT || (e.code === ErrorCodes.BULK_STUCK && e.details.phase !== 'created');
      if (!tooMuch && RESUBMIT.has(e.code) && attempt < MAX_ATTEMPTS) {
        outcome.retries += 1;
        ctx.logger.warn(`${entity.name}: ${e.message}; extracting the window again (attempt ${attempt + 1} of ${MAX_ATTEMPTS})`, { code: e.code, windowId: window.window_id });
        continue;
      }
      const halves = tooMuch && splitDepth < MAX_SPLIT_DEPTH
        ? splitWindow({ since: window.since ? new Date(window.since) : null, until: new Date(window.until!) }, ctx.shopCreatedAt ?? SHOPIFY_FOUNDED, MIN_WINDOW_MS)
        : null;
      if (halves) {
        ctx.state.setWindowStatus(window.window_id, 'abandoned', { errorCode: e.code, error: `${e.message}; split in two` });
        ctx.logger.warn(`${entity.name}: too much for one operation; splitting the window in two`, { code: e.code, since: window.since, until: window.until, depth: splitDepth + 1 });
        await discardPartialFiles(ctx, window.window_id);
        for (const half of halves) await runPlannedWindow(ctx, entity, half, outcome, splitDepth + 1);
        return 'split';
      }
      await discardPartialFiles(ctx, window.window_id);
      // Its operation still running (Shopify unreachable past the retry budget, say): the window stays
      // open, so the next run adopts the operation, or cancels it if it no longer fits, rather than
      // leave it holding one of the shop's bulk slots for nothing.
      const live = ctx.state.windowOperation(ctx.state.window(window.window_id));
      const keep = !OPERATION_ENDED.has(e.code) && (live?.status === 'CREATED' || live?.status === 'RUNNING');
      ctx.state.setWindowStatus(window.window_id, keep ? 'submitted' : 'failed', { errorCode: e.code, error: e.message });
      if (keep) ctx.logger.warn(`${entity.name}: the window stays open; the next run adopts its operation`, { windowId: window.window_id, operationId: live.operation_id });
      throw e;
    }
  }
}

/**
 * A window being extracted (again) starts with an empty outbox: staged copies are removed, and so are
 * parts an earlier attempt already uploaded (no manifest lists them; left behind they would show up
 * twice to anything reading the folders directly).
 */
async function discardPartialFiles(ctx: ShopContext, windowId: number): Promise<void> {
  const stale = ctx.state.files(windowId);
  for (const f of stale) {
    await rm(dirname(f.local_path), { recursive: true, force: true });
    await ctx.dest.delete(f.object_name);
  }
  if (stale.length) ctx.logger.info('removed the unpublished files of an earlier attempt', { windowId, files: stale.length });
  ctx.state.dropFiles(windowId);
}

function toEtlError(err: unknown): EtlError {
  if (err instanceof EtlError) return err;
  if ((err as Error)?.name === 'AbortError' || isEtlError((err as { cause?: unknown })?.cause, ErrorCodes.INTERRUPTED)) {
    return new EtlError(ErrorCodes.INTERRUPTED, 'interrupted', { cause: err });
  }
  return new EtlError(ErrorCodes.INTERNAL, (err as Error)?.message ?? String(err), { cause: err });
}
