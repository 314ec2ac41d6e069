// A whole GCS call retried while it fails transiently, on top of the client's own retries: the client
// never retries a refused connection (an endpoint restarting), retries a write only when it carries a
// precondition, and gives up after a few attempts of a 5xx streak. A retried write may meet its own
// earlier effect (the answer was lost, not the request): callers handle that where they handle the
// precondition failure it shows up as.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Storage } from '@google-cloud/storage';
import type { Logger } from '../report/log.ts';
import { isTransientErrno } from '../errors/transient.ts';
import type { RetryOptions } from './client.ts';

function isTransientGcsError(err: unknown): boolean {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 4; e = (e as { cause?: unknown }).cause, depth++) {
    const { code, status } = e as { code?: unknown; status?: unknown };
    for (const value of [code, status]) {
      const n = typeof value === 'string' && /^\d{3}$/.test(value) ? Number(value) : value;
      if (n === 408 || n === 429 || (typeof n === 'number' && n >= 500 && n < 600)) return true;
      // Errors of the connection itself (no HTTP answer), as node and node-fetch report them.
      if (isTransientErrno(value)) return true;
    }
    if (/socket hang up|other side closed|premature close/i.test((e as Error).message ?? '')) return true;
  }
  return false;
}

interface GcsRetryOptions {
  /** The client's retry settings: the backoff, and `totalTimeout` (seconds) bounds the whole call. */
  retry: RetryOptions;
  /** A shorter bound than totalTimeout, in ms, when the call is worthless later (a lease renewal). */
  budgetMs?: number | undefined;
  signal?: AbortSignal | undefined;
  /** Told before each wait, e.g. to log it. */
  onRetry?: (err: unknown, attempt: number, waitMs: number) => void;
}

/** Runs `call` until it succeeds, fails for good, or the time budget is spent (then its last error). */
async function withGcsRetries<T>(call: () => Promise<T>, options: GcsRetryOptions): Promise<T> {
  const deadline = Date.now() + Math.min(options.budgetMs ?? Infinity, (options.retry.totalTimeout ?? 600) * 1000);
  for (let attempt = 0; ; attempt++) {
    try {
      return await call();
    } catch (err) {
      const waitMs = retryDelayMs(options.retry, attempt);
      if (!isTransientGcsError(err) || options.signal?.aborted || Date.now() + waitMs > deadline) throw err;
      options.onRetry?.(err, attempt + 1, waitMs);
      await sleep(waitMs, undefined, options.signal ? { signal: options.signal } : {});
    }
  }
}

/** The client's own backoff: multiplier^attempt seconds plus jitter, capped by maxRetryDelay. */
function retryDelayMs(retry: RetryOptions, attempt: number): number {
  const base = (retry.retryDelayMultiplier ?? 2) ** attempt * 1000 + Math.random() * 1000;
  return Math.min(base, (retry.maxRetryDelay ?? 64) * 1000);
}

/** Runs one named call with withGcsRetries; `what` names it in the retry's log line. */
export type GcsRetrier = <T>(what: string, call: () => Promise<T>, options?: { signal?: AbortSignal | undefined; budgetMs?: number | undefined }) => Promise<T>;

/**
 * withGcsRetries on `storage`'s own backoff settings, logging each retry as `<what> failed; retrying`
 * with `fields` (e.g. the state's URL) first.
 */
export function gcsRetrier(storage: Storage, logger: Pick<Logger, 'warn'> | undefined, fields: Record<string, unknown> = {}): GcsRetrier {
  return (what, call, options = {}) => withGcsRetries(call, {
    retry: storage.retryOptions,
    budgetMs: options.budgetMs,
    signal: options.signal,
    onRetry: (err, attempt, waitMs) => logger?.warn(`${what} failed; retrying`, { ...fields, attempt, waitMs, error: err instanceof Error ? err.message : String(err) }),
  });
}
