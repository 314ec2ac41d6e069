// The Admin GraphQL client: graphql-request underneath, plus what Shopify needs around it. Each request
// is paced by the cost bucket, carries a token from the provider (renewed once after a 401), and is
// retried inside the policy's budget when the failure is transient. Every failure leaves as an EtlError
// classified by classify.ts; graphql-request's own errors never surface, because their messages embed
// the request.
import { ClientError, GraphQLClient } from 'graphql-request';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import type { Logger } from '../report/log.ts';
import type { TokenProvider } from './auth.ts';
import {
  abortKind,
  classifyGraphQLErrors,
  classifyHttpStatus,
  classifyNetworkError,
  classifyUnreadable,
  errnoOf,
} from './classify.ts';
import type { ClassifyContext, GraphQLErrorLike } from './classify.ts';
import { interrupted, pause, realSleep, resolvePolicy, RetryStreak, throwIfAborted } from './retry.ts';
import type { RetryPolicy, Sleep } from './retry.ts';
import { CostBucket, readCost } from './throttle.ts';
import { isApiVersion } from './versions.ts';

export type ShopifyLogger = Pick<Logger, 'debug' | 'info' | 'warn'>;

export interface ShopifyClientOptions {
  /** Base URL of the shop's admin, e.g. `https://acme.myshopify.com` (the sandbox: `http://127.0.0.1:PORT`). */
  adminUrl: string;
  /** The shop's myshopify domain, for messages and logs. */
  shop: string;
  apiVersion: string;
  token: TokenProvider;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  now?: () => number;
  logger?: ShopifyLogger;
  /** Aborts waits and requests; they end with INTERRUPTED. */
  signal?: AbortSignal;
  /** Per-attempt limit for one HTTP exchange, headers and body. */
  timeoutMs?: number;
}

export interface RequestOptions<T> {
  /**
   * False for a mutation that must not take effect twice (bulkOperationRunQuery). After a failure that
   * may have reached Shopify (a 5xx, a cut connection), such a request is resent only when `reconcile`,
   * called after the backoff, finds no trace of it; if `reconcile` finds the effect, its answer is the
   * result. Without `reconcile` those failures are thrown with `details.ambiguous = true`.
   */
  idempotent?: boolean;
  reconcile?: () => Promise<T | null>;
}

export interface ClientStats {
  /** HTTP requests sent. */
  requests: number;
  /** Attempts repeated after a transient failure or a token renewal. */
  retries: number;
  /** Time spent waiting for the cost bucket (pacing and THROTTLED answers). */
  throttledMs: number;
}

const DEFAULT_TIMEOUT_MS = 60_000;
const TOKEN_HEADER = 'X-Shopify-Access-Token';

/** A failure of `fetch` itself, before any response: lets the client tell "no answer" from "bad answer". */
class TransportFailure extends Error {
  constructor(cause: unknown) {
    super('transport failure', { cause });
  }
}

interface AttemptMeta {
  status: number | undefined;
  contentType: string;
}

export class ShopifyClient {
  readonly shop: string;
  readonly apiVersion: string;
  readonly endpoint: string;
  readonly stats: ClientStats = { requests: 0, retries: 0, throttledMs: 0 };

  private readonly token: TokenProvider;
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly logger: ShopifyLogger | undefined;
  private readonly signal: AbortSignal | undefined;
  private readonly timeoutMs: number;
  private readonly bucket: CostBucket;
  private readonly context: ClassifyContext;
  private versionWarned = false;

  constructor(options: ShopifyClientOptions) {
    if (!isApiVersion(options.apiVersion)) {
      throw new EtlError(ErrorCodes.CONFIG_INVALID, `API version "${options.apiVersion}" is not YYYY-01|04|07|10 or "unstable"`);
    }
    this.shop = options.shop;
    this.apiVersion = options.apiVersion;
    this.endpoint = `${options.adminUrl.replace(/\/+$/, '')}/admin/api/${options.apiVersion}/graphql.json`;
    this.token = options.token;
    this.policy = resolvePolicy(options.retry);
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.signal = options.signal;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.bucket = new CostBucket(this.now);
    this.context = { shop: this.shop, apiVersion: this.apiVersion, retryStatuses: this.policy.statuses, now: this.now };
  }

  /** Sends `document` and returns its `data`, or throws a classified EtlError. */
  async request<T>(document: string, variables: Record<string, unknown> = {}, options: RequestOptions<T> = {}): Promise<T> {
    const streak = new RetryStreak(this.policy, this.now);
    let renewedToken = false;
    let token: string | undefined;
    for (;;) {
      throwIfAborted(this.signal);
      let sent = false;
      try {
        await this.pace(document);
        token = await this.token();
        sent = true;
        return await this.attempt<T>(document, variables, token);
      } catch (raw) {
        const err = hideSecret(this.toEtlError(raw), token);
        if (err.code === ErrorCodes.INTERRUPTED) throw err;
        if (sent && err.code === ErrorCodes.AUTH_INVALID && err.details.status === 401 && this.token.invalidate && !renewedToken) {
          // A renewable token may have been revoked or rotated early: one fresh token, then give up.
          renewedToken = true;
          this.token.invalidate();
          this.stats.retries += 1;
          this.logger?.info('Shopify answered 401; renewing the access token once', { shop: this.shop });
          continue;
        }
        const ambiguous = sent && options.idempotent === false && err.action === 'resend' && mayHaveTakenEffect(err);
        if (ambiguous && !options.reconcile) {
          throw new EtlError(err.code, `${err.message} (the request may have taken effect)`, {
            action: err.action,
            cause: err,
            details: { ...err.details, ambiguous: true },
          });
        }
        const waitHint = typeof err.details.waitMs === 'number' ? err.details.waitMs : undefined;
        const wait = streak.next(err, waitHint);
        if (wait === null) throw streak.exhausted(err);
        this.stats.retries += 1;
        if (err.code === ErrorCodes.THROTTLED) this.stats.throttledMs += wait;
        this.logger?.warn('Shopify request failed; retrying', {
          shop: this.shop,
          code: err.code,
          error: err.message,
          attempt: streak.attempts,
          waitMs: wait,
          status: err.details.status,
        });
        await pause(this.sleep, wait, this.signal);
        if (ambiguous && options.reconcile) {
          const found = await options.reconcile();
          if (found !== null) return found;
        }
      }
    }
  }

