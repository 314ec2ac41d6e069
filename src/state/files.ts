// The files table, the upload outbox: every part file written, until it is durably uploaded. A window
// commits only once all its files are uploaded (Windows.commit checks).
import type Database from 'better-sqlite3';

export interface FileRow {
  object_name: string;
  window_id: number;
  run_id: string;
  table_name: string;
  local_path: string;
  rows: number;
  bytes: number;
  crc32c: string;
  // The schema's CHECK also allows 'lost', which no version ever wrote (an applied migration is not edited).
  status: 'staged' | 'uploaded';
}

/** What the outbox records of a staged part file (load's StagedFile has these). */
export interface FileRecord {
  objectName: string;
  localPath: string;
  rows: number;
  bytes: number;
  crc32c: string;
}

export class Files {
  readonly #db: Database.Database;
  readonly #stamp: () => string;

  constructor(db: Database.Database, stamp: () => string) {
    this.#db = db;
    this.#stamp = stamp;
  }

  record(windowId: number, runId: string, table: string, file: FileRecord): void {
    this.#db.prepare(`INSERT INTO files (object_name, window_id, run_id, table_name, local_path, rows, bytes, crc32c, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'staged')
      ON CONFLICT (object_name) DO UPDATE SET window_id = excluded.window_id, local_path = excluded.local_path, rows = excluded.rows, bytes = excluded.bytes, crc32c = excluded.crc32c, status = 'staged', uploaded_at = NULL`)
      .run(file.objectName, windowId, runId, table, file.localPath, file.rows, file.bytes, file.crc32c);
  }

  markUploaded(objectName: string): void {
    this.#db.prepare(`UPDATE files SET status = 'uploaded', uploaded_at = ? WHERE object_name = ?`).run(this.#stamp(), objectName);
  }

  /**
   * Parts a run recorded that a manifest lists or will list: those of windows committed or still to
   * be finished. (A failed or abandoned window's parts are being discarded.)
   */
  outboxObjects(runId: string): Set<string> {
    const rows = this.#db.prepare(`SELECT f.object_name FROM files f JOIN windows w ON w.window_id = f.window_id WHERE f.run_id = ? AND w.status NOT IN ('failed', 'abandoned')`)
      .all(runId) as Array<{ object_name: string }>;
    return new Set(rows.map((r) => r.object_name));
  }

  /**
   * Local copies a window still needs: the staged parts of a window whose parts were all written, for
   * the run that resumes it to upload. (A window killed earlier is extracted again from scratch.)
   */
  stagedPaths(): Set<string> {
    const rows = this.#db.prepare(`SELECT f.local_path FROM files f JOIN windows w ON w.window_id = f.window_id WHERE f.status = 'staged' AND w.status IN ('downloaded', 'uploaded')`)
      .all() as Array<{ local_path: string }>;
    return new Set(rows.map((r) => r.local_path));
  }

  ofWindow(windowId: number): FileRow[] {
    return this.#db.prepare('SELECT * FROM files WHERE window_id = ? ORDER BY object_name').all(windowId) as FileRow[];
  }

  /**
   * Empties a window's outbox before it is extracted again. The caller deletes the parts listed here
   * first (staged copies and uploaded objects alike): no manifest will list them.
   */
  drop(windowId: number): void {
    this.#db.prepare('DELETE FROM files WHERE window_id = ?').run(windowId);
  }
}
