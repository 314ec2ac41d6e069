// Rows → part files → outbox, for one attempt at a window. The pipeline writes segments into the
// table writers; the sync stage takes each part the writers closed (after every batch, and at the end)
// and hands it to the window's outbox, which records and uploads it while processing goes on. The
// window is downloaded once every part is closed and in the outbox, and its output complete once every
// upload has finished. On failure the parts not yet in the outbox are discarded and nothing is committed
// (entity-run.ts empties the outbox before the next attempt).
import { rm } from 'node:fs/promises';
import { entities } from '../entities/index.ts';
import type { StagedFile } from '../load/destination.ts';
import type { CountCheck } from '../load/manifest.ts';
import { partObjectName, tableOfObject, type OutputFormat } from '../load/layout.ts';
import { deletionsTable } from '../entities/deletions.ts';
import { schemaOf } from '../parquet/segment.ts';
import { WindowOutbox, windowStagingDir, type OutboxDeps } from '../load/outbox.ts';
import type { ProcessResult, SegmentSink } from '../pipeline/process.ts';
import type { Segment } from '../pipeline/segment.ts';
import type { IdSets } from '../state/id-sets.ts';
import type { WindowSums } from '../state/window-sums.ts';
import { TableWriters } from '../pipeline/table-writer.ts';
import type { Progress } from '../report/progress.ts';
import type { WindowMachine } from './window.ts';
import type { TableDef } from '../rows/types.ts';
import { EtlError, ErrorCodes } from '../errors/index.ts';

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
  /** --format: gzip NDJSON parts (default) or Parquet. */
  format?: OutputFormat;
  progress: Progress;
  /** Where an attempt's row ids wait for the window's commit (every attempt starts with none). */
  ids: Pick<IdSets, 'clearPending' | 'addPending'>;
  /** Where an attempt's quality sums wait for the run's checks (every attempt starts with none). */
  sums: Pick<WindowSums, 'clear' | 'add'>;
}

export interface WindowOutput {
  lines: number;
  rowsByTable: Record<string, number>;
  maxCursor: string | null;
  files: StagedFile[];
  /** The operation of its first query, and of each of its queries when its entity has several (Entity.parts). */
  operationId: string | null;
  operationIds?: string[];
  /** Objects its operations reported, together. */
  objectCount: number | null;
  /** The store's count beside the root rows, for an incremental bulk window this run extracted. */
  counts?: CountCheck;
}

export class Staging {
  readonly #deps: StagingDeps;
  /** Next part number per table in this run, so windows of one run never reuse a file name. */
  readonly #parts = new Map<string, number>();

  constructor(deps: StagingDeps) {
    this.#deps = deps;
  }