  /** Waits until the bucket can hold the document's expected cost, then books that cost. */
  private async pace(document: string): Promise<void> {
    const cost = this.bucket.expectedCost(document);
    const wait = this.bucket.waitMs(cost);
    if (wait > 0) {
      this.stats.throttledMs += wait;
      this.logger?.debug('pacing for the Shopify cost bucket', { shop: this.shop, waitMs: wait, cost });
      await pause(this.sleep, wait, this.signal);
    }
    this.bucket.reserve(cost);
  }

  private async attempt<T>(document: string, variables: Record<string, unknown>, token: string): Promise<T> {
    const meta: AttemptMeta = { status: undefined, contentType: '' };
    const client = new GraphQLClient(this.endpoint, {
      errorPolicy: 'all',
      fetch: async (input, init) => {
        try {
          const response = await fetch(input, { ...init, redirect: 'manual' });
          meta.status = response.status;
          meta.contentType = response.headers.get('content-type') ?? '';
          return response;
        } catch (err) {
          throw new TransportFailure(err);
        }
      },
    });
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    this.stats.requests += 1;
    let response: Awaited<ReturnType<typeof client.rawRequest<T>>>;
    try {
      response = await client.rawRequest<T>({ query: document, variables, requestHeaders: { [TOKEN_HEADER]: token }, signal });
    } catch (err) {
      throw this.classifyFailure(err, meta);
    }
    const cost = readCost(response.extensions);
    if (cost) this.bucket.observe(document, cost);
    this.checkVersion(response.headers);
    const errors = response.errors as readonly GraphQLErrorLike[] | undefined;
    if (errors && errors.length > 0) {
      const err = classifyGraphQLErrors(errors, this.context);
      if (err.code === ErrorCodes.THROTTLED && cost) err.details.waitMs = this.bucket.throttledWaitMs(cost);
      throw err;
    }
    if (response.data === undefined || response.data === null) {
      throw classifyUnreadable(response.status, meta.contentType, this.context);
    }
    return response.data;
  }

  private classifyFailure(err: unknown, meta: AttemptMeta): EtlError {
    if (this.signal?.aborted) return interrupted(this.signal);
    if (err instanceof ClientError) {
      const { status, headers, body } = err.response;
      return classifyHttpStatus(
        {
          status,
          contentType: headers?.get('content-type') ?? '',
          body: typeof body === 'string' ? body : '',
          retryAfter: headers?.get('retry-after') ?? null,
          location: headers?.get('location') ?? null,
        },
        this.context,
      );
    }
    const cause = err instanceof TransportFailure ? err.cause : err;
    if (meta.status === undefined || errnoOf(cause) !== undefined || abortKind(cause) !== undefined) {
      return classifyNetworkError(cause, `Shopify (${this.shop})`, new URL(this.endpoint).host);
    }
    return classifyUnreadable(meta.status, meta.contentType, this.context);
  }

  private toEtlError(raw: unknown): EtlError {
    if (raw instanceof EtlError) return raw;
    if (this.signal?.aborted) return interrupted(this.signal);
    return new EtlError(ErrorCodes.INTERNAL, `unexpected failure talking to Shopify (${this.shop})`, { cause: raw });
  }

  /** Shopify answers an unreachable version with the oldest reachable one ("falls forward"); say so once. */
  private checkVersion(headers: Headers): void {
    const answered = headers.get('x-shopify-api-version');
    if (answered && answered !== this.apiVersion && !this.versionWarned) {
      this.versionWarned = true;
      this.logger?.warn('Shopify answered with a different API version than requested; the requested one is unsupported', {
        shop: this.shop,
        requested: this.apiVersion,
        answered,
      });
    }
  }
}

/** Failures where Shopify certainly did not execute the request: rejected before running it, or never reached. */
function mayHaveTakenEffect(err: EtlError): boolean {
  if (err.code === ErrorCodes.THROTTLED || err.code === ErrorCodes.AUTH_INVALID) return false;
  if (err.details.status === 429) return false;
  if (err.code === ErrorCodes.NETWORK && err.details.errno === 'ECONNREFUSED') return false;
  return true;
}

/**
 * Belt and braces: nothing we build puts the token in an error, but a server could echo it back in an
 * error text. The token is cut out of the message and details before the error leaves the client.
 */
function hideSecret(err: EtlError, secret: string | undefined): EtlError {
  if (!secret) return err;
  const details = JSON.stringify(err.details);
  if (!err.message.includes(secret) && !details.includes(secret)) return err;
  const mask = (text: string) => text.split(secret).join('[REDACTED]');
  return new EtlError(err.code, mask(err.message), {
    action: err.action,
    details: JSON.parse(mask(details)) as Record<string, unknown>,
    ...(err.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: err.retryAfterSeconds }),
  });
}
