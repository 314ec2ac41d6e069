// Opens the sync state for one shop's run, wherever it lives: a local SQLite file guarded by a lease
// row, or a gs:// object downloaded at start, guarded by a GCS lock object and uploaded after each
// commit (Cloud Run jobs lose their disk between executions). Both locks follow the same rules: a
// lease of --lock-lease renewed every third of it, and a run that finds the state locked waits up to
// --lock-wait for the holder to release it or for its lease to lapse (a killed run).
import { join } from 'node:path';
import type { Logger } from '../report/log.ts';
import { StateDb } from './db.ts';
import type { RunStatus } from './runs.ts';
import { waitForLock } from './lock-wait.ts';

export interface StateHandle {
  db: StateDb;
  /** Makes the committed state durable beyond this machine (a no-op for local state). */
  publish(): Promise<void>;
  /** Records the run's end, publishes, and releases the lock. */
  close(status: RunStatus, summary: unknown): Promise<void>;
}

/** How the state's lock behaves and where a gs:// state is kept: the run's --staging, --lock-lease, --lock-wait. */
export interface StateOptions {
  /** The folder where a gs:// state's working copy is kept. */
  staging: string;
  lockLeaseMs: number;
  lockWaitMs: number;
  /** The Cloud Run or Kubernetes execution, named in a gs:// lock's owner beside the run id. */
  execution?: string | undefined;
  gcsEndpoint?: string | undefined;
}

/** Opens the state at `location` (a SQLite file, or gs://bucket/key.db); `signal` ends a wait for the lock (SIGTERM). */
export async function openState(location: string, config: StateOptions, shop: string, runId: string, logger: Logger, signal?: AbortSignal): Promise<StateHandle> {
  if (location.startsWith('gs://')) return openRemote(location, config, shop, runId, logger, signal);
  const db = StateDb.open(location);
  try {
    await waitForLock(() => db.lock.acquire(runId, config.lockLeaseMs), { waitMs: config.lockWaitMs, state: location, logger, signal });
  } catch (err) {
    db.close();
    throw err;
  }
  const heartbeat = setInterval(() => db.lock.renew(runId, config.lockLeaseMs), config.lockLeaseMs / 3);
  heartbeat.unref();
  return {
    db,
    publish: async () => undefined,
    close: async (status, summary) => {
      clearInterval(heartbeat);
      db.runs.finish(runId, status, summary);
      db.lock.release(runId);
      db.close();
    },
  };
}

async function openRemote(location: string, config: StateOptions, shop: string, runId: string, logger: Logger, signal: AbortSignal | undefined): Promise<StateHandle> {
  const localPath = join(config.staging, `state-${shop}.db`);
  const { RemoteState } = await import('./remote.ts');
  const remote = await RemoteState.open({
    url: location,
    localPath,
    owner: [runId, config.execution].filter(Boolean).join('/'),
    leaseMs: config.lockLeaseMs,
    waitMs: config.lockWaitMs,
    ...(signal ? { signal } : {}),
    ...(config.gcsEndpoint ? { apiEndpoint: config.gcsEndpoint } : {}),
    logger,
  });
  let db: StateDb;
  try {
    db = StateDb.open(localPath, undefined, location);
  } catch (err) {
    await remote.release();
    throw err;
  }
  return {
    db,
    publish: () => remote.publish(db.db),
    close: async (status, summary) => {
      try {
        db.runs.finish(runId, status, summary);
        await remote.publish(db.db);
      } finally {
        db.close();
        await remote.release();
      }
    },
  };
}