  /** Table writers for one attempt at the window, and its outbox. */
  open(window: WindowMachine): WindowStage {
    const { shop, runDate, runId } = this.#deps;
    const stagingDir = windowStagingDir(this.#deps.stagingRoot, runId, window.id);
    const writers = new TableWriters({
      stagingDir,
      objectName: (table, part) => partObjectName(table, shop, runDate, runId, part, this.#deps.format),
      ...(this.#deps.format === 'parquet' ? { parquet: (table: string) => schemaOf(tableDef(table)) } : {}),
      firstPart: (table) => this.#parts.get(table) ?? 0,
      maxPartBytes: this.#deps.partSize,
      everyTable: snapshotTables(window.entity),
    });
    const outbox = new WindowOutbox(this.#deps.outbox, window.id, runId, (index) => window.checkpoint(index === 0 ? 'before-upload' : 'uploading'));
    this.#deps.ids.clearPending(window.id);
    this.#deps.sums.clear(window.id);
    return new WindowStage(window, stagingDir, writers, outbox, this.#deps.progress, (files) => this.#numbered(files), this.#deps.ids, this.#deps.sums);
  }

  /** The part numbers `files` took are not given out again in this run. */
  #numbered(files: StagedFile[]): void {
    for (const f of files) {
      const table = tableOfObject(f.objectName);
      const part = Number(/part-(\d+)/.exec(f.objectName)?.[1] ?? 0);
      this.#parts.set(table, Math.max(this.#parts.get(table) ?? 0, part + 1));
    }
  }
}

/** A table's definition, by name: an entity's or the deletions table. */
function tableDef(name: string): TableDef {
  const def = name === deletionsTable.def.name ? deletionsTable.def : entities.flatMap((e) => e.tables).find((t) => t.name === name);
  if (!def) throw new EtlError(ErrorCodes.INTERNAL, `no table ${name}`);
  return def;
}

/**
 * The tables a window of the entity writes a part for, rows or none: every table of a snapshot entity.
 * A snapshot table's current state is its latest complete run, so a run that read none of its records
 * (every collection deleted, a shop without gift cards) must leave a part saying so, an empty one.
 * An incremental window's empty table says nothing (its records did not change), and so writes nothing.
 */
function snapshotTables(entity: string): string[] {
  const found = entities.find((e) => e.name === entity);
  return found && !found.incremental ? found.tables.map((t) => t.name) : [];
}

/**
 * One attempt at a window: the pipeline writes segments into it (the table writers; a segment's row
 * ids go to the window's pending ids, its quality sums to the window's); each closed part goes on to the outbox.
 */
export class WindowStage implements SegmentSink {
  readonly writers: TableWriters;
  readonly #ids: Pick<IdSets, 'addPending'>;
  readonly #sums: Pick<WindowSums, 'add'>;
  readonly #window: WindowMachine;
  readonly #stagingDir: string;
  readonly #outbox: WindowOutbox;
  readonly #progress: Progress;
  readonly #numbered: (files: StagedFile[]) => void;

  constructor(window: WindowMachine, stagingDir: string, writers: TableWriters, outbox: WindowOutbox, progress: Progress, numbered: (files: StagedFile[]) => void, ids: Pick<IdSets, 'addPending'>, sums: Pick<WindowSums, 'add'>) {
    this.#ids = ids;
    this.#sums = sums;
    this.#window = window;
    this.#stagingDir = stagingDir;
    this.writers = writers;
    this.#outbox = outbox;
    this.#progress = progress;
    this.#numbered = numbered;
  }

  write(table: string, segment: Segment): Promise<void> | void {
    if (segment.ids) this.#ids.addPending(this.#window.id, table, segment.ids);
    if (segment.sums) this.#sums.add(this.#window.id, table, segment.sums);
    return this.writers.write(table, segment);
  }

  /** Hands the parts closed so far to the outbox, which records them and starts their uploads. */
  takeClosed(): void {
    for (const file of this.writers.takeClosed()) this.#outbox.add(file);
  }

  /** Resolves once the uploads started so far have ended. */
  uploadsSettled(): Promise<void> {
    return this.#outbox.settled();
  }

  /**
   * The rows are all written (and verified): closes the last parts, hands them to the outbox and
   * marks the window downloaded, then waits for every upload.
   */
  async complete(result: ProcessResult): Promise<Omit<WindowOutput, 'operationId' | 'operationIds' | 'objectCount'>> {
    let files: StagedFile[];
    try {
      files = await this.writers.close();
      this.takeClosed();
      this.#window.downloaded({ lines: result.lines, maxCursor: result.maxCursor });
    } catch (err) {
      await this.abort();
      throw err;
    }
    this.#numbered(files);
    this.#progress.update(this.#window.entity, { phase: 'uploading', rows: Object.values(result.rowsByTable).reduce((a, b) => a + b, 0) });
    await this.#outbox.finished();
    await rm(this.#stagingDir, { recursive: true, force: true });
    return { lines: result.lines, rowsByTable: result.rowsByTable, maxCursor: result.maxCursor, files };
  }

  /** The attempt failed: parts not in the outbox are discarded, and the uploads started are waited for. */
  async abort(): Promise<void> {
    await this.writers.abort();
    await this.#outbox.settled();
  }
}
