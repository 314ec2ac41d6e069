// The operations table: the bulk operations our windows submitted, as last seen. A record is written
// before the operation is first polled, so a crashed run's successor can adopt it (docs/design.md#commit-protocol).
import type Database from 'better-sqlite3';
import type { WindowRow } from './windows.ts';

export interface OperationRow {
  operation_id: string;
  shop: string;
  entity: string;
  window_id: number;
  /** Which of its entity's queries it ran (Entity.parts; 0 for an entity of one). */
  part: number;
  query_hash: string;
  status: string;
  error_code: string | null;
  object_count: number | null;
  root_object_count: number | null;
  file_size: number | null;
  submitted_at: string;
  completed_at: string | null;
}

/** What a bulk operation looked like the last time we saw it. Its result URL is never stored (see schema.ts). */
export interface OperationSnapshot {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  completedAt: string | null;
}

export class Operations {
  readonly #db: Database.Database;
  readonly #stamp: () => string;

  constructor(db: Database.Database, stamp: () => string) {
    this.#db = db;
    this.#stamp = stamp;
  }

  /**
   * Records a submitted operation BEFORE it is polled, so a crashed run's successor can adopt it, and
   * marks its window submitted with it, in one transaction.
   * The store has just created this operation and Shopify never hands out an id twice, so a record
   * already under its id was written against another store (another sandbox, a reinstalled app):
   * it is retired, and returned for the caller to report.
   */
  recordSubmitted(windowId: number, entity: string, shop: string, op: OperationSnapshot, queryHash: string, part = 0): OperationRow | undefined {
    const at = this.#stamp();
    return this.#db.transaction(() => {
      const stale = this.get(op.id);
      if (stale) this.retire(op.id);
      this.#db.prepare(`INSERT INTO operations (operation_id, shop, entity, window_id, part, query_hash, status, error_code, object_count, root_object_count, file_size, submitted_at, completed_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(op.id, shop, entity, windowId, part, queryHash, op.status, op.errorCode, op.objectCount, op.rootObjectCount, op.fileSize, at, op.completedAt, at);
      if (part === 0) {
        this.#db.prepare(`UPDATE windows SET status = 'submitted', operation_id = ?, query_hash = ?, attempts = attempts + 1, updated_at = ? WHERE window_id = ?`)
          .run(op.id, queryHash, at, windowId);
      } else {
        this.#db.prepare(`INSERT INTO window_parts (window_id, part, operation_id, query_hash, updated_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (window_id, part) DO UPDATE SET operation_id = excluded.operation_id, query_hash = excluded.query_hash, updated_at = excluded.updated_at`).run(windowId, part, op.id, queryHash, at);
        this.#db.prepare(`UPDATE windows SET status = 'submitted', updated_at = ? WHERE window_id = ?`).run(at, windowId);
      }
      return stale;
    })();
  }

  /**
   * Forgets an operation record the store does not hold as ours, or one whose result must not be read
   * again (fewer records than the store counts). The window that submitted it keeps the id as history;
   * adopting checks that the record under an id is the window's own, so it submits anew.
   */
  retire(operationId: string): void {
    this.#db.prepare('DELETE FROM operations WHERE operation_id = ?').run(operationId);
  }

  update(op: OperationSnapshot): void {
    this.#db.prepare(`UPDATE operations SET status = ?, error_code = ?, object_count = ?, root_object_count = ?, file_size = ?, completed_at = ?, updated_at = ? WHERE operation_id = ?`)
      .run(op.status, op.errorCode, op.objectCount, op.rootObjectCount, op.fileSize, op.completedAt, this.#stamp(), op.id);
  }

  get(operationId: string): OperationRow | undefined {
    return this.#db.prepare('SELECT * FROM operations WHERE operation_id = ?').get(operationId) as OperationRow | undefined;
  }

  /** The operation record of a window's last submission (of its first part), unless the id has since been retired or reissued. */
  ofWindow(window: Pick<WindowRow, 'window_id' | 'operation_id'>): OperationRow | undefined {
    if (!window.operation_id) return undefined;
    return this.#db.prepare('SELECT * FROM operations WHERE operation_id = ? AND window_id = ?').get(window.operation_id, window.window_id) as OperationRow | undefined;
  }

  /** The same for the window's part `part` (Entity.parts; 0: ofWindow). */
  ofPart(windowId: number, part: number): OperationRow | undefined {
    const id = part === 0
      ? this.#db.prepare('SELECT operation_id AS id FROM windows WHERE window_id = ?').get(windowId)
      : this.#db.prepare('SELECT operation_id AS id FROM window_parts WHERE window_id = ? AND part = ?').get(windowId, part);
    const current = (id as { id: string | null } | undefined)?.id;
    if (!current) return undefined;
    return this.#db.prepare('SELECT * FROM operations WHERE operation_id = ? AND window_id = ? AND part = ?').get(current, windowId, part) as OperationRow | undefined;
  }

  /** The latest submission of each of the window's parts that has a record, first part first. */
  ofWindowParts(windowId: number): OperationRow[] {
    return this.#db.prepare(`SELECT o.* FROM operations o WHERE o.window_id = ? AND (
        (o.part = 0 AND o.operation_id = (SELECT operation_id FROM windows WHERE window_id = o.window_id))
        OR o.operation_id = (SELECT operation_id FROM window_parts p WHERE p.window_id = o.window_id AND p.part = o.part AND o.part > 0)
      ) ORDER BY o.part`).all(windowId) as OperationRow[];
  }
}
