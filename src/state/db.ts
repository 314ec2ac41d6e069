// Sync state in one SQLite file (WAL, synchronous=FULL; docs/design.md#sync-state): runs, windows
// with their status and the watermarks their commits move, the bulk operations we submitted, and the
// outbox of part files, the ids the warehouse holds, and the windows' quality sums, each table behind its own object (runs.ts,
// windows.ts, operations.ts, files.ts, id-sets.ts, window-sums.ts, local-lock.ts). Every method is one statement or one transaction, so a crash between any
// two calls leaves a consistent database.
import Database from 'better-sqlite3';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { EtlError, ErrorCodes, fromSystemError } from '../errors/index.ts';
import { Files } from './files.ts';
import { IdSets } from './id-sets.ts';
import { LocalLock } from './local-lock.ts';
import { Operations } from './operations.ts';
import { Runs } from './runs.ts';
import { MIGRATIONS } from './schema.ts';
import { Windows } from './windows.ts';
import { WindowSums } from './window-sums.ts';

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

export class StateDb {
  readonly db: Database.Database;
  readonly path: string;
  /** The lease row a local state's run holds (a gs:// state is locked by an object beside it instead). */
  readonly lock: LocalLock;
  readonly runs: Runs;
  readonly windows: Windows;
  readonly operations: Operations;
  readonly files: Files;
  readonly idSets: IdSets;
  readonly windowSums: WindowSums;

  private constructor(db: Database.Database, path: string, now: () => Date) {
    this.db = db;
    this.path = path;
    const stamp = (): string => now().toISOString();
    this.lock = new LocalLock(db, path, now);
    this.runs = new Runs(db, stamp);
    this.idSets = new IdSets(db);
    this.windowSums = new WindowSums(db);
    this.windows = new Windows(db, stamp, (w) => this.idSets.commitWindow(w));
    this.operations = new Operations(db, stamp);
    this.files = new Files(db, stamp);
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
      // SQLite's own 2 MB page cache, not better-sqlite3's 16 MB: every batch writes its pending ids and
      // quality sums here, and the cache kept their pages until it held 16 MB (~8 MiB more peak RSS at
      // 1 GB of orders, where RSS is the limit); the state's other statements touch a few pages each.
      db.pragma('cache_size = -2000');
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

  close(): void {
    if (this.db.open) this.db.close();
  }

  /** Per (shop, entity): the watermark, the last window's run, outcome and error, open operations, pending files. */
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

  /**
   * Part files uploaded for a window the state has not committed: a run between its manifest and its
   * commit (the commit protocol's last two steps), or one that died there, whose rerun commits or
   * retracts them. A manifest may list them; the state does not count them yet.
   */
  uncommittedFiles(): UncommittedFile[] {
    return this.db.prepare(`
      SELECT w.shop, f.run_id, f.object_name FROM files f JOIN windows w ON w.window_id = f.window_id
      WHERE f.status = 'uploaded' AND w.status <> 'committed' ORDER BY w.shop, f.object_name`).all() as UncommittedFile[];
  }

  /** Per shop and output table, from the outbox (uploaded rows are kept until their window is redone). */
  freshness(): TableFreshness[] {
    return this.db.prepare(`
      SELECT w.shop, w.entity, f.table_name,
        (SELECT watermark FROM watermarks m WHERE m.shop = w.shop AND m.entity = w.entity) AS watermark,
        MAX(f.uploaded_at) AS last_upload, f.run_id AS last_run
      FROM files f JOIN windows w ON w.window_id = f.window_id
      WHERE f.status = 'uploaded' AND w.status = 'committed'
      GROUP BY w.shop, w.entity, f.table_name ORDER BY w.shop, f.table_name, w.entity`).all() as TableFreshness[];
  }
}

export interface UncommittedFile {
  shop: string;
  /** The run that wrote the file. */
  run_id: string;
  object_name: string;
}

/**
 * How fresh one output table is: its entity's watermark (every record updated before it is published)
 * and the newest part file of it uploaded by a committed window, with that window's run.
 */
export interface TableFreshness {
  shop: string;
  entity: string;
  table_name: string;
  watermark: string | null;
  last_upload: string;
  last_run: string;
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
