// Streams a bulk operation's JSONL from its signed URL. The file can be many GB, so it is yielded chunk
// by chunk as the consumer pulls (the socket pauses while the consumer is busy), and a connection cut
// midway is resumed with a Range request from the first byte not yet delivered. The request is our own
// (http-get.ts), not fetch, so that the bytes are the file's bytes (no transparent decompression shifts
// the offsets a Range request counts in), and not node:http, whose per-read buffers and streams cost
// more CPU than the rest of the thread's work while a file streams.
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { httpGet, type GetResponse } from './http-get.ts';
import { classifyDownloadStatus, classifyNetworkError } from './classify.ts';
import { interrupted, pause, realSleep, resolvePolicy, RetryStreak, throwIfAborted } from './retry.ts';
import type { RetryPolicy, Sleep } from './retry.ts';
import type { ShopifyLogger } from './client.ts';

export interface DownloadOptions {
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  sleep?: Sleep;
  now?: () => number;
  /** Start at this byte (a download resumed by the caller); earlier bytes are never yielded. */
  fromByte?: number;
  /** Called with the size of every chunk yielded. */
  onBytes?: (n: number) => void;
  /** A socket silent this long counts as cut. */
  idleTimeoutMs?: number;
  logger?: ShopifyLogger;
}

const DEFAULT_IDLE_TIMEOUT_MS = 60_000;
const MAX_REDIRECTS = 5;

/** What one response contributes: bytes to drop before the first new one, and the file's size if said. */
interface BodyPlan {
  skip: number;
  total: number | null;
}

/** The file's bytes in order; each chunk is valid only until the next is pulled (its memory is read into again). */
export async function* downloadResult(url: string, options: DownloadOptions = {}): AsyncGenerator<Buffer> {
  const policy = resolvePolicy(options.retry);
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? Date.now;
  const signal = options.signal;
  const idleTimeoutMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const host = new URL(url).host;
  const streak = new RetryStreak(policy, now);
  let received = options.fromByte ?? 0;

  for (;;) {
    throwIfAborted(signal);
    let response: GetResponse | undefined;
    let idle: IdleWatch | undefined;
    let progressed = false;
    try {
      response = await open(url, received, signal, idleTimeoutMs);
      const plan = planBody(response, received, host, policy.statuses, now());
      if (plan === 'complete') return;
      let skip = plan.skip;
      idle = new IdleWatch(response, idleTimeoutMs);
      for (;;) {
        let bytes = await idle.next();
        if (bytes === null) break;
        if (skip > 0) {
          if (bytes.length <= skip) {
            skip -= bytes.length;
            continue;
          }
          bytes = bytes.subarray(skip);
          skip = 0;
        }
        received += bytes.length;
        progressed = true;
        options.onBytes?.(bytes.length);
        yield bytes;
      }
      if (plan.total !== null && received < plan.total) {
        throw new EtlError(ErrorCodes.NETWORK, `the download from ${host} ended at byte ${received} of ${plan.total}`, {
          details: { received, total: plan.total },
        });
      }
      return;
    } catch (raw) {
      const err = toEtlError(raw, signal, host);
      // Bytes arrived since the last failure: this is a new stall, with a fresh set of attempts.
      if (progressed) streak.reset();
      const wait = streak.next(err);
      if (wait === null) throw streak.exhausted(err);
      options.logger?.warn('bulk result download interrupted; resuming', { host, received, code: err.code, waitMs: wait });
      await pause(sleep, wait, signal);
    } finally {
      idle?.stop();
      response?.destroy();
    }
  }
}

/**
 * The next chunk, or a cut if none comes within `idleMs`. The clock runs only while we wait for data,
 * not while the consumer works on the last chunk (the socket is paused then, on purpose). One timer per
 * response, re-armed for each wait: a new one per chunk would be thousands of timers a second.
 */
