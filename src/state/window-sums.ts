// What the quality checks read from each window's rows (src/pipeline/sums.ts), recorded by the
// window's attempt as its batches are written, one blob per table per batch. Every attempt starts by
// dropping what an earlier one recorded; a window extracted by a run that was killed before its commit
// keeps them for the run that uploads and commits it. They stay until the run listing the window in its
// manifest has checked it (src/sync/quality.ts), then go with every other finished window's of the shop.
import type Database from 'better-sqlite3';
import { unsynced } from './unsynced.ts';

export class WindowSums {
  readonly #db: Database.Database;
  #insert: Database.Statement<[number, string, Buffer]> | null = null;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  /** A new attempt at the window: what an earlier attempt recorded is dropped. */
  clear(windowId: number): void {
    this.#db.prepare('DELETE FROM window_sums WHERE window_id = ?').run(windowId);
  }

  /** One batch's sums of `table`, written without waiting for the disk (unsynced.ts: the window's commit, a FULL transaction, syncs them). */
  add(windowId: number, table: string, sums: Float64Array): void {
    const insert = (this.#insert ??= this.#db.prepare<[number, string, Buffer]>('INSERT INTO window_sums (window_id, table_name, sums) VALUES (?, ?, ?)'));
    unsynced(this.#db, () => insert.run(windowId, table, Buffer.from(sums.buffer, sums.byteOffset, sums.byteLength)));
  }

  /** The window's sums (by its key, as a manifest names it), per table, one batch's at a time in the order they were written. */
  *of(windowKey: string): Generator<{ table: string; sums: Float64Array }> {
    const blobs = this.#db.prepare('SELECT s.rowid AS rowid, s.table_name AS table_name FROM window_sums s JOIN windows w ON w.window_id = s.window_id WHERE w.window_key = ? ORDER BY s.rowid').all(windowKey) as Array<{ rowid: number; table_name: string }>;
    const blob = this.#db.prepare('SELECT sums FROM window_sums WHERE rowid = ?').pluck();
    for (const { rowid, table_name } of blobs) {
      const bytes = blob.get(rowid) as Buffer;
      yield { table: table_name, sums: new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) };
    }
  }

  /** After the shop's run checked its windows: drops the sums of every window of the shop not waiting for an upload or commit (a killed run's, resumed later, keeps its). */
  forget(shop: string): void {
    this.#db.prepare(`DELETE FROM window_sums WHERE window_id IN (SELECT window_id FROM windows WHERE shop = ? AND status NOT IN ('downloaded', 'uploaded'))`).run(shop);
  }
}
