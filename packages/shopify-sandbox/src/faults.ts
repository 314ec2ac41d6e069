// Faults the sandbox can inject, so the ETL's handling of each failure Shopify can produce is tested
// against a real HTTP peer. Counted faults ("the next N ...") are consumed one by one as they fire;
// fixedStatus and foreignOperations hold until changed. HTTP-level faults hit the GraphQL endpoint
// only (not result downloads nor the OAuth endpoint); download faults hit result URLs only.

export type ServerErrorStatus = 500 | 502 | 503 | 504;
export type FixedStatus = 401 | 402 | 403 | 404 | 423;
export type FailErrorCode = 'INTERNAL_SERVER_ERROR' | 'TIMEOUT' | 'ACCESS_DENIED';

export interface Faults {
  /** The next N GraphQL requests get a THROTTLED body (HTTP 200, no data). */
  throttled: number;
  /** The next N GraphQL requests get HTTP 429 with Retry-After: retryAfterSeconds. */
  rateLimited: number;
  retryAfterSeconds: number;
  /** The next N GraphQL requests get HTTP serverErrorStatus. */
  serverErrors: number;
  serverErrorStatus: ServerErrorStatus;
  /** The next N GraphQL requests get Shopify's HTML 503 maintenance page. */
  maintenance: number;
  /** Every GraphQL request gets this status with Shopify's body, until cleared. */
  fixedStatus: FixedStatus | null;
  /** Running bulk queries of earlier runs holding slots (listed by OPERATION_IN_PROGRESS); 0 cancels them. */
  foreignOperations: number;
  /** The next N operations end FAILED with failedErrorCode (partialDataUrl for INTERNAL_SERVER_ERROR and TIMEOUT, unless failedPartialData is false). */
  failed: number;
  failedErrorCode: FailErrorCode;
  /** Until changed: whether a FAILED operation keeps the first half of its file as partial data. */
  failedPartialData: boolean;
  /** The next N operations end COMPLETED, their whole file at url, with the first half at partialDataUrl too. */
  partialCompletions: number;
  /**
   * The most objects (JSONL lines) one operation can read, until changed: one that would read more ends
   * FAILED with TIMEOUT (partial data kept), as Shopify's does when a query is too much for it. Null: no limit.
   */
  objectLimit: number | null;
  /** The next N operations are CANCELED by Shopify while running. */
  canceled: number;
  /** The next N operations stay CREATED until cancelled. */
  stuck: number;
  /** The next N operations run for slowDelayMs instead of the sandbox's operationDelayMs. */
  slow: number;
  slowDelayMs: number;
  /** The next N operations complete with an already expired URL; they report EXPIRED after the first read. */
  expiredUrls: number;
  /** The next N result downloads are cut after cutAfterBytes bytes (socket destroyed). */
  cutDownloads: number;
  cutAfterBytes: number;
  /** The next N completed files have a malformed JSON line at line malformedLineAt (1-based). */
  malformedLines: number;
  malformedLineAt: number;
  /** The next N completed files lack droppedLineCount lines (fewer lines than objectCount). */
  droppedLines: number;
  droppedLineCount: number;
  /**
   * The next N operations that complete leave out omittedRecordCount root records (with everything
   * under them), and objectCount counts the short file: Shopify's search index missing records, which
   * no check of the file against objectCount can see, only the root's count.
   */
  omittedRecords: number;
  omittedRecordCount: number;
  /**
   * The next N operations that complete give each parent at most connectionCap nodes of its nested
   * connections (with everything under them), objectCount agreeing: Shopify cutting a long nested list short (a
   * discount's codes), which only the parent's own count of it (codesCount) can show.
   */
  cappedConnections: number;
  connectionCap: number;
  /** The next N bulkOperationRunQuery calls are refused with LIMIT_REACHED ("too many recent bulk operations"). */
  limitReached: number;
  /**
   * Until changed: the counted faults of operations and their files (stuck, failed, canceled, slow,
   * expiredUrls, omittedRecords, cappedConnections, malformedLines, droppedLines, partialCompletions, cutDownloads) fire only on bulk queries whose text
   * contains this (a root field, say), and wait for one; null: on every operation.
   */
  onlyQuery: string | null;
}

