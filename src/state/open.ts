// Opens the sync state for one shop's run, wherever it lives: a local SQLite file guarded by a lease
// row, or a gs:// object downloaded at start, guarded by a GCS lock object and uploaded after each
// commit (Cloud Run jobs lose their disk between executions).
import { join } from 'node:path';
import type { RunConfig } from '../config.ts';
import type { Logger } from '../log.ts';
import { StateDb, type RunStatus } from './db.ts';

export interface StateHandle {
  db: StateDb;
  /** Makes the committed state durable beyond this machine (a no-op for local state). */
  publish(): Promise<void>;
  /** Records the run's end, publishes, and releases the lock. */
  close(status: RunStatus, summary: unknown): Promise<void>;
}

const LOCAL_LEASE_MS = 2 * 60 * 1000;

export async function openState(config: RunConfig, shop: string, runId: string, logger: Logger): Promise<StateHandle> {
  if (config.state.startsWith('gs://')) return openRemote(config, shop, runId, logger);
  const db = StateDb.open(config.state);
  try {
    db.acquireLock(runId, LOCAL_LEASE_MS);
  } catch (err) {
    db.close();
    throw err;
  }
  const heartbeat = setInterval(() => db.renewLock(runId, LOCAL_LEASE_MS), LOCAL_LEASE_MS / 4);
  heartbeat.unref();
  return {
    db,
    publish: async () => undefined,
    close: async (status, summary) => {
      clearInterval(heartbeat);
      db.finishRun(runId, status, summary);
      db.releaseLock(runId);
      db.close();
    },
  };
}

async function openRemote(config: RunConfig, shop: string, runId: string, logger: Logger): Promise<StateHandle> {
  const localPath = join(config.staging, `state-${shop}.db`);
  const { RemoteState } = await import('./remote.ts');
  const remote = await RemoteState.open({
    url: config.state,
    localPath,
    owner: [runId, config.execution].filter(Boolean).join('/'),
    ...(config.gcsEndpoint ? { apiEndpoint: config.gcsEndpoint } : {}),
    logger,
  });
  let db: StateDb;
  try {
    db = StateDb.open(localPath);
  } catch (err) {
    await remote.release();
    throw err;
  }
  return {
    db,
    publish: () => remote.publish(db.db),
    close: async (status, summary) => {
      try {
        db.finishRun(runId, status, summary);
        await remote.publish(db.db);
      } finally {
        db.close();
        await remote.release();
      }
    },
  };
}
