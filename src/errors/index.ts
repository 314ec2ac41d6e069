// One error type for the whole job. Errors are classified once, where they enter (an HTTP status, a
// GraphQL extensions.code, a userErrors code, a bulk errorCode, an errno), into a stable `code` that
// callers match on; what the code makes each layer do is its row in the policy table (policy.ts).
// Messages say what to fix.
import { ErrorCodes, type ErrorCode } from './codes.ts';
import { ExitCodes, policyOf, type Action } from './policy.ts';

export { ErrorCodes, type ErrorCode } from './codes.ts';
export { ERROR_POLICY, ExitCodes, exitCodeOf, policyOf, type Action, type ExitCode, type Policy, type Scope } from './policy.ts';

export interface EtlErrorOptions {
  /**
   * The code's alternative action (policy.ts), when where the error is raised shows its usual action
   * cannot help: a 501 is HTTP_TRANSIENT but not worth resending. Anything else is a bug.
   */
  action?: Action;
  cause?: unknown;
  /** Structured facts for logs (never secrets). */
  details?: Record<string, unknown>;
  /** Seconds the server asked us to wait (Retry-After), when it said. */
  retryAfterSeconds?: number;
}

export class EtlError extends Error {
  readonly code: ErrorCode;
  /** What is done about this error: its code's action in the policy table, or the alternative chosen where it was raised. */
  readonly action: Action;
  readonly details: Record<string, unknown>;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: EtlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EtlError';
    this.code = code;
    this.action = actionFor(code, options.action);
    this.details = options.details ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

function actionFor(code: ErrorCode, chosen: Action | undefined): Action {
  const policy = policyOf(code);
  if (chosen === undefined || chosen === policy.action) return policy.action;
  if (chosen === policy.alternative) return chosen;
  throw new TypeError(`${code} cannot be handled by ${chosen}: its policy allows ${policy.action}${policy.alternative ? ` or ${policy.alternative}` : ''}`);
}

export function isEtlError(err: unknown, code?: ErrorCode): err is EtlError {
  return err instanceof EtlError && (code === undefined || err.code === code);
}

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
