// Reading a state without taking its lock, for commands that only look (status): a local file is
// opened read-only, a gs:// state is copied to a temporary folder (never taking the lock a running
// job holds) and the copy removed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../report/log.ts';
import { StateDb, type StatusEntry } from './db.ts';

/** The status report of the state at `location` (a SQLite file or gs://bucket/key.db); null when there is none. */
export async function readStatusReport(location: string, options: { gcsEndpoint?: string | undefined; logger: Pick<Logger, 'info' | 'warn'> }): Promise<StatusEntry[] | null> {
  if (!location.startsWith('gs://')) return report(location);
  const dir = await mkdtemp(join(tmpdir(), 'shopify-bulk-etl-status-'));
  try {
    const localPath = join(dir, 'state.db');
    const { RemoteState } = await import('./remote.ts');
    const found = await RemoteState.readCopy({ url: location, localPath, ...(options.gcsEndpoint ? { apiEndpoint: options.gcsEndpoint } : {}), logger: options.logger });
    return found ? report(localPath, location) : null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function report(path: string, source = path): StatusEntry[] | null {
  const db = StateDb.openReadOnly(path, source);
  if (!db) return null;
  try {
    return db.statusReport();
  } finally {
    db.close();
  }
}
