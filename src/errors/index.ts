// One error type for the whole job. Errors are classified once, where they enter (an HTTP status, a
// GraphQL extensions.code, a userErrors code, a bulk errorCode, an errno), into a stable `code` that
// callers match on, plus whether retrying the same request can help. Messages say what to fix.

export const ErrorCodes = {
  // configuration and usage: exit 2
  CONFIG_INVALID: 'CONFIG_INVALID',
  SANDBOX_UNAVAILABLE: 'SANDBOX_UNAVAILABLE', // --sandbox, but the shopify-sandbox package is not installed or did not start
  // the shop refuses us as a whole: stop that shop
  AUTH_INVALID: 'AUTH_INVALID', // 401
  SHOP_FROZEN: 'SHOP_FROZEN', // 402
  SHOP_FORBIDDEN: 'SHOP_FORBIDDEN', // 403
  SHOP_NOT_FOUND: 'SHOP_NOT_FOUND', // 404
  SHOP_LOCKED: 'SHOP_LOCKED', // 423
  // one entity fails, the others go on
  ACCESS_DENIED: 'ACCESS_DENIED', // missing scope
  GRAPHQL_ERROR: 'GRAPHQL_ERROR', // a top-level GraphQL error that is not transient
  BULK_QUERY_INVALID: 'BULK_QUERY_INVALID', // userErrors from bulkOperationRunQuery
  BULK_FAILED: 'BULK_FAILED', // FAILED with INTERNAL_SERVER_ERROR (or an unknown errorCode)
  BULK_TIMEOUT: 'BULK_TIMEOUT', // FAILED with TIMEOUT: split the window
  BULK_CANCELED: 'BULK_CANCELED', // CANCELED by Shopify (or stuck and cancelled by us)
  BULK_EXPIRED: 'BULK_EXPIRED', // result URL no longer valid
  BULK_STUCK: 'BULK_STUCK', // CREATED/RUNNING past the configured bound
  OPERATION_IN_PROGRESS: 'OPERATION_IN_PROGRESS', // no free slot and waiting did not help
  VERIFY_MISMATCH: 'VERIFY_MISMATCH', // lines read != objectCount, or a URL missing
  MALFORMED_JSONL: 'MALFORMED_JSONL',
  DOWNLOAD_FAILED: 'DOWNLOAD_FAILED',
  // transient transport conditions (retried inside a budget, surfaced when the budget is spent)
  THROTTLED: 'THROTTLED',
  HTTP_TRANSIENT: 'HTTP_TRANSIENT', // 429, 5xx, maintenance page
  NETWORK: 'NETWORK', // reset, refused, timeout
  // the machine and the destination
  DISK_FULL: 'DISK_FULL',
  DEST_UNWRITABLE: 'DEST_UNWRITABLE', // a local path (destination, staging, state) cannot be written: exit 2
  DEST_CONFLICT: 'DEST_CONFLICT', // an object exists with other bytes: never overwritten
  DEST_PERMISSION: 'DEST_PERMISSION',
  STATE_UNWRITABLE: 'STATE_UNWRITABLE', // the state file or its folder cannot be created or written: exit 2
  STATE_UNREADABLE: 'STATE_UNREADABLE', // the state file is damaged, not SQLite, or of a newer schema: exit 2
  STATE_LOCKED: 'STATE_LOCKED', // another run holds the state lock
  STATE_CONFLICT: 'STATE_CONFLICT', // remote state changed under us
  INTERRUPTED: 'INTERRUPTED', // SIGTERM / SIGINT
  INTERNAL: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

export interface EtlErrorOptions {
  retryable?: boolean;
  cause?: unknown;
  /** Structured facts for logs (never secrets). */
  details?: Record<string, unknown>;
  /** Seconds the server asked us to wait (Retry-After), when it said. */
  retryAfterSeconds?: number;
}

export class EtlError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Record<string, unknown>;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: EtlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EtlError';
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

export function isEtlError(err: unknown, code?: ErrorCode): err is EtlError {
  return err instanceof EtlError && (code === undefined || err.code === code);
}

/** Codes after which nothing more can be done for the shop in this run. */
const SHOP_FATAL: ReadonlySet<ErrorCode> = new Set([
  ErrorCodes.AUTH_INVALID,
  ErrorCodes.SHOP_FROZEN,
  ErrorCodes.SHOP_FORBIDDEN,
  ErrorCodes.SHOP_NOT_FOUND,
  ErrorCodes.SHOP_LOCKED,
  ErrorCodes.STATE_LOCKED,
  ErrorCodes.STATE_CONFLICT,
  ErrorCodes.DISK_FULL,
  ErrorCodes.DEST_UNWRITABLE,
  ErrorCodes.DEST_PERMISSION,
  ErrorCodes.STATE_UNWRITABLE,
  ErrorCodes.STATE_UNREADABLE,
  ErrorCodes.INTERRUPTED,
]);

export function isShopFatal(err: unknown): boolean {
  return err instanceof EtlError && SHOP_FATAL.has(err.code);
}

/**
 * Codes that mean the configuration or the machine must be changed by someone before a rerun can do
 * better: when every shop of a job failed with one of them (or the job could not start), it exits 2.
 */
const CONFIGURATION: ReadonlySet<string> = new Set<ErrorCode>([
  ErrorCodes.CONFIG_INVALID,
  ErrorCodes.SANDBOX_UNAVAILABLE,
  ErrorCodes.AUTH_INVALID,
  ErrorCodes.SHOP_NOT_FOUND,
  ErrorCodes.DEST_UNWRITABLE,
  ErrorCodes.DEST_PERMISSION,
  ErrorCodes.STATE_UNWRITABLE,
  ErrorCodes.STATE_UNREADABLE,
]);

export function isConfigurationCode(code: string | undefined): boolean {
  return code !== undefined && CONFIGURATION.has(code);
}

/**
 * Process exit codes (design.md): 0 everything committed, 1 some entity or shop failed, 2 bad
 * configuration or usage (also credentials Shopify rejects and local paths that cannot be written),
 * 3 another run holds the state lock (nothing was done; safe to retry later), 130/143 interrupted by SIGINT/SIGTERM after state was persisted.
 */
export const ExitCodes = { OK: 0, PARTIAL_FAILURE: 1, CONFIG: 2, LOCKED: 3, SIGINT: 130, SIGTERM: 143 } as const;

/** The reason a run is aborted with when `signal` arrives; it carries the signal to the run's result. */
export function interruptedBy(signal: NodeJS.Signals): EtlError {
  return new EtlError(ErrorCodes.INTERRUPTED, `interrupted by ${signal}`, { details: { signal } });
}

/** The exit code of a run aborted for `reason`: 130 for SIGINT, 143 (SIGTERM, the platforms' stop) otherwise. */
export function interruptExitCode(reason: unknown): number {
  return isEtlError(reason, ErrorCodes.INTERRUPTED) && reason.details.signal === 'SIGINT' ? ExitCodes.SIGINT : ExitCodes.SIGTERM;
}

/** Wraps a Node system error (errno) into an EtlError with the right code, keeping the path. */
export function fromSystemError(err: unknown, what: string): EtlError {
  const e = err as NodeJS.ErrnoException;
  if (err instanceof EtlError) return err;
  switch (e?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return new EtlError(ErrorCodes.DISK_FULL, `${what}: no space left on device${e.path ? ` (${e.path})` : ''}; free disk space or point --dest/--staging elsewhere`, { cause: err });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new EtlError(ErrorCodes.DEST_UNWRITABLE, `${what}: permission denied on ${e.path ?? 'unknown path'}; make it writable or choose another location`, { cause: err });
    // A file where a folder should be: mkdir -p says EEXIST, anything below it ENOTDIR.
    case 'ENOTDIR':
    case 'EISDIR':
      return notAFolder(err, what);
    case 'EEXIST':
      if (e.syscall === 'mkdir') return notAFolder(err, what);
      return new EtlError(ErrorCodes.INTERNAL, `${what}: ${e.message}`, { cause: err });
    default:
      return new EtlError(ErrorCodes.INTERNAL, `${what}: ${e?.message ?? String(err)}`, { cause: err });
  }
}

function notAFolder(err: unknown, what: string): EtlError {
  const path = (err as NodeJS.ErrnoException).path ?? 'a parent folder';
  return new EtlError(ErrorCodes.DEST_UNWRITABLE, `${what}: ${path} is a file where a folder is needed; choose another location (--dest, --state, --staging)`, { cause: err });
}
