// Waiting for a state lock held by another run, shared by the local and the gs:// state. A run killed
// with SIGKILL leaves its lock behind until its lease lapses; the platform's retry (Cloud Run retries a
// failed task within seconds) must then wait it out rather than fail on it, while a live holder keeps
// renewing and the waiter gives up after --lock-wait.
import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCodes, EtlError, isEtlError } from '../errors/index.ts';
import type { Logger } from '../report/log.ts';

export interface LockWaitOptions {
  /** How long to wait for the holder's lease to lapse before giving up (0: do not wait). */
  waitMs: number;
  /** The state, for the log line. */
  state: string;
  now?: () => number;
  logger?: Pick<Logger, 'warn'> | undefined;
  signal?: AbortSignal | undefined;
}

/** Longest pause between two looks at the lock: a holder that ends normally deletes it at any time. */
const POLL_MS = 5_000;

/**
 * Calls `take` until it stops throwing STATE_LOCKED or `waitMs` has passed. `take` reports the holder
 * and the lease's end in the error's details (`holder`, `expiresAt`); each wait lasts until that end
 * (at most POLL_MS). The last STATE_LOCKED error is rethrown, saying how long this run waited.
 */
export async function waitForLock<T>(take: () => Promise<T> | T, options: LockWaitOptions): Promise<T> {
  const now = options.now ?? Date.now;
  const deadline = now() + options.waitMs;
  let announced: unknown;
  for (;;) {
    try {
      return await take();
    } catch (err) {
      if (!isEtlError(err, ErrorCodes.STATE_LOCKED)) throw err;
      const left = deadline - now();
      if (left <= 0) throw options.waitMs > 0 ? waited(err, options.waitMs) : err;
      const { holder, expiresAt } = err.details as { holder?: unknown; expiresAt?: unknown };
      if (holder !== announced) {
        announced = holder;
        options.logger?.warn('state is locked by another run; waiting for its lease to lapse', { state: options.state, holder, expiresAt, waitMs: left });
      }
      const lapsesIn = typeof expiresAt === 'string' ? Date.parse(expiresAt) - now() : POLL_MS;
      await sleep(Math.max(50, Math.min(POLL_MS, left, lapsesIn + 50)), undefined, options.signal ? { signal: options.signal } : {});
    }
  }
}

function waited(err: EtlError, waitMs: number): EtlError {
  return new EtlError(ErrorCodes.STATE_LOCKED, `${err.message} (waited ${Math.round(waitMs / 1000)}s for it: --lock-wait)`, { cause: err, details: err.details });
}
