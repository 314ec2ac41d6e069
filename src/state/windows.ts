// The windows table (the ranges a run extracts, each through the states of docs/design.md#window-states)
// and the watermarks that only a window's commit moves.
import type Database from 'better-sqlite3';
import { EtlError, ErrorCodes } from '../errors/index.ts';

export type WindowStatus = 'planned' | 'submitted' | 'downloaded' | 'uploaded' | 'committed' | 'failed' | 'abandoned';

/** The statuses of a window whose work is not over: a crashed run leaves them for the next. */
export const OPEN_STATUSES = `('planned', 'submitted', 'downloaded', 'uploaded')`;

export interface WindowRow {
  window_id: number;
  /** Names the window across state lineages: `<creating run>/<window_id>`. */
  window_key: string;
  /** The run working on it (the creating run, or the one that adopted it after a crash). */
  run_id: string;
  shop: string;
  entity: string;
  since: string | null;
  until: string | null;
  /** An id-range part of a window (entity-run.ts): its ids are > id_after and <= id_through (decimal; null: open). */
  id_after: string | null;
  id_through: string | null;
  status: WindowStatus;
  attempts: number;
  operation_id: string | null;
  query_hash: string | null;
  lines: number | null;
  max_cursor: string | null;
  error_code: string | null;
  error: string | null;
  /** When the status last changed (ISO-8601). */
  updated_at: string;
  /** When the window was planned (ISO-8601): its data is read after it. */
  created_at: string;
}

export class Windows {
  readonly #db: Database.Database;
  readonly #stamp: () => string;
  readonly #onCommit: (w: WindowRow) => void;

  /** `onCommit` runs inside each commit's transaction (the ids the window wrote join the id sets). */
  constructor(db: Database.Database, stamp: () => string, onCommit: (w: WindowRow) => void = () => undefined) {
    this.#db = db;
    this.#stamp = stamp;
    this.#onCommit = onCommit;
  }

  watermark(shop: string, entity: string): string | null {
    const row = this.#db.prepare('SELECT watermark FROM watermarks WHERE shop = ? AND entity = ?').get(shop, entity) as { watermark: string } | undefined;
    return row?.watermark ?? null;
  }

