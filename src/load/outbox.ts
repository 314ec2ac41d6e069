// The upload outbox of one window. A part file enters it the moment the sync stage takes it from the
// pipeline: it is recorded in the state (a run dying now leaves its successor the upload to finish)
// and its upload starts while processing goes on, at most `uploads` at once across the run. A staged
// copy goes once its object is durable. Also here: the uploads a resumed window still owes, the
// discarding of an attempt's unpublished parts, and the staging folders the parts wait in.
import { existsSync } from 'node:fs';
import { readdir, rm, rmdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { LimitFunction } from 'p-limit';
import { fromSystemError } from '../errors/index.ts';
import type { Logger } from '../report/log.ts';
import type { StateDb } from '../state/db.ts';
import type { Destination, StagedFile } from './destination.ts';
import { partContentType, tableOfObject } from './layout.ts';

export interface OutboxDeps {
  state: Pick<StateDb, 'files'>;
  dest: Pick<Destination, 'upload' | 'delete'>;
  /** Uploads in flight at once, shared by every window of the run. */
  uploads: LimitFunction;
  logger: Logger;
  signal: AbortSignal;
}

/** Awaited in the upload's slot before the window's n-th upload (0 first): the commit protocol's checkpoints. */
export type BeforeUpload = (index: number) => Promise<void>;

export class WindowOutbox {
  readonly #deps: OutboxDeps;
  readonly #windowId: number;
  readonly #runId: string;
  readonly #beforeUpload: BeforeUpload;
  readonly #uploads: Array<Promise<void>> = [];

  constructor(deps: OutboxDeps, windowId: number, runId: string, beforeUpload: BeforeUpload) {
    this.#deps = deps;
    this.#windowId = windowId;
    this.#runId = runId;
    this.#beforeUpload = beforeUpload;
  }

  /** Records a closed part in the state's outbox and starts its upload. */
  add(file: StagedFile): void {
    this.#deps.state.files.record(this.#windowId, this.#runId, tableOfObject(file.objectName), file);
    this.#upload(file);
  }

  /** Resolves once every upload started so far has ended, whatever its outcome. */
  async settled(): Promise<void> {
    await Promise.allSettled(this.#uploads);
  }

  /** Resolves once every upload has finished; rejects with the first that failed. */
  async finished(): Promise<void> {
    await Promise.all(this.#uploads);
  }

  #upload(file: StagedFile): void {
    const index = this.#uploads.length;
    const upload = this.#deps.uploads(() => uploadFile(this.#deps, file, () => this.#beforeUpload(index)));
    upload.catch(() => undefined); // awaited by finished(); this only stops an unhandled-rejection report
    this.#uploads.push(upload);
  }

  /**
   * A window whose parts were all written before a crash (by run `extractedByRun`): uploads those
   * still staged. Returns null when a staged copy is gone (the disk was lost), so the window is
   * extracted again.
   */
  static async resume(deps: OutboxDeps, window: { window_id: number }, stagingRoot: string, extractedByRun: string, beforeUpload: BeforeUpload): Promise<{ files: StagedFile[]; rowsByTable: Record<string, number> } | null> {
    const rows = deps.state.files.ofWindow(window.window_id);
    if (rows.some((f) => f.status === 'staged' && !existsSync(f.local_path))) {
      deps.logger.warn('staged files of an interrupted window are gone; extracting it again', { windowId: window.window_id });
      return null;
    }
    const files = rows.map((f) => ({ localPath: f.local_path, objectName: f.object_name, crc32c: f.crc32c, bytes: f.bytes, rows: f.rows, contentType: partContentType(f.object_name) }));
    const outbox = new WindowOutbox(deps, window.window_id, extractedByRun, beforeUpload);
    for (const [i, f] of files.entries()) if (rows[i]!.status === 'staged') outbox.#upload(f);
    await outbox.finished();
    // Uploaded, each staged copy is gone; so go the folders that held them, and the run's if now empty.
    const stagingDir = windowStagingDir(stagingRoot, extractedByRun, window.window_id);
    await rm(stagingDir, { recursive: true, force: true });
    await rmdir(dirname(stagingDir)).catch(() => undefined);
    const rowsByTable: Record<string, number> = {};
    for (const f of rows) rowsByTable[f.table_name] = (rowsByTable[f.table_name] ?? 0) + f.rows;
    return { files, rowsByTable };
  }
}

/** Uploads one staged file and moves it out of the outbox; the local copy goes once it is durable. */
async function uploadFile(deps: OutboxDeps, file: StagedFile, before: () => Promise<void>): Promise<void> {
  await before();
  const result = await deps.dest.upload(file, deps.signal);
  deps.state.files.markUploaded(file.objectName);
  if (result.skipped) deps.logger.info('object already present with the same bytes; not uploaded again', { objectName: file.objectName });
  try {
    await rm(file.localPath, { force: true });
  } catch (err) {
    throw fromSystemError(err, `removing staged file ${file.localPath}`);
  }
}

/**
 * A window being extracted (again) starts with an empty outbox: staged copies are removed, and so are
 * parts an earlier attempt already uploaded (no manifest lists them; left behind they would show up
 * twice to anything reading the folders directly).
 */
export async function discardWindowParts(deps: Pick<OutboxDeps, 'state' | 'dest' | 'logger'>, windowId: number): Promise<void> {
  const stale = deps.state.files.ofWindow(windowId);
  for (const f of stale) {
    await rm(dirname(f.local_path), { recursive: true, force: true });
    await deps.dest.delete(f.object_name);
  }
  if (stale.length) deps.logger.info('removed the unpublished files of an earlier attempt', { windowId, files: stale.length });
  deps.state.files.drop(windowId);
}

/** Where a window's part files are staged until uploaded: `<staging>/<run>/window-<id>`. */
export function windowStagingDir(staging: string, runId: string, windowId: number): string {
  return join(staging, runId, `window-${windowId}`);
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
