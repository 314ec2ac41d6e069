// The ids the warehouse holds, per shop and output table: what an id-only snapshot of the store is
// compared with to find deletes (src/sync/deletes/). A window's attempt records the ids it wrote as it
// goes (pending, one blob per batch), and only the window's commit, after every part is uploaded and
// listed in the manifest, adds them to the set, in the commit's own transaction: an id is never taken
// for held before its row is. Each id keeps the earliest window end it was read below (`first_until`,
// epoch seconds of the store's clock), so a snapshot judges only ids whose records existed before it
// started, and whether a deletion was reported for it (`deleted`), so each delete is reported once and
// a record seen again is reported restored. The same commit applies the marks of a deletions window.
import type Database from 'better-sqlite3';
import { unsynced } from './unsynced.ts';
import type { WindowRow } from './windows.ts';

/** What a snapshot comparison found for one id. */
export interface IdFinding {
  table_name: string;
  id: number;
  /** 1: held and no longer in the store (deleted); 0: reported deleted before and in the store again (restored). */
  deleted: number;
}

export class IdSets {
  readonly #db: Database.Database;
  #insertPending: Database.Statement<[number, string, Buffer]> | null = null;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** A new attempt at the window: what an earlier attempt recorded is dropped. */
  clearPending(windowId: number): void {
    this.#db.prepare('DELETE FROM pending_ids WHERE window_id = ?').run(windowId);
    this.#db.prepare('DELETE FROM pending_marks WHERE window_id = ?').run(windowId);
  }