  create(w: { runId: string; shop: string; entity: string; since: string | null; until: string | null; idAfter?: string | null; idThrough?: string | null }): number {
    const at = this.#stamp();
    return this.#db.transaction(() => {
      const info = this.#db.prepare(`INSERT INTO windows (run_id, shop, entity, since, until, id_after, id_through, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'planned', ?, ?)`)
        .run(w.runId, w.shop, w.entity, w.since, w.until, w.idAfter ?? null, w.idThrough ?? null, at, at);
      const windowId = Number(info.lastInsertRowid);
      this.#db.prepare('UPDATE windows SET window_key = ? WHERE window_id = ?').run(`${w.runId}/${windowId}`, windowId);
      return windowId;
    })();
  }

  get(windowId: number): WindowRow {
    return this.#db.prepare('SELECT * FROM windows WHERE window_id = ?').get(windowId) as WindowRow;
  }

  /** When the entity's latest committed window was planned (ISO-8601), or null. */
  lastCommitted(shop: string, entity: string): string | null {
    const row = this.#db.prepare(`SELECT MAX(created_at) AS at FROM windows WHERE shop = ? AND entity = ? AND status = 'committed'`).get(shop, entity) as { at: string | null };
    return row.at;
  }

  /** Whether the window a manifest names by this key is committed in this state. */
  isCommitted(windowKey: string): boolean {
    return this.#db.prepare(`SELECT 1 FROM windows WHERE window_key = ? AND status = 'committed'`).get(windowKey) !== undefined;
  }

  /** Windows of earlier runs that never reached committed/failed/abandoned: the work a crash left. */
  leftover(shop: string, entity: string, exceptRunId: string): WindowRow[] {
    return this.#db.prepare(`SELECT * FROM windows WHERE shop = ? AND entity = ? AND run_id != ? AND status IN ${OPEN_STATUSES} ORDER BY since IS NOT NULL, since, window_id`)
      .all(shop, entity, exceptRunId) as WindowRow[];
  }

  /**
   * The window's query is about to be submitted. Published before the submit, this lets the run after
   * one that died before recording Shopify's answer look for the operation (a `submitted` window with
   * no operation id). A recorded id is always the window's latest submission, so an earlier attempt's
   * is cleared.
   */
  markSubmitting(windowId: number, part = 0): void {
    const at = this.#stamp();
    if (part === 0) {
      this.#db.prepare(`UPDATE windows SET status = 'submitted', operation_id = NULL, updated_at = ? WHERE window_id = ?`).run(at, windowId);
      return;
    }
    this.#db.transaction(() => {
      this.#db.prepare(`INSERT INTO window_parts (window_id, part, operation_id, query_hash, updated_at) VALUES (?, ?, NULL, NULL, ?)
        ON CONFLICT (window_id, part) DO UPDATE SET operation_id = NULL, query_hash = NULL, updated_at = excluded.updated_at`).run(windowId, part, at);
      this.#db.prepare(`UPDATE windows SET status = 'submitted', updated_at = ? WHERE window_id = ?`).run(at, windowId);
    })();
  }

  /**
   * A part's latest submission: the id Shopify answered (null: marked, not yet answered), or
   * undefined when the part was never marked. Part 0 is the window row's own (Entity.parts).
   */
  partSubmission(windowId: number, part: number): { operationId: string | null } | undefined {
    if (part === 0) {
      const w = this.get(windowId);
      return w.operation_id !== null || w.status === 'submitted' ? { operationId: w.operation_id } : undefined;
    }
    const row = this.#db.prepare('SELECT operation_id FROM window_parts WHERE window_id = ? AND part = ?').get(windowId, part) as { operation_id: string | null } | undefined;
    return row && { operationId: row.operation_id };
  }

  setStatus(windowId: number, status: WindowStatus, facts: { lines?: number; maxCursor?: string | null; errorCode?: string; error?: string } = {}): void {
    this.#db.prepare(`UPDATE windows SET status = ?, lines = COALESCE(?, lines), max_cursor = COALESCE(?, max_cursor), error_code = ?, error = ?, updated_at = ? WHERE window_id = ?`)
      .run(status, facts.lines ?? null, facts.maxCursor ?? null, facts.errorCode ?? null, facts.error ?? null, this.#stamp(), windowId);
  }

  /** Moves a window to another run (a successor adopting a crashed run's work). */
  adopt(windowId: number, runId: string): void {
    this.#db.prepare('UPDATE windows SET run_id = ?, updated_at = ? WHERE window_id = ?').run(runId, this.#stamp(), windowId);
  }

  /**
   * The commit: one transaction marks the window committed and moves the watermark. Refuses while any
   * of the window's files is not uploaded. The watermark only moves forward, and only when the window
   * is contiguous with it (a backfill of a later, disjoint range leaves it alone: records between would
   * otherwise be skipped forever). It never moves past the time the window was planned: its data was
   * read after that, so a window ending later (a clock or a plan gone wrong) cannot have read what
   * changes up to its end, and a watermark there would make every later run skip it. An id-range part
   * that ends below the highest ids (id_through set) leaves it too: the rest of its time range's ids are
   * read by the parts after it, and only the last part, committed after all of them, moves it.
   */
  commit(windowId: number): { watermark: string | null } {
    return this.#db.transaction(() => {
      const w = this.get(windowId);
      const pending = this.#db.prepare(`SELECT COUNT(*) AS n FROM files WHERE window_id = ? AND status != 'uploaded'`).get(windowId) as { n: number };
      if (pending.n > 0) {
        throw new EtlError(ErrorCodes.INTERNAL, `window ${windowId} has ${pending.n} file(s) not uploaded; refusing to commit it`);
      }
      const at = this.#stamp();
      this.#db.prepare(`UPDATE windows SET status = 'committed', error_code = NULL, error = NULL, updated_at = ? WHERE window_id = ?`).run(at, windowId);
      this.#onCommit(w);
      const current = this.watermark(w.shop, w.entity);
      if (w.until === null || w.id_through !== null) return { watermark: current };
      const reached = isoMin(w.until, w.created_at);
      const contiguous = current === null ? w.since === null : w.since === null || w.since <= current;
      if (!contiguous || (current !== null && current >= reached)) return { watermark: current };
      this.#db.prepare(`INSERT INTO watermarks (shop, entity, watermark, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (shop, entity) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at`)
        .run(w.shop, w.entity, reached, at);
      return { watermark: reached };
    }).immediate();
  }
}

/** The earlier of two instants given as ISO-8601 strings (compared as times, whatever their precision). */
function isoMin(a: string, b: string): string {
  return Date.parse(a) <= Date.parse(b) ? a : b;
}
