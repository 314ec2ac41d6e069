// The lock of a local state: one row in the database itself, holding the run, its pid and a lease.
// A run that finds another live run's unexpired lease is refused (STATE_LOCKED; open.ts waits up to
// --lock-wait); a lease past its end, or held by a pid that is gone, is taken over.
import type Database from 'better-sqlite3';
import { EtlError, ErrorCodes } from '../errors/index.ts';

export class LocalLock {
  readonly #db: Database.Database;
  readonly #path: string;
  readonly #now: () => Date;

  constructor(db: Database.Database, path: string, now: () => Date) {
    this.#db = db;
    this.#path = path;
    this.#now = now;
  }

  /** Takes the database for this run, unless another live run holds an unexpired lease. */
  acquire(owner: string, leaseMs: number): void {
    this.#db.transaction(() => {
      const held = this.#db.prepare('SELECT owner, pid, expires_at FROM lock WHERE id = 1').get() as { owner: string; pid: number; expires_at: string } | undefined;
      if (held && held.owner !== owner && held.expires_at > this.#now().toISOString() && processAlive(held.pid)) {
        throw new EtlError(ErrorCodes.STATE_LOCKED, `another run (${held.owner}, pid ${held.pid}) holds the state ${this.#path} until ${held.expires_at}; wait for it to finish, or remove the lock once you are sure it is gone`, { details: { holder: held.owner, pid: held.pid, expiresAt: held.expires_at } });
      }
      this.#db.prepare('INSERT INTO lock (id, owner, pid, expires_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET owner = excluded.owner, pid = excluded.pid, expires_at = excluded.expires_at')
        .run(owner, process.pid, new Date(this.#now().getTime() + leaseMs).toISOString());
    }).immediate();
  }

  renew(owner: string, leaseMs: number): void {
    this.#db.prepare('UPDATE lock SET expires_at = ? WHERE id = 1 AND owner = ?').run(new Date(this.#now().getTime() + leaseMs).toISOString(), owner);
  }

  release(owner: string): void {
    if (this.#db.open) this.#db.prepare('DELETE FROM lock WHERE id = 1 AND owner = ?').run(owner);
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