export type CountedFault = 'throttled' | 'rateLimited' | 'serverErrors' | 'maintenance' | 'failed' | 'canceled' | 'stuck' | 'slow' | 'expiredUrls' | 'cutDownloads' | 'malformedLines' | 'droppedLines' | 'omittedRecords' | 'cappedConnections' | 'limitReached' | 'partialCompletions';

export const NO_FAULTS: Readonly<Faults> = Object.freeze({
  throttled: 0,
  rateLimited: 0,
  retryAfterSeconds: 2,
  serverErrors: 0,
  serverErrorStatus: 500,
  maintenance: 0,
  fixedStatus: null,
  foreignOperations: 0,
  failed: 0,
  failedErrorCode: 'INTERNAL_SERVER_ERROR',
  objectLimit: null,
  canceled: 0,
  stuck: 0,
  slow: 0,
  slowDelayMs: 10_000,
  expiredUrls: 0,
  cutDownloads: 0,
  cutAfterBytes: 1024,
  malformedLines: 0,
  malformedLineAt: 1,
  droppedLines: 0,
  droppedLineCount: 1,
  omittedRecords: 0,
  failedPartialData: true,
  partialCompletions: 0,
  omittedRecordCount: 1,
  cappedConnections: 0,
  connectionCap: 1,
  limitReached: 0,
  onlyQuery: null,
});

export class FaultController {
  private faults: Faults = { ...NO_FAULTS };
  private readonly onForeignOperations: (count: number) => void;

  /** onForeignOperations keeps that many foreign operations running (the operations module does it). */
  constructor(onForeignOperations: (count: number) => void = () => {}) {
    this.onForeignOperations = onForeignOperations;
  }

  set(partial: Partial<Faults>): void {
    this.faults = { ...this.faults, ...partial };
    if (partial.foreignOperations !== undefined) this.onForeignOperations(partial.foreignOperations);
  }

  clear(): void {
    const hadForeign = this.faults.foreignOperations > 0;
    this.faults = { ...NO_FAULTS };
    if (hadForeign) this.onForeignOperations(0);
  }

  current(): Readonly<Faults> {
    return this.faults;
  }

  /** True (and one fewer left) when the counted fault is armed; an operation's fault also when `query` (its bulk query) passes onlyQuery. */
  consume(fault: CountedFault, query?: string): boolean {
    if (this.faults[fault] <= 0) return false;
    if (query !== undefined && this.faults.onlyQuery !== null && !query.includes(this.faults.onlyQuery)) return false;
    this.faults = { ...this.faults, [fault]: this.faults[fault] - 1 };
    return true;
  }
}

const FAIL_CODES: Record<string, FailErrorCode> = { internal: 'INTERNAL_SERVER_ERROR', timeout: 'TIMEOUT', 'access-denied': 'ACCESS_DENIED' };

/**
 * Parses the standalone `--fault` flag: comma-separated `name=N` or `name=N@ARG` items, where N is how
 * many times the fault fires:
 *   throttle=N            THROTTLED body for the next N GraphQL requests
 *   rate-limit=N[@S]      HTTP 429 with Retry-After S seconds (default 2)
 *   server-error=N[@CODE] HTTP 500/502/503/504 (default 500)
 *   maintenance=N         HTML 503 maintenance page
 *   status=CODE           every GraphQL request answers 401, 402, 403, 404 or 423
 *   foreign=N             N foreign running bulk queries hold slots
 *   fail=N[@CODE]         next N operations FAILED: internal (default), timeout or access-denied
 *   objects=N             every operation reading more than N objects FAILED with TIMEOUT (until changed)
 *   cancel=N              next N operations CANCELED by Shopify
 *   stuck=N               next N operations stay CREATED
 *   slow=N[@MS]           next N operations run MS milliseconds (default 10000)
 *   expire=N              next N operations complete with an expired URL
 *   cut=N[@K]             next N downloads cut after K bytes (default 1024)
 *   malformed=N[@K]       next N files have a malformed line at line K (default 1)
 *   drop=N[@M]            next N files lack M lines (default 1)
 *   omit=N[@M]            next N completed operations leave out M root records (default 1), objectCount agreeing
 *   cap=N[@M]             next N completed operations give each parent at most M nested nodes (default 1), objectCount agreeing
 *   limit=N               next N bulk query submits refused with LIMIT_REACHED
 * Example: `--fault throttle=2,server-error=3@503,fail=1@timeout,cut=1@4096`.
 */