  /**
   * Ids of `table` rows the window's attempt wrote (one batch's), written without waiting for the disk
   * (unsynced.ts): they need no durability of their own, since every attempt starts by dropping them
   * (clearPending) and the commit that moves them into the set is a FULL transaction. Its statement is
   * prepared once.
   */
  addPending(windowId: number, table: string, ids: Float64Array): void {
    if (ids.length === 0) return;
    const insert = (this.#insertPending ??= this.#db.prepare<[number, string, Buffer]>('INSERT INTO pending_ids (window_id, table_name, ids) VALUES (?, ?, ?)'));
    unsynced(this.#db, () => insert.run(windowId, table, Buffer.from(ids.buffer, ids.byteOffset, ids.byteLength)));
  }

  /** A deletion (deleted = 1) or restoration (0) the window reports, applied to the set at its commit. */
  mark(windowId: number, table: string, id: number, deleted: 0 | 1): void {
    this.#db.prepare('INSERT OR REPLACE INTO pending_marks (window_id, table_name, id, deleted) VALUES (?, ?, ?, ?)').run(windowId, table, id, deleted);
  }

  /**
   * A page of the marks the window's attempt recorded, in table and id order, after `after` (null:
   * from the first). Paged, not iterated: the caller writes rows (and records files) between pages.
   */
  marks(windowId: number, after: { table: string; id: number } | null, limit: number): IdFinding[] {
    const [table, id] = after === null ? ['', -1] : [after.table, after.id];
    return this.#db.prepare(`SELECT table_name, id, deleted FROM pending_marks WHERE window_id = ? AND (table_name > ? OR (table_name = ? AND id > ?))
      ORDER BY table_name, id LIMIT ?`).all(windowId, table, table, id, limit) as IdFinding[];
  }

  /** Called inside Windows.commit's transaction: the window's ids and marks join the set. */
  commitWindow(w: WindowRow): void {
    const until = Math.ceil(Date.parse(w.until ?? w.updated_at) / 1000);
    const upsertId = this.#db.prepare(`INSERT INTO known_ids (set_id, id, first_until) VALUES (?, ?, ?)
      ON CONFLICT (set_id, id) DO UPDATE SET first_until = MIN(first_until, excluded.first_until)`);
    const blobs = this.#db.prepare('SELECT rowid, table_name FROM pending_ids WHERE window_id = ?').all(w.window_id) as Array<{ rowid: number; table_name: string }>;
    const blob = this.#db.prepare('SELECT ids FROM pending_ids WHERE rowid = ?').pluck();
    for (const { rowid, table_name } of blobs) {
      const set = this.#setId(w.shop, table_name);
      const ids = blob.get(rowid) as Buffer;
      for (const id of new Float64Array(ids.buffer.slice(ids.byteOffset, ids.byteOffset + ids.byteLength))) upsertId.run(set, id, until);
    }
    const marked = this.#db.prepare('SELECT DISTINCT table_name FROM pending_marks WHERE window_id = ?').pluck().all(w.window_id) as string[];
    for (const table of marked) {
      this.#db.prepare(`INSERT INTO known_ids (set_id, id, first_until, deleted) SELECT ?, id, ?, deleted FROM pending_marks WHERE window_id = ? AND table_name = ? AND true
        ON CONFLICT (set_id, id) DO UPDATE SET deleted = excluded.deleted`).run(this.#setId(w.shop, table), until, w.window_id, table);
    }
    this.clearPending(w.window_id);
  }

  /** Starts loading the ids a window's snapshot reads (a temporary table of this connection; snapshots of several windows may load at once). */
  beginSnapshot(windowId: number): void {
    this.#db.exec('CREATE TEMP TABLE IF NOT EXISTS snapshot_ids (window_id INTEGER NOT NULL, table_name TEXT NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (window_id, table_name, id)) WITHOUT ROWID');
    this.#db.prepare('DELETE FROM temp.snapshot_ids WHERE window_id = ?').run(windowId);
  }

  /** Ids the window's snapshot read, one transaction per call. */
  addSnapshotIds(windowId: number, rows: ReadonlyArray<{ table: string; id: number }>): void {
    const insert = this.#db.prepare('INSERT OR IGNORE INTO temp.snapshot_ids (window_id, table_name, id) VALUES (?, ?, ?)');
    this.#db.transaction(() => {
      for (const r of rows) insert.run(windowId, r.table, r.id);
    })();
  }

  /**
   * Compares the loaded snapshot with the shop's sets of `tables` and records what it found as the
   * window's marks: held ids the snapshot lacks, among those read below `startedAt` (epoch seconds,
   * the operation's start: a record created while it ran may be missing from it without being
   * deleted), and ids reported deleted that it holds again. Returns how many of each.
   */
  compare(windowId: number, shop: string, tables: readonly string[], startedAt: number): { deleted: number; restored: number } {
    let deleted = 0;
    let restored = 0;
    this.#db.transaction(() => {
      this.#db.prepare('DELETE FROM pending_marks WHERE window_id = ?').run(windowId);
      for (const table of tables) {
        const set = this.#setId(shop, table);
        deleted += this.#db.prepare(`INSERT INTO pending_marks (window_id, table_name, id, deleted)
          SELECT ?, ?, k.id, 1 FROM known_ids k WHERE k.set_id = ? AND k.deleted = 0 AND k.first_until <= ?
            AND NOT EXISTS (SELECT 1 FROM temp.snapshot_ids s WHERE s.window_id = ? AND s.table_name = ? AND s.id = k.id)`).run(windowId, table, set, startedAt, windowId, table).changes;
        restored += this.#db.prepare(`INSERT INTO pending_marks (window_id, table_name, id, deleted)
          SELECT ?, ?, k.id, 0 FROM known_ids k WHERE k.set_id = ? AND k.deleted = 1
            AND EXISTS (SELECT 1 FROM temp.snapshot_ids s WHERE s.window_id = ? AND s.table_name = ? AND s.id = k.id)`).run(windowId, table, set, windowId, table).changes;
      }
      this.#db.prepare('DELETE FROM temp.snapshot_ids WHERE window_id = ?').run(windowId);
    })();
    return { deleted, restored };
  }

  /** Whether a deletion of the id was reported and committed (and not restored since). */
  reported(shop: string, table: string, id: number): boolean {
    return this.#db.prepare('SELECT 1 FROM known_ids k JOIN id_sets s ON s.set_id = k.set_id WHERE s.shop = ? AND s.table_name = ? AND k.id = ? AND k.deleted = 1').get(shop, table, id) !== undefined;
  }

  #setId(shop: string, table: string): number {
    this.#db.prepare('INSERT OR IGNORE INTO id_sets (shop, table_name) VALUES (?, ?)').run(shop, table);
    return (this.#db.prepare('SELECT set_id FROM id_sets WHERE shop = ? AND table_name = ?').get(shop, table) as { set_id: number }).set_id;
  }
}
