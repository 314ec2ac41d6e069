// Writing deletions rows into a window's stage: records in the shape of the deletions table's columns,
// read by its general path (so ids and timestamps are written as every table writes them), stamped
// like any row, and handed to the stage a few thousand at a time: memory stays flat however many.
import { deletionsTable } from '../../entities/deletions.ts';
import type { Entity } from '../../entities/types.ts';
import { TableRows, type RunStamp } from '../../pipeline/batch.ts';
import type { RunMeta } from '../../pipeline/process.ts';
import type { WindowStage } from '../staging.ts';

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
    this.#stamp = { shop: meta.shop, runId: meta.runId, currency: meta.currency, extractedAt: new Date(meta.extractedAt).toISOString() };
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

/** `gid://shopify/ProductVariant/123` → `ProductVariant` and 123 (null when it is not a Shopify GID with a numeric id). */
export function parseGid(gid: unknown): { type: string; id: number } | null {
  const m = typeof gid === 'string' ? /^gid:\/\/shopify\/([A-Za-z]+)\/([0-9]+)$/.exec(gid) : null;
  const id = m ? Number(m[2]) : NaN;
  return m && Number.isSafeInteger(id) ? { type: m[1]!, id } : null;
}
