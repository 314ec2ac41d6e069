// Retry policy as plain data, and the bookkeeping of one streak of failures. Retries live only in the
// Shopify adapter (client.ts, download.ts); callers above see either a result or a classified EtlError
// once the streak has run out of attempts or time.
import { setTimeout as delay } from 'node:timers/promises';
import { EtlError, ErrorCodes } from '../errors/index.ts';

export interface RetryPolicy {
  /** Backoff before retry n is a random value in [0, min(maxDelayMs, baseDelayMs * 2^(n-1))] (full jitter). */
  baseDelayMs: number;
  maxDelayMs: number;
  /**
   * How long a streak of transient failures (5xx, 429, network) may go on, from its first failure:
   * the last backoff is cut to what is left, and a wait the server asked for that would end past it
   * gives up. Waits for the cost bucket (THROTTLED) do not count toward it; they have a budget of the
   * same length of their own.
   */
  budgetMs: number;
  /** HTTP statuses worth retrying; anything else is final. */
  statuses: readonly number[];
}

/**
 * A budget in time, not attempts: a 503 streak during a Shopify incident lasts minutes, and a run that
 * gives up leaves its bulk operation unread. 15 minutes of backoff capped at a minute is ~20 attempts.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  baseDelayMs: 1_000,
  maxDelayMs: 60_000,
  budgetMs: 15 * 60_000,
  statuses: [429, 500, 502, 503, 504],
};

export type Sleep = (ms: number) => Promise<void>;
export type Clock = () => number;

export const realSleep: Sleep = (ms) => delay(ms);

export function resolvePolicy(partial: Partial<RetryPolicy> | undefined): RetryPolicy {
  return { ...DEFAULT_RETRY_POLICY, ...partial };
}

/** Full-jitter exponential backoff for the n-th retry (n ≥ 1). */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}

/**
 * One streak of consecutive failures of one request. `next` says how long to wait before the next
 * attempt, or null when the streak is out of time. A download that made progress calls `reset`, so a
 * many-GB file over a flaky link is bounded per stall, not per file.
 */
export class RetryStreak {
  private readonly policy: RetryPolicy;
  private readonly now: Clock;
  private readonly random: () => number;
  private failures = 0;
  private firstFailureAt = 0;
  /** The transient part: its failures and its start; bucket waits since that start extend its deadline. */
  private transientFailures = 0;
  private transientSince: number | undefined;
  private throttledSinceTransient = 0;
  private throttledMs = 0;

  constructor(policy: RetryPolicy, now: Clock, random: () => number = Math.random) {
    this.policy = policy;
    this.now = now;
    this.random = random;
  }

  get attempts(): number {
    return this.failures;
  }

  /**
   * Records a failure and returns the wait before retrying, or null to give up. The server's word wins
   * over backoff: Retry-After (err.retryAfterSeconds), else `waitHintMs` (a throttle bucket refill).
   */
  next(err: EtlError, waitHintMs?: number): number | null {
    const now = this.now();
    if (this.failures === 0) this.firstFailureAt = now;
    this.failures += 1;
    if (err.action !== 'resend') return null;
    const asked = err.retryAfterSeconds !== undefined ? Math.ceil(err.retryAfterSeconds * 1000) : waitHintMs;
    if (err.code === ErrorCodes.THROTTLED) {
      const wait = asked ?? backoffMs(this.policy, this.failures, this.random);
      if (this.throttledMs + wait > this.policy.budgetMs) return null;
      this.throttledMs += wait;
      if (this.transientSince !== undefined) this.throttledSinceTransient += wait;
      return wait;
    }
    this.transientSince ??= now;
    this.transientFailures += 1;
    const left = this.transientSince + this.throttledSinceTransient + this.policy.budgetMs - now;
    if (asked !== undefined) return asked > left ? null : asked;
    if (left <= 0) return null;
    return Math.min(backoffMs(this.policy, this.transientFailures, this.random), left);
  }

  reset(): void {
    this.failures = 0;
    this.transientFailures = 0;
    this.transientSince = undefined;
    this.throttledSinceTransient = 0;
    this.throttledMs = 0;
  }

  /** The error to surface when the streak gives up: same code, with how long we tried. */
  exhausted(err: EtlError): EtlError {
    if (err.action !== 'resend') return err;
    const elapsedMs = this.now() - this.firstFailureAt;
    return new EtlError(err.code, `${err.message} (gave up after ${this.failures} attempts in ${minutesAndSeconds(elapsedMs)})`, {
      cause: err,
      details: { ...err.details, attempts: this.failures, elapsedMs },
      ...(err.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: err.retryAfterSeconds }),
    });
  }
}

function minutesAndSeconds(ms: number): string {
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds}s` : `${Math.floor(seconds / 60)}m${seconds % 60}s`;
}

/** Sleeps unless `signal` aborts first, in which case it throws INTERRUPTED. */
export async function pause(sleep: Sleep, ms: number, signal: AbortSignal | undefined): Promise<void> {
  throwIfAborted(signal);
  if (ms <= 0) return;
  if (!signal) return sleep(ms);
  let onAbort: (() => void) | undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(interrupted(signal));
    signal.addEventListener('abort', onAbort, { once: true });
  });
  try {
    await Promise.race([sleep(ms), aborted]);
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
  }
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw interrupted(signal);
}

export function interrupted(signal: AbortSignal): EtlError {
  if (signal.reason instanceof EtlError) return signal.reason;
  return new EtlError(ErrorCodes.INTERRUPTED, 'interrupted while talking to Shopify', { cause: signal.reason });
}
