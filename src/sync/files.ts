// Rows → part files → destination, for one window. Each part file is recorded in the outbox the moment
// it closes and uploaded while processing goes on; the window's output is complete only when every
// upload has finished. On failure the open parts are discarded and nothing is committed.
import { readdir, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Entity } from '../entities/types.ts';
import { fromSystemError } from '../errors/index.ts';
import type { StagedFile } from '../load/destination.ts';
import { partObjectName, tableOfObject } from '../load/layout.ts';
import type { ProcessResult } from '../pipeline/process.ts';
import { TableWriters } from '../pipeline/table-writer.ts';
import type { WindowRow } from '../state/db.ts';
import { checkpoint } from './checkpoints.ts';
import type { ShopContext } from './context.ts';

export interface WindowOutput {
  lines: number;
  rowsByTable: Record<string, number>;
  maxCursor: string | null;
  files: StagedFile[];
  operationId: string | null;
  objectCount: number | null;
}

export async function stageAndUpload(
  ctx: ShopContext,
  entity: Entity,
  window: WindowRow,
  stagingDir: string,
  produce: (writers: TableWriters) => Promise<ProcessResult>,
  verify: (result: ProcessResult) => void = () => undefined,
): Promise<Omit<WindowOutput, 'operationId' | 'objectCount'>> {
  const uploads: Array<Promise<void>> = [];
  const writers = new TableWriters({
    stagingDir,
    objectName: (table, part) => partObjectName(table, ctx.shop, ctx.runDate, ctx.runId, part),
    firstPart: (table) => ctx.parts.get(table) ?? 0,
    maxPartBytes: ctx.config.partSize,
    onFileClosed: (file) => {
      ctx.state.recordFile(window.window_id, ctx.runId, tableOfObject(file.objectName), file);
      const upload = uploadFile(ctx, entity.name, file, uploads.length);
      upload.catch(() => undefined); // awaited below; this only stops an unhandled-rejection report
      uploads.push(upload);
    },
  });
  let result: ProcessResult;
  let files: StagedFile[];
  try {
    result = await produce(writers);
    verify(result);
    files = await writers.close();
    // Every part is now in the outbox: a crash from here on only has uploads left to finish.
    ctx.state.setWindowStatus(window.window_id, 'downloaded', { lines: result.lines, maxCursor: result.maxCursor });
  } catch (err) {
    await writers.abort();
    await Promise.allSettled(uploads);
    throw err;
  }
  for (const f of files) {
    const table = tableOfObject(f.objectName);
    const part = Number(/part-(\d+)/.exec(f.objectName)?.[1] ?? 0);
    ctx.parts.set(table, Math.max(ctx.parts.get(table) ?? 0, part + 1));
  }
  ctx.progress.update(entity.name, { phase: 'uploading', rows: Object.values(result.rowsByTable).reduce((a, b) => a + b, 0) });
  await Promise.all(uploads);
  await rm(stagingDir, { recursive: true, force: true });
  return { lines: result.lines, rowsByTable: result.rowsByTable, maxCursor: result.maxCursor, files };
}

/** Where a window's part files are staged until uploaded: `<staging>/<run>/window-<id>`. */
export function windowStagingDir(staging: string, runId: string, windowId: number): string {
  return join(staging, runId, `window-${windowId}`);
}

/** Uploads one staged file and moves it out of the outbox; the local copy goes once it is durable. */
export function uploadFile(ctx: ShopContext, entity: string, file: StagedFile, index: number): Promise<void> {
  return ctx.uploads(async () => {
    await checkpoint(ctx, entity, index === 0 ? 'before-upload' : 'uploading');
    const result = await ctx.dest.upload(file, ctx.signal);
    ctx.state.markUploaded(file.objectName);
    if (result.skipped) ctx.logger.info('object already present with the same bytes; not uploaded again', { objectName: file.objectName });
    try {
      await rm(file.localPath, { force: true });
    } catch (err) {
      throw fromSystemError(err, `removing staged file ${file.localPath}`);
    }
  });
}

/**
 * Removes `dir` and every folder under it that holds no file, deepest first, and says whether `dir`
 * went. A discarded part leaves its table and partition folders behind; a staged file still in the
 * outbox (a later run uploads it) keeps its folders.
 */
export async function removeEmptyFolders(dir: string): Promise<boolean> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw err;
  }
  let empty = true;
  for (const entry of entries) {
    if (!entry.isDirectory() || !(await removeEmptyFolders(join(dir, entry.name)))) empty = false;
  }
  if (empty) await rmdir(dir);
  return empty;
}
