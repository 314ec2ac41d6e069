// Reading a state without taking its lock, for commands that only look (status, report): a local file
// is opened read-only, a gs:// state is copied to a temporary folder (never taking the lock a running
// job holds) and the copy removed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from '../report/log.ts';
import { StateDb } from './db.ts';

export interface ReadStateOptions {
  gcsEndpoint?: string | undefined;
  logger: Pick<Logger, 'info' | 'warn'>;
}

/** What `read` takes from the state at `location` (a SQLite file or gs://bucket/key.db); null when there is none. */
export async function readState<T>(location: string, options: ReadStateOptions, read: (db: StateDb) => T): Promise<T | null> {
  if (!location.startsWith('gs://')) return readOpen(location, location, read);
  const dir = await mkdtemp(join(tmpdir(), 'shopify-bulk-etl-status-'));
  try {
    const localPath = join(dir, 'state.db');
    const { RemoteState } = await import('./remote.ts');
    const found = await RemoteState.readCopy({ url: location, localPath, ...(options.gcsEndpoint ? { apiEndpoint: options.gcsEndpoint } : {}), logger: options.logger });
    return found ? readOpen(localPath, location, read) : null;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function readOpen<T>(path: string, source: string, read: (db: StateDb) => T): T | null {
  const db = StateDb.openReadOnly(path, source);
  if (!db) return null;
  try {
    return read(db);
  } finally {
    db.close();
  }
}