export function parseFaultSpec(spec: string): Partial<Faults> {
  const out: Partial<Faults> = {};
  for (const item of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const match = /^([a-z-]+)=([0-9]+)(?:@([a-z0-9-]+))?$/i.exec(item);
    if (!match) throw new Error(`bad fault "${item}": expected name=N or name=N@ARG (see parseFaultSpec)`);
    const [, name = '', countText = '0', arg] = match;
    const count = Number(countText);
    const number = (what: string): number => {
      if (arg === undefined) return NaN;
      if (!/^[0-9]+$/.test(arg)) throw new Error(`bad fault "${item}": ${what} must be a whole number`);
      return Number(arg);
    };
    switch (name.toLowerCase()) {
      case 'throttle': out.throttled = count; break;
      case 'rate-limit': out.rateLimited = count; if (arg !== undefined) out.retryAfterSeconds = number('Retry-After seconds'); break;
      case 'server-error': {
        out.serverErrors = count;
        if (arg !== undefined) {
          const status = number('status');
          if (status !== 500 && status !== 502 && status !== 503 && status !== 504) throw new Error(`bad fault "${item}": status must be 500, 502, 503 or 504`);
          out.serverErrorStatus = status;
        }
        break;
      }
      case 'maintenance': out.maintenance = count; break;
      case 'status': {
        if (count !== 401 && count !== 402 && count !== 403 && count !== 404 && count !== 423) throw new Error(`bad fault "${item}": status must be 401, 402, 403, 404 or 423`);
        out.fixedStatus = count;
        break;
      }
      case 'foreign': out.foreignOperations = count; break;
      case 'fail': {
        out.failed = count;
        if (arg !== undefined) {
          const code = FAIL_CODES[arg.toLowerCase()];
          if (!code) throw new Error(`bad fault "${item}": code must be internal, timeout or access-denied`);
          out.failedErrorCode = code;
        }
        break;
      }
      case 'objects': out.objectLimit = count; break;
      case 'cancel': out.canceled = count; break;
      case 'stuck': out.stuck = count; break;
      case 'slow': out.slow = count; if (arg !== undefined) out.slowDelayMs = number('milliseconds'); break;
      case 'expire': out.expiredUrls = count; break;
      case 'limit': out.limitReached = count; break;
      case 'cut': out.cutDownloads = count; if (arg !== undefined) out.cutAfterBytes = number('byte count'); break;
      case 'malformed': out.malformedLines = count; if (arg !== undefined) out.malformedLineAt = Math.max(1, number('line')); break;
      case 'drop': out.droppedLines = count; if (arg !== undefined) out.droppedLineCount = number('line count'); break;
      case 'omit': out.omittedRecords = count; if (arg !== undefined) out.omittedRecordCount = number('record count'); break;
      case 'cap': out.cappedConnections = count; if (arg !== undefined) out.connectionCap = number('node count'); break;
      default: throw new Error(`unknown fault "${name}" (known: throttle, rate-limit, server-error, maintenance, status, foreign, fail, objects, cancel, stuck, slow, expire, cut, malformed, drop, omit, cap)`);
    }
  }
  return out;
}
