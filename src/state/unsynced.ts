// A write that need not wait for the disk: a statement run at synchronous = NORMAL, then the
// connection put back at its level. For what a later FULL transaction takes along anyway (its sync of
// the WAL writes every page before it), and which every attempt at a window starts by dropping: a
// window's pending ids (id-sets.ts) and quality sums (window-sums.ts), written once a batch on the
// thread that feeds the workers, where waiting for the disk kept it blocked ~7 ms a batch (1.07 s per
// 100 MB of orders), longer than two workers take to process one. The pragmas are prepared once per
// connection: preparing them at every call was ~7% of that thread's time while data streams.
import type Database from 'better-sqlite3';

/** SQLite's number for synchronous = NORMAL (what PRAGMA synchronous reads back). */
const SYNCHRONOUS_NORMAL = 1;

const levels = new WeakMap<Database.Database, { level: Database.Statement; set: Map<number, Database.Statement> }>();

/** Runs `write` (one statement) at synchronous = NORMAL; inside a transaction, as it is (SQLite refuses to change the level there, and that transaction's commit decides anyway). */
export function unsynced(db: Database.Database, write: () => void): void {
  if (db.inTransaction) return write();
  let s = levels.get(db);
  if (!s) levels.set(db, (s = { level: db.prepare('PRAGMA synchronous').pluck(), set: new Map() }));
  const setLevel = (level: number): void => {
    let set = s.set.get(level);
    if (!set) s.set.set(level, (set = db.prepare(`PRAGMA synchronous = ${level}`)));
    set.run();
  };
  const level = s.level.get() as number;
  setLevel(SYNCHRONOUS_NORMAL);
  try {
    write();
  } finally {
    setLevel(level);
  }
}
