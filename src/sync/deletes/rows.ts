// Writing deletions rows into a window's stage: records in the shape of the deletions table's columns,
// read by its general path (so ids and timestamps are written as every table writes them), stamped
// like any row, and handed to the stage a few thousand at a time: memory stays flat however many.
import { deletionsTable } from '../../entities/deletions.ts';
import type { Entity } from '../../entities/types.ts';
import { TableRows, type RunStamp } from '../../pipeline/batch.ts';
import type { ProcessResult, RunMeta } from '../../pipeline/process.ts';
import type { BulkOperation } from '../../shopify/operation.ts';
import type { Staging, WindowOutput, WindowStage } from '../staging.ts';
import type { WindowMachine } from '../window.ts';

/** One deletions row before it is read: `id` is the record's GID. */
export interface DeletionRecord {
  table: string;
  id: string;
  deletedAt: string | null;
  detectedAt: string;
  detectedWindow: string | null;
  source: 'event' | 'snapshot';
  restored: boolean;
}

const ROWS_PER_SEGMENT = 5000;

export class DeletionRows {
  readonly #entity: Entity;
  readonly #stage: WindowStage;
  readonly #stamp: RunStamp;
  readonly #gzipLevel: number;
  #rows: TableRows;
  #pending = 0;
  written = 0;

  /** `entity`: the deletions window's own (its one table is deletions). */
  constructor(entity: Entity, stage: WindowStage, meta: RunMeta, gzipLevel: number) {
    this.#entity = entity;
    this.#gzipLevel = gzipLevel;
    this.#stage = stage;
    this.#stamp = { shop: meta.shop, runId: meta.runId, currency: meta.currency, extractedAt: new Date(meta.extractedAt).toISOString(), ...(meta.format === 'parquet' ? { format: meta.format } : {}) };
    this.#rows = new TableRows(entity, this.#stamp);
  }

  async add(record: DeletionRecord): Promise<void> {
    deletionsTable.general.line({ ...record }, this.#rows);
    this.written++;
    if (++this.#pending >= ROWS_PER_SEGMENT) await this.flush();
  }

  /** Hands the rows so far to the stage. */
  async flush(): Promise<void> {
    if (this.#pending === 0) return;
    for (const { table, segment } of this.#rows.encode(this.#gzipLevel)) await this.#stage.write(table, segment);
    this.#stage.takeClosed();
    this.#rows = new TableRows(this.#entity, this.#stamp);
    this.#pending = 0;
  }
}

export interface DeletionsOutputDeps {
  staging: Staging;
  meta: Omit<RunMeta, 'extractedAt'>;
  gzipLevel: number;
}

/**
 * One attempt at a deletions window's output, read from its operation `op`: a fresh stage, the rows
 * `write` adds (stamped as extracted when they were detected), then the stage completed, or aborted
 * if anything failed, so nothing of a failed attempt is kept. The stage opens first: opening drops an
 * earlier attempt's marks, so `write` records the window's marks (IdSets.mark, compare) after it.
 * `write` returns what the window read.
 */
export async function writeDeletions(
  deps: DeletionsOutputDeps,
  entity: Entity,
  window: WindowMachine,
  op: BulkOperation,
  detectedAt: string,
  write: (out: DeletionRows) => Promise<Omit<ProcessResult, 'rowsByTable'>>,
): Promise<WindowOutput> {
  const stage = deps.staging.open(window);
  const out = new DeletionRows(entity, stage, { ...deps.meta, extractedAt: detectedAt }, deps.gzipLevel);
  let read: Omit<ProcessResult, 'rowsByTable'>;
  try {
    read = await write(out);
    await out.flush();
  } catch (err) {
    await stage.abort();
    throw err;
  }
  const output = await stage.complete({ ...read, rowsByTable: { deletions: out.written } });
  return { ...output, operationId: op.id, objectCount: op.objectCount };
}

/** `gid://shopify/ProductVariant/123` → `ProductVariant` and 123 (null when it is not a Shopify GID with a numeric id). */
export function parseGid(gid: unknown): { type: string; id: number } | null {
  const m = typeof gid === 'string' ? /^gid:\/\/shopify\/([A-Za-z]+)\/([0-9]+)$/.exec(gid) : null;
  const id = m ? Number(m[2]) : NaN;
  return m && Number.isSafeInteger(id) ? { type: m[1]!, id } : null;
}
