// The one error policy table: for every code, how far a failure reaches, what is done about it and the
// exit code it leads to. Every layer reads it (the Shopify client's retries, the window's resubmit and
// split, the shop's stop, the job's exit code) instead of keeping its own list of codes, and the
// README's table of codes is checked against it (test/cli/readme.test.ts).
import type { ErrorCode } from './codes.ts';

/**
 * Process exit codes: 0 everything committed, 1 some entity or shop failed, 2 bad configuration or
 * usage (also credentials Shopify rejects and local paths that cannot be written), 3 another run holds
 * the state lock (nothing was done; safe to retry later), 130/143 interrupted by SIGINT/SIGTERM after
 * state was persisted.
 */
export const ExitCodes = { OK: 0, PARTIAL_FAILURE: 1, CONFIG: 2, LOCKED: 3, SIGINT: 130, SIGTERM: 143 } as const;
export type ExitCode = (typeof ExitCodes)[keyof typeof ExitCodes];

/**
 * How far a failure reaches beyond the place it is raised.
 * - request: one request; the action repeats it, and once that stops helping it fails where it was raised.
 * - window: one window's bulk operation; the action redoes the window, and once that stops helping the entity fails.
 * - entity: fails where it was raised (an entity; the shop or the job when raised outside any entity); the other entities go on.
 * - shop: stops its shop even when raised inside one entity; the other shops go on.
 * - job: stops the whole job.
 */
export type Scope = 'request' | 'window' | 'entity' | 'shop' | 'job';

/**
 * What is done about a failure.
 * - resend: the same request is sent again, inside the retry budget (--retry-budget, or --created-timeout for a bulk slot).
 * - resubmit: the window is extracted again by a new bulk operation, a few times at most.
 * - split: the window is halved and each half extracted, a few levels deep at most: the same window would fail again.
 * - fail: nothing is repeated.
 */
export type Action = 'resend' | 'resubmit' | 'split' | 'fail';

export interface Policy {
  readonly scope: Scope;
  readonly action: Action;
  /**
   * The action an error of this code takes instead when where it was raised shows the usual one cannot
   * help (a 501 or a host that does not resolve is not worth resending; an operation that never left
   * CREATED is resubmitted whole, not split). No other action is possible for the code.
   */
  readonly alternative?: Action;
  /** The exit code of a job whose every shop stopped with this code (130 instead of 143 for SIGINT). */
  readonly exit: ExitCode;
  /**
   * The operation's result could not be read whole (it did not complete, its file was short, cut or
   * malformed, or its root records fell short of the store's count). A window can be redone for it,
   * but nothing may be concluded from what was read, e.g. that an id absent from it was deleted.
   */
  readonly notWhole?: true;
}

const { CONFIG, LOCKED, PARTIAL_FAILURE: PARTIAL, SIGTERM } = ExitCodes;

export const ERROR_POLICY: { readonly [C in ErrorCode]: Policy } = {
  CONFIG_INVALID: { scope: 'entity', action: 'fail', exit: CONFIG },
  SANDBOX_UNAVAILABLE: { scope: 'job', action: 'fail', exit: CONFIG },
  AUTH_INVALID: { scope: 'shop', action: 'fail', exit: CONFIG },
  SHOP_FROZEN: { scope: 'shop', action: 'fail', exit: PARTIAL },
  SHOP_FORBIDDEN: { scope: 'shop', action: 'fail', exit: PARTIAL },
  SHOP_NOT_FOUND: { scope: 'shop', action: 'fail', exit: CONFIG },
  SHOP_LOCKED: { scope: 'shop', action: 'fail', exit: PARTIAL },
  ACCESS_DENIED: { scope: 'entity', action: 'fail', exit: PARTIAL },
  SCOPE_MISSING: { scope: 'entity', action: 'fail', exit: PARTIAL },
  GRAPHQL_ERROR: { scope: 'entity', action: 'fail', exit: PARTIAL },
  BULK_QUERY_INVALID: { scope: 'entity', action: 'fail', exit: PARTIAL },
  BULK_FAILED: { scope: 'window', action: 'resubmit', exit: PARTIAL, notWhole: true },
  BULK_TIMEOUT: { scope: 'window', action: 'split', exit: PARTIAL, notWhole: true },
  BULK_CANCELED: { scope: 'window', action: 'resubmit', exit: PARTIAL, notWhole: true },
  BULK_EXPIRED: { scope: 'window', action: 'resubmit', exit: PARTIAL, notWhole: true },
  BULK_STUCK: { scope: 'window', action: 'split', alternative: 'resubmit', exit: PARTIAL, notWhole: true },
  OPERATION_IN_PROGRESS: { scope: 'request', action: 'resend', exit: PARTIAL },
  VERIFY_MISMATCH: { scope: 'entity', action: 'fail', exit: PARTIAL, notWhole: true },
  COUNT_SHORTFALL: { scope: 'window', action: 'resubmit', exit: PARTIAL, notWhole: true },
  CHILDREN_INCOMPLETE: { scope: 'window', action: 'resubmit', exit: PARTIAL, notWhole: true },
  MALFORMED_JSONL: { scope: 'entity', action: 'fail', exit: PARTIAL, notWhole: true },
  DOWNLOAD_FAILED: { scope: 'window', action: 'resubmit', exit: PARTIAL, notWhole: true },
  SNAPSHOT_INCOMPLETE: { scope: 'window', action: 'resubmit', exit: PARTIAL, notWhole: true },
  THROTTLED: { scope: 'request', action: 'resend', exit: PARTIAL },
  HTTP_TRANSIENT: { scope: 'request', action: 'resend', alternative: 'fail', exit: PARTIAL },
  NETWORK: { scope: 'request', action: 'resend', alternative: 'fail', exit: PARTIAL },
  TLS_CERT_INVALID: { scope: 'shop', action: 'fail', exit: CONFIG },
  DISK_FULL: { scope: 'shop', action: 'fail', exit: PARTIAL },
  DEST_UNWRITABLE: { scope: 'shop', action: 'fail', exit: CONFIG },
  DEST_CONFLICT: { scope: 'entity', action: 'fail', exit: PARTIAL },
  DEST_PERMISSION: { scope: 'shop', action: 'fail', exit: CONFIG },
  DEST_DAMAGED: { scope: 'shop', action: 'fail', exit: CONFIG },
  STATE_UNWRITABLE: { scope: 'shop', action: 'fail', exit: CONFIG },
  STATE_UNREADABLE: { scope: 'shop', action: 'fail', exit: CONFIG },
  STATE_LOCKED: { scope: 'shop', action: 'fail', exit: LOCKED },
  STATE_CONFLICT: { scope: 'shop', action: 'fail', exit: PARTIAL },
  MODEL_UNREADABLE: { scope: 'job', action: 'fail', exit: PARTIAL },
  QUALITY_CHECK_FAILED: { scope: 'shop', action: 'fail', exit: PARTIAL },
  INTERRUPTED: { scope: 'job', action: 'fail', exit: SIGTERM },
  INTERNAL: { scope: 'entity', action: 'fail', exit: PARTIAL },
};

export function policyOf(code: ErrorCode): Policy {
  return ERROR_POLICY[code];
}

/** The exit code a job ends with when its every shop stopped on `code`; 1 for no code or one not ours. */
export function exitCodeOf(code: string | undefined): ExitCode {
  return code !== undefined && Object.hasOwn(ERROR_POLICY, code) ? ERROR_POLICY[code as ErrorCode].exit : ExitCodes.PARTIAL_FAILURE;
}
