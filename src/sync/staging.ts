// Rows → part files → outbox, for one attempt at a window. The pipeline writes segments into the
// table writers; the sync stage takes each part the writers closed (after every batch, and at the end)
// and hands it to the window's outbox, which records and uploads it while processing goes on. The
// window is downloaded once every part is closed and in the outbox, and its output complete once every
// upload has finished. On failure the parts not yet in the outbox are discarded and nothing is committed.
import { rm } from 'node:fs/promises';
import type { StagedFile } from '../load/destination.ts';
import { partObjectName, tableOfObject } from '../load/layout.ts';
import { WindowOutbox, windowStagingDir, type OutboxDeps } from '../load/outbox.ts';
import type { ProcessResult } from '../pipeline/process.ts';
import { TableWriters } from '../pipeline/table-writer.ts';
import type { Progress } from '../report/progress.ts';
import type { WindowMachine } from './window.ts';

export interface StagingDeps {
  outbox: OutboxDeps;
  /** --staging: the window's parts wait in `<staging>/<run>/window-<id>`. */
  stagingRoot: string;
  shop: string;
  runId: string;
  /** UTC date of the run's start: the dt= partition of every file it writes. */
  runDate: string;
  /** --part-size: a part is closed past this many uncompressed bytes. */
  partSize: number;
  progress: Progress;
}

export interface WindowOutput {
  lines: number;
  rowsByTable: Record<string, number>;
  maxCursor: string | null;
  files: StagedFile[];
  operationId: string | null;
  objectCount: number | null;
}

/** What the producer of a window's rows is given: where to write, and the step that moves closed parts on. */
export interface StagingSink {
  writers: TableWriters;
  /** Hands the parts closed so far to the outbox. */
  takeClosed: () => void;
  /** Resolves once the uploads started so far have ended. */
  uploadsSettled: () => Promise<void>;
}

export class Staging {
  readonly #deps: StagingDeps;
  /** Next part number per table in this run, so windows of one run never reuse a file name. */
  readonly #parts = new Map<string, number>();

  constructor(deps: StagingDeps) {
    this.#deps = deps;
  }

  async stage(
    window: WindowMachine,
    produce: (sink: StagingSink) => Promise<ProcessResult>,
    verify: (result: ProcessResult) => void = () => undefined,
  ): Promise<Omit<WindowOutput, 'operationId' | 'objectCount'>> {
    const { shop, runDate, runId } = this.#deps;
    const stagingDir = windowStagingDir(this.#deps.stagingRoot, runId, window.id);
    const outbox = new WindowOutbox(this.#deps.outbox, window.id, runId, (index) => window.checkpoint(index === 0 ? 'before-upload' : 'uploading'));
    const writers = new TableWriters({
      stagingDir,
      objectName: (table, part) => partObjectName(table, shop, runDate, runId, part),
      firstPart: (table) => this.#parts.get(table) ?? 0,
      maxPartBytes: this.#deps.partSize,
    });
    const takeClosed = (): void => {
      for (const file of writers.takeClosed()) outbox.add(file);
    };
    let result: ProcessResult;
    let files: StagedFile[];
    try {
      result = await produce({ writers, takeClosed, uploadsSettled: () => outbox.settled() });
      verify(result);
      files = await writers.close();
      takeClosed();
      window.downloaded({ lines: result.lines, maxCursor: result.maxCursor });
    } catch (err) {
      await writers.abort();
      await outbox.settled();
      throw err;
    }
    for (const f of files) {
      const table = tableOfObject(f.objectName);
      const part = Number(/part-(\d+)/.exec(f.objectName)?.[1] ?? 0);
      this.#parts.set(table, Math.max(this.#parts.get(table) ?? 0, part + 1));
    }
    this.#deps.progress.update(window.entity, { phase: 'uploading', rows: Object.values(result.rowsByTable).reduce((a, b) => a + b, 0) });
    await outbox.finished();
    await rm(stagingDir, { recursive: true, force: true });
    return { lines: result.lines, rowsByTable: result.rowsByTable, maxCursor: result.maxCursor, files };
  }
}
