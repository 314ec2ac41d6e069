// The runs table: one row per run that started on this state, and its outcome.
import type Database from 'better-sqlite3';
import { OPEN_STATUSES } from './windows.ts';

export type RunStatus = 'running' | 'succeeded' | 'partial' | 'failed' | 'interrupted';

/** A run as its row holds it; `summary` is the JSON of its ShopSummary (src/sync/run.ts), null until it finished. */
export interface RunRow {
  run_id: string;
  shop: string;
  started_at: string;
  finished_at: string | null;
  status: RunStatus;
  summary: string | null;
}

export class Runs {
  readonly #db: Database.Database;
  readonly #stamp: () => string;

  constructor(db: Database.Database, stamp: () => string) {
    this.#db = db;
    this.#stamp = stamp;
  }

  start(runId: string, shop: string): void {
    this.#db.prepare(`INSERT INTO runs (run_id, shop, started_at, status) VALUES (?, ?, ?, 'running')`).run(runId, shop, this.#stamp());
  }

  finish(runId: string, status: RunStatus, summary: unknown): void {
    this.#db.prepare('UPDATE runs SET status = ?, finished_at = ?, summary = ? WHERE run_id = ?').run(status, this.#stamp(), JSON.stringify(summary), runId);
  }

  /**
   * Runs whose leftovers a run holding the lock must clear up first: runs that died (still `running`
   * though the lock is ours) and runs that still own an open window.
   */
  toRecover(shop: string, exceptRunId: string): string[] {
    const rows = this.#db.prepare(`SELECT run_id FROM runs WHERE shop = ? AND run_id != ? AND status = 'running'
      UNION SELECT run_id FROM windows WHERE shop = ? AND run_id != ? AND status IN ${OPEN_STATUSES} ORDER BY run_id`)
      .all(shop, exceptRunId, shop, exceptRunId) as Array<{ run_id: string }>;
    return rows.map((r) => r.run_id);
  }

  /** A dead run, once its leftovers are cleared up. */
  markInterrupted(runId: string): void {
    this.#db.prepare(`UPDATE runs SET status = 'interrupted', finished_at = ? WHERE run_id = ? AND status = 'running'`).run(this.#stamp(), runId);
  }

  /** The newest `limit` runs of each shop, newest first: by start time, which is to the millisecond (a run id's time is to the second). */
  recent(limit: number): RunRow[] {
    return this.#db.prepare(`SELECT run_id, shop, started_at, finished_at, status, summary FROM (
        SELECT *, ROW_NUMBER() OVER (PARTITION BY shop ORDER BY started_at DESC, run_id DESC) AS n FROM runs)
      WHERE n <= ? ORDER BY shop, started_at DESC, run_id DESC`).all(limit) as RunRow[];
  }

  /** Every run of the shop this state has seen start. */
  ids(shop: string): Set<string> {
    return new Set((this.#db.prepare('SELECT run_id FROM runs WHERE shop = ?').all(shop) as Array<{ run_id: string }>).map((r) => r.run_id));
  }
}
