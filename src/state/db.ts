// Sync state in one SQLite file (WAL, synchronous=FULL): runs, per-(shop, entity) watermarks, windows
// with their status, the bulk operations we submitted, and the outbox of part files. Every method is
// one statement or one transaction, so a crash between any two calls leaves a consistent database.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EtlError, ErrorCodes, fromSystemError } from '../errors/index.ts';
import type { StagedFile } from '../load/destination.ts';
import { LocalLock } from './local-lock.ts';
import { MIGRATIONS } from './schema.ts';

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted';
export type WindowStatus = 'planned' | 'submitted' | 'downloaded' | 'uploaded' | 'committed' | 'failed' | 'abandoned';

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

export interface OperationRow {
  operation_id: string;
  shop: string;
  entity: string;
  window_id: number;
  query_hash: string;
  status: string;
  error_code: string | null;
  object_count: number | null;
  root_object_count: number | null;
  file_size: number | null;
  submitted_at: string;
  completed_at: string | null;
}

export interface FileRow {
  object_name: string;
  window_id: number;
  run_id: string;
  table_name: string;
  local_path: string;
  rows: number;
  bytes: number;
  crc32c: string;
  status: 'staged' | 'uploaded' | 'lost';
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

/**
 * A damaged page surfaces only when a statement reads it, which could be mid-run; quick_check reads
 * every page at open (the state is small), so damage is reported before anything is done.
 */
function checkIntact(db: Database.Database, name: string): void {
  const result = db.pragma('quick_check', { simple: true });
  if (result !== 'ok') throw new EtlError(ErrorCodes.STATE_UNREADABLE, damaged(name, String(result).replace(/\s*\n\s*/g, ' ')));
}

/** How messages name a state database: its location, and the local copy when that is what is open. */
function named(path: string, source: string): string {
  return source === path ? path : `${source} (copied to ${path})`;
}

function damaged(name: string, reason: string): string {
  return `the state database ${name} is damaged (${reason}); restore it from a backup, or move it away to start over (the next run then extracts everything again)`;
}

function nearestExisting(path: string): string {
  return existsSync(path) || dirname(path) === path ? path : nearestExisting(dirname(path));
}

/** A failure to open the state, as the code an operator acts on, with the path and the fix. */
function stateError(err: unknown, path: string, source: string): EtlError {
  if (err instanceof EtlError) return err;
  const e = err as NodeJS.ErrnoException;
  const code = e?.code ?? '';
  if (code.startsWith('SQLITE_NOTADB') || code.startsWith('SQLITE_CORRUPT')) {
    return new EtlError(ErrorCodes.STATE_UNREADABLE, damaged(named(path, source), e.message), { cause: err });
  }
  const notAFolder = code === 'ENOTDIR' || code === 'EEXIST';
  if (notAFolder || ['EACCES', 'EPERM', 'EROFS'].includes(code) || /^SQLITE_(CANTOPEN|READONLY|PERM|AUTH)/.test(code)) {
    const reason = notAFolder ? `${nearestExisting(dirname(path))} is a file where a folder is needed` : e.message;
    return new EtlError(ErrorCodes.STATE_UNWRITABLE, `cannot write the state database ${named(path, source)}: ${reason}; make the file and its folder writable, or choose another --state`, { cause: err });
  }
  return fromSystemError(err, `opening the state database ${named(path, source)}`);
}

const OPEN_STATUSES = `('planned', 'submitted', 'downloaded', 'uploaded')`;

export class StateDb {
  readonly db: Database.Database;
  readonly path: string;
  /** The lease row a local state's run holds (a gs:// state is locked by an object beside it instead). */
  readonly lock: LocalLock;
  private readonly now: () => Date;

  private constructor(db: Database.Database, path: string, now: () => Date) {
    this.db = db;
    this.path = path;
    this.now = now;
    this.lock = new LocalLock(db, path, now);
  }