class IdleWatch {
  readonly #timer: NodeJS.Timeout;
  readonly #response: GetResponse;
  #waiting = false;

  constructor(response: GetResponse, idleMs: number) {
    this.#response = response;
    this.#timer = setTimeout(() => {
      if (this.#waiting) response.destroy(Object.assign(new Error('no data from the file host'), { code: 'ETIMEDOUT' }));
    }, idleMs);
    // The socket keeps the process alive while we wait; the timer alone must not.
    this.#timer.unref();
  }

  async next(): Promise<Buffer | null> {
    this.#timer.refresh();
    this.#waiting = true;
    try {
      return await this.#response.read();
    } finally {
      this.#waiting = false;
    }
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}

function toEtlError(raw: unknown, signal: AbortSignal | undefined, host: string): EtlError {
  if (signal?.aborted) return interrupted(signal);
  if (raw instanceof EtlError) return raw;
  return classifyNetworkError(raw, `downloading the bulk result from ${host}`, host);
}

/** Decides how the response continues the file at byte `received`, or throws what its status means. */
function planBody(response: GetResponse, received: number, host: string, retryStatuses: readonly number[], now: number): BodyPlan | 'complete' {
  const status = response.status;
  const length = response.headers['content-length'];
  if (status === 200) {
    // Either a fresh start, or a server that ignored our Range: drop what was already delivered.
    return { skip: received, total: length === undefined ? null : Number(length) };
  }
  if (status === 206) {
    const range = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(response.headers['content-range'] ?? '');
    const start = range ? Number(range[1]) : Number.NaN;
    if (!range || start > received) {
      throw new EtlError(
        ErrorCodes.DOWNLOAD_FAILED,
        `the download from ${host} resumed at an unexpected place (asked for byte ${received}, got Content-Range "${response.headers['content-range'] ?? ''}")`,
        { details: { received, contentRange: response.headers['content-range'] ?? null } },
      );
    }
    return { skip: received - start, total: range[3] === '*' ? null : Number(range[3]) };
  }
  if (status === 416) {
    // Asked to resume at the very end: the file is complete if the server says it is that long.
    const size = /^bytes \*\/(\d+)$/.exec(response.headers['content-range'] ?? '')?.[1];
    if (size !== undefined && Number(size) === received) return 'complete';
    throw new EtlError(ErrorCodes.DOWNLOAD_FAILED, `the download from ${host} refused to resume at byte ${received} (HTTP 416)`, {
      details: { received, contentRange: response.headers['content-range'] ?? null },
    });
  }
  const retryAfter = response.headers['retry-after'];
  throw classifyDownloadStatus({ status, retryAfter: typeof retryAfter === 'string' ? retryAfter : null }, host, retryStatuses, now);
}

/** GETs `url` from byte `from`, following redirects; resolves once the response headers are in. */
async function open(url: string, from: number, signal: AbortSignal | undefined, idleTimeoutMs: number): Promise<GetResponse> {
  // No Shopify token: the URL carries its own signature. identity keeps byte offsets meaningful.
  const headers: Record<string, string> = { 'accept-encoding': 'identity', ...(from > 0 ? { range: `bytes=${from}-` } : {}) };
  let target = new URL(url);
  for (let hop = 0; ; hop += 1) {
    let response: GetResponse;
    try {
      response = await httpGet(target, headers, { ...(signal ? { signal } : {}), timeoutMs: idleTimeoutMs });
    } catch (err) {
      // Classified here, after a redirect: the host whose certificate failed is the one redirected to.
      if (hop === 0 || signal?.aborted) throw err;
      throw classifyNetworkError(err, `downloading the bulk result from ${target.host} (redirected from ${new URL(url).host})`, target.host);
    }
    const location = response.headers.location;
    if (response.status < 300 || response.status >= 400 || !location || hop >= MAX_REDIRECTS) return response;
    response.destroy();
    target = new URL(location, target);
  }
}