  /** `source`: where the state lives when `path` is a local copy of it (a gs:// URL), for messages. */
  static open(path: string, now: () => Date = () => new Date(), source = path): StateDb {
    let db: Database.Database | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      // Deleted content is overwritten, not left in free pages of a file that is uploaded.
      db.pragma('secure_delete = ON');
      checkIntact(db, named(path, source));
      const state = new StateDb(db, path, now);
      state.migrate();
      return state;
    } catch (err) {
      db?.close();
      throw stateError(err, path, source);
    }
  }

  /**
   * For commands that only look (status, --dry-run): never creates, migrates or writes the file.
   * Null when there is no state there yet.
   */
  static openReadOnly(path: string, source = path): StateDb | null {
    if (!existsSync(path)) return null;
    let db: Database.Database | undefined;
    try {
      db = new Database(path, { readonly: true, fileMustExist: true });
      checkIntact(db, named(path, source));
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version !== MIGRATIONS.length) {
        throw new EtlError(ErrorCodes.STATE_UNREADABLE, `the state database ${named(path, source)} has schema version ${version}, this program reads ${MIGRATIONS.length}; ${version < MIGRATIONS.length ? 'a run of this version upgrades it' : 'use a newer shopify-bulk-etl'}`);
      }
      return new StateDb(db, path, () => new Date());
    } catch (err) {
      db?.close();
      throw stateError(err, path, source);
    }
  }

  private migrate(): void {
    const version = this.db.pragma('user_version', { simple: true }) as number;
    if (version > MIGRATIONS.length) {
      throw new EtlError(ErrorCodes.STATE_UNREADABLE, `the state database ${this.path} has schema version ${version}, newer than this program understands (${MIGRATIONS.length}); run a newer shopify-bulk-etl`);
    }
    for (let v = version; v < MIGRATIONS.length; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v]!);
        this.db.pragma(`user_version = ${v + 1}`);
      })();
    }
  }

  private stamp(): string {
    return this.now().toISOString();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  // ---- runs ----

  startRun(runId: string, shop: string): void {
    this.db.prepare(`INSERT INTO runs (run_id, shop, started_at, status) VALUES (?, ?, ?, 'running')`).run(runId, shop, this.stamp());
  }

  finishRun(runId: string, status: RunStatus, summary: unknown): void {
    this.db.prepare('UPDATE runs SET status = ?, finished_at = ?, summary = ? WHERE run_id = ?').run(status, this.stamp(), JSON.stringify(summary), runId);
  }

  /**
   * Runs whose leftovers a run holding the lock must clear up first: runs that died (still `running`
   * though the lock is ours) and runs that still own an open window.
   */
  runsToRecover(shop: string, exceptRunId: string): string[] {
    const rows = this.db.prepare(`SELECT run_id FROM runs WHERE shop = ? AND run_id != ? AND status = 'running'
      UNION SELECT run_id FROM windows WHERE shop = ? AND run_id != ? AND status IN ${OPEN_STATUSES} ORDER BY run_id`)
      .all(shop, exceptRunId, shop, exceptRunId) as Array<{ run_id: string }>;
    return rows.map((r) => r.run_id);
  }

  /** A dead run, once its leftovers are cleared up. */
  markRunInterrupted(runId: string): void {
    this.db.prepare(`UPDATE runs SET status = 'interrupted', finished_at = ? WHERE run_id = ? AND status = 'running'`).run(this.stamp(), runId);
  }

  /** Every run of the shop this state has seen start. */
  runIds(shop: string): Set<string> {
    return new Set((this.db.prepare('SELECT run_id FROM runs WHERE shop = ?').all(shop) as Array<{ run_id: string }>).map((r) => r.run_id));
  }

  // ---- watermarks ----

  watermark(shop: string, entity: string): string | null {
    const row = this.db.prepare('SELECT watermark FROM watermarks WHERE shop = ? AND entity = ?').get(shop, entity) as { watermark: string } | undefined;
    return row?.watermark ?? null;
  }

  // ---- windows and operations ----

  createWindow(w: { runId: string; shop: string; entity: string; since: string | null; until: string | null }): number {
    const at = this.stamp();
    return this.db.transaction(() => {
      const info = this.db.prepare(`INSERT INTO windows (run_id, shop, entity, since, until, status, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'planned', ?, ?)`)
        .run(w.runId, w.shop, w.entity, w.since, w.until, at, at);
      const windowId = Number(info.lastInsertRowid);
      this.db.prepare('UPDATE windows SET window_key = ? WHERE window_id = ?').run(`${w.runId}/${windowId}`, windowId);
      return windowId;
    })();
  }

  window(windowId: number): WindowRow {
    return this.db.prepare('SELECT * FROM windows WHERE window_id = ?').get(windowId) as WindowRow;
  }

  /** Whether the window a manifest names by this key is committed in this state. */
  isCommitted(windowKey: string): boolean {
    return this.db.prepare(`SELECT 1 FROM windows WHERE window_key = ? AND status = 'committed'`).get(windowKey) !== undefined;
  }

  /** Windows of earlier runs that never reached committed/failed/abandoned: the work a crash left. */
  openWindows(shop: string, entity: string, exceptRunId: string): WindowRow[] {
    return this.db.prepare(`SELECT * FROM windows WHERE shop = ? AND entity = ? AND run_id != ? AND status IN ${OPEN_STATUSES} ORDER BY since IS NOT NULL, since, window_id`)
      .all(shop, entity, exceptRunId) as WindowRow[];
  }

  /**
   * The window's query is about to be submitted. Published before the submit, this lets the run after
   * one that died before recording Shopify's answer look for the operation (a `submitted` window with
   * no operation id). A recorded id is always the window's latest submission, so an earlier attempt's
   * is cleared.
   */
  markSubmitting(windowId: number): void {
    this.db.prepare(`UPDATE windows SET status = 'submitted', operation_id = NULL, updated_at = ? WHERE window_id = ?`).run(this.stamp(), windowId);
  }

  /**
   * Records a submitted operation BEFORE it is polled, so a crashed run's successor can adopt it.
   * The store has just created this operation and Shopify never hands out an id twice, so a record
   * already under its id was written against another store (another sandbox, a reinstalled app):
   * it is retired, and returned for the caller to report.
   */
  recordSubmitted(windowId: number, entity: string, shop: string, op: OperationSnapshot, queryHash: string): OperationRow | undefined {
    const at = this.stamp();
    return this.db.transaction(() => {
      const stale = this.operation(op.id);
      if (stale) this.retireOperation(op.id);
      this.db.prepare(`INSERT INTO operations (operation_id, shop, entity, window_id, query_hash, status, error_code, object_count, root_object_count, file_size, submitted_at, completed_at, updated_at)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`)
        .run(op.id, shop, entity, windowId, queryHash, op.status, op.errorCode, op.objectCount, op.rootObjectCount, op.fileSize, at, op.completedAt, at);
      this.db.prepare(`UPDATE windows SET status = 'submitted', operation_id = ?, query_hash = ?, attempts = attempts + 1, updated_at = ? WHERE window_id = ?`)
        .run(op.id, queryHash, at, windowId);
      return stale;
    })();
  }

  /**
   * Forgets an operation record the store does not hold as ours. The window that submitted it keeps
   * the id as history; adopting checks that the record under an id is the window's own.
   */
  retireOperation(operationId: string): void {
    this.db.prepare('DELETE FROM operations WHERE operation_id = ?').run(operationId);
  }

  updateOperation(op: OperationSnapshot): void {
    this.db.prepare(`UPDATE operations SET status = ?, error_code = ?, object_count = ?, root_object_count = ?, file_size = ?, completed_at = ?, updated_at = ? WHERE operation_id = ?`)
      .run(op.status, op.errorCode, op.objectCount, op.rootObjectCount, op.fileSize, op.completedAt, this.stamp(), op.id);
  }

  operation(operationId: string): OperationRow | undefined {
    return this.db.prepare('SELECT * FROM operations WHERE operation_id = ?').get(operationId) as OperationRow | undefined;
  }

  /** The operation record of a window's last submission, unless the id has since been retired or reissued. */
  windowOperation(window: Pick<WindowRow, 'window_id' | 'operation_id'>): OperationRow | undefined {
    if (!window.operation_id) return undefined;
    return this.db.prepare('SELECT * FROM operations WHERE operation_id = ? AND window_id = ?').get(window.operation_id, window.window_id) as OperationRow | undefined;
  }

  setWindowStatus(windowId: number, status: WindowStatus, facts: { lines?: number; maxCursor?: string | null; errorCode?: string; error?: string } = {}): void {
    this.db.prepare(`UPDATE windows SET status = ?, lines = COALESCE(?, lines), max_cursor = COALESCE(?, max_cursor), error_code = ?, error = ?, updated_at = ? WHERE window_id = ?`)
      .run(status, facts.lines ?? null, facts.maxCursor ?? null, facts.errorCode ?? null, facts.error ?? null, this.stamp(), windowId);
  }

  /** Moves a window to another run (a successor adopting a crashed run's work). */
  adoptWindow(windowId: number, runId: string): void {
    this.db.prepare('UPDATE windows SET run_id = ?, updated_at = ? WHERE window_id = ?').run(runId, this.stamp(), windowId);
  }

  /**
   * The commit: one transaction marks the window committed and moves the watermark. Refuses while any
   * of the window's files is not uploaded. The watermark only moves forward, and only when the window
   * is contiguous with it (a backfill of a later, disjoint range leaves it alone: records between would
   * otherwise be skipped forever). It never moves past the time the window was planned: its data was
   * read after that, so a window ending later (a clock or a plan gone wrong) cannot have read what
   * changes up to its end, and a watermark there would make every later run skip it.
   */
  commitWindow(windowId: number): { watermark: string | null } {
    return this.db.transaction(() => {
      const w = this.window(windowId);
      const pending = this.db.prepare(`SELECT COUNT(*) AS n FROM files WHERE window_id = ? AND status != 'uploaded'`).get(windowId) as { n: number };
      if (pending.n > 0) {
        throw new EtlError(ErrorCodes.INTERNAL, `window ${windowId} has ${pending.n} file(s) not uploaded; refusing to commit it`);
      }
      const at = this.stamp();
      this.db.prepare(`UPDATE windows SET status = 'committed', error_code = NULL, error = NULL, updated_at = ? WHERE window_id = ?`).run(at, windowId);
      const current = this.watermark(w.shop, w.entity);
      if (w.until === null) return { watermark: current };
      const reached = isoMin(w.until, w.created_at);
      const contiguous = current === null ? w.since === null : w.since === null || w.since <= current;
      if (!contiguous || (current !== null && current >= reached)) return { watermark: current };
      this.db.prepare(`INSERT INTO watermarks (shop, entity, watermark, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (shop, entity) DO UPDATE SET watermark = excluded.watermark, updated_at = excluded.updated_at`)
        .run(w.shop, w.entity, reached, at);
      return { watermark: reached };
    }).immediate();
  }

  // ---- files (outbox) ----

  recordFile(windowId: number, runId: string, table: string, file: StagedFile): void {
    this.db.prepare(`INSERT INTO files (object_name, window_id, run_id, table_name, local_path, rows, bytes, crc32c, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'staged')
      ON CONFLICT (object_name) DO UPDATE SET window_id = excluded.window_id, local_path = excluded.local_path, rows = excluded.rows, bytes = excluded.bytes, crc32c = excluded.crc32c, status = 'staged', uploaded_at = NULL`)
      .run(file.objectName, windowId, runId, table, file.localPath, file.rows, file.bytes, file.crc32c);
  }

  markUploaded(objectName: string): void {
    this.db.prepare(`UPDATE files SET status = 'uploaded', uploaded_at = ? WHERE object_name = ?`).run(this.stamp(), objectName);
  }

  /**
   * Parts a run recorded that a manifest lists or will list: those of windows committed or still to
   * be finished. (A failed or abandoned window's parts are being discarded.)
   */
  outboxObjects(runId: string): Set<string> {
    const rows = this.db.prepare(`SELECT f.object_name FROM files f JOIN windows w ON w.window_id = f.window_id WHERE f.run_id = ? AND w.status NOT IN ('failed', 'abandoned')`)
      .all(runId) as Array<{ object_name: string }>;
    return new Set(rows.map((r) => r.object_name));
  }

  /**
   * Local copies a window still needs: the staged parts of a window whose parts were all written, for
   * the run that resumes it to upload. (A window killed earlier is extracted again from scratch.)
   */
  stagedPaths(): Set<string> {
    const rows = this.db.prepare(`SELECT f.local_path FROM files f JOIN windows w ON w.window_id = f.window_id WHERE f.status = 'staged' AND w.status IN ('downloaded', 'uploaded')`)
      .all() as Array<{ local_path: string }>;
    return new Set(rows.map((r) => r.local_path));
  }

  files(windowId: number): FileRow[] {
    return this.db.prepare('SELECT * FROM files WHERE window_id = ? ORDER BY object_name').all(windowId) as FileRow[];
  }

  /**
   * Empties a window's outbox before it is extracted again. The caller deletes the parts listed here
   * first (staged copies and uploaded objects alike): no manifest will list them.
   */
  dropFiles(windowId: number): void {
    this.db.prepare('DELETE FROM files WHERE window_id = ?').run(windowId);
  }

  // ---- status report ----

  statusReport(): StatusEntry[] {
    return this.db.prepare(`
      WITH pairs AS (SELECT DISTINCT shop, entity FROM windows UNION SELECT shop, entity FROM watermarks)
      SELECT p.shop, p.entity,
        (SELECT watermark FROM watermarks m WHERE m.shop = p.shop AND m.entity = p.entity) AS watermark,
        (SELECT w.run_id FROM windows w WHERE w.shop = p.shop AND w.entity = p.entity ORDER BY w.window_id DESC LIMIT 1) AS last_run,
        (SELECT w.status FROM windows w WHERE w.shop = p.shop AND w.entity = p.entity ORDER BY w.window_id DESC LIMIT 1) AS last_outcome,
        (SELECT w.error FROM windows w WHERE w.shop = p.shop AND w.entity = p.entity ORDER BY w.window_id DESC LIMIT 1) AS last_error,
        (SELECT group_concat(o.operation_id || ' ' || o.status, ', ') FROM operations o WHERE o.shop = p.shop AND o.entity = p.entity AND o.status IN ('CREATED', 'RUNNING', 'CANCELING')) AS open_operations,
        (SELECT COUNT(*) FROM files f JOIN windows w ON w.window_id = f.window_id WHERE w.shop = p.shop AND w.entity = p.entity AND f.status = 'staged') AS pending_files
      FROM pairs p ORDER BY p.shop, p.entity`).all() as StatusEntry[];
  }
}

export interface StatusEntry {
  shop: string;
  entity: string;
  watermark: string | null;
  last_run: string | null;
  last_outcome: string | null;
  last_error: string | null;
  open_operations: string | null;
  pending_files: number;
}

/** The earlier of two instants given as ISO-8601 strings (compared as times, whatever their precision). */
function isoMin(a: string, b: string): string {
  return Date.parse(a) <= Date.parse(b) ? a : b;
}
