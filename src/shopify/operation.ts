// A bulk operation as the ETL reads it: its fields as Shopify sends them (docs/shopify-bulk-api.md#polling),
// parsed strictly (a status or counter this version does not know is refused, not guessed at), and
// what a terminal operation means: its data, or the EtlError its outcome calls for.
import { EtlError, ErrorCodes } from '../errors/index.ts';

export type BulkStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';

export interface BulkOperation {
  id: string;
  status: BulkStatus;
  errorCode: string | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  url: string | null;
  partialDataUrl: string | null;
  createdAt: string;
  completedAt: string | null;
  query: string | null;
}

const STATUSES: ReadonlySet<string> = new Set(['CREATED', 'RUNNING', 'COMPLETED', 'FAILED', 'CANCELING', 'CANCELED', 'EXPIRED']);
export const TERMINAL: ReadonlySet<BulkStatus> = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'EXPIRED']);

/** A BulkOperation as Shopify sends it: UnsignedInt64 counters are JSON strings. */
export interface RawBulkOperation {
  id: string;
  status: string;
  errorCode: string | null;
  objectCount: string | number;
  rootObjectCount: string | number;
  fileSize: string | number | null;
  url: string | null;
  partialDataUrl: string | null;
  createdAt: string;
  completedAt: string | null;
  query: string | null;
}

function count(value: string | number, field: string, id: string): number {
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new EtlError(ErrorCodes.GRAPHQL_ERROR, `bulk operation ${id} reported ${field} "${String(value)}", not a count`, {
      details: { operationId: id, field },
    });
  }
  return n;
}

export function parseOperation(raw: RawBulkOperation): BulkOperation {
  if (!STATUSES.has(raw.status)) {
    throw new EtlError(ErrorCodes.GRAPHQL_ERROR, `bulk operation ${raw.id} has status ${raw.status}, which this version of the ETL does not know`, {
      details: { operationId: raw.id, status: raw.status },
    });
  }
  return {
    id: raw.id,
    status: raw.status as BulkStatus,
    errorCode: raw.errorCode,
    objectCount: count(raw.objectCount, 'objectCount', raw.id),
    rootObjectCount: count(raw.rootObjectCount, 'rootObjectCount', raw.id),
    fileSize: raw.fileSize === null ? null : count(raw.fileSize, 'fileSize', raw.id),
    url: raw.url,
    partialDataUrl: raw.partialDataUrl,
    createdAt: raw.createdAt,
    completedAt: raw.completedAt,
    query: raw.query,
  };
}

/**
 * Maps a terminal operation to success (returns) or the EtlError its outcome means. A COMPLETED
 * operation that counted objects but has no URL is a silent loss (Airbyte's bug, docs/peers.md#silent-loss), not an
 * empty result. `scopes`: what to grant when Shopify denied it (a FAILED ACCESS_DENIED does not say
 * which scope was missing, so the error names those the entity needs).
 */
export function assertCompleted(op: BulkOperation, scopes: readonly string[] = []): void {
  const details = { operationId: op.id, status: op.status, errorCode: op.errorCode, objectCount: op.objectCount, hasPartialData: op.partialDataUrl !== null };
  switch (op.status) {
    case 'COMPLETED':
      if (op.objectCount > 0 && op.url === null) {
        throw new EtlError(
          ErrorCodes.VERIFY_MISMATCH,
          `bulk operation ${op.id} COMPLETED with objectCount ${op.objectCount} but no result URL; refusing to treat it as empty`,
          { details },
        );
      }
      return;
    case 'FAILED': {
      const code = (op.errorCode ?? '').toUpperCase();
      if (code === 'ACCESS_DENIED') {
        const grant = scopes.length ? `the ${scopes.join(', ')} scope${scopes.length > 1 ? 's' : ''}` : 'the access scopes this query needs';
        throw new EtlError(
          ErrorCodes.ACCESS_DENIED,
          `bulk operation ${op.id} FAILED with ACCESS_DENIED: the app lacks an access scope this query needs; grant ${grant} to the app and reinstall it`,
          { details: { ...details, scopes: [...scopes] } },
        );
      }
      if (code === 'TIMEOUT') {
        throw new EtlError(ErrorCodes.BULK_TIMEOUT, `bulk operation ${op.id} FAILED with TIMEOUT: split the window or select fewer fields`, { details });
      }
      throw new EtlError(ErrorCodes.BULK_FAILED, `bulk operation ${op.id} FAILED with ${op.errorCode ?? 'no error code'}; Shopify says this is intermittent`, { details });
    }
    case 'CANCELED':
      throw new EtlError(ErrorCodes.BULK_CANCELED, `bulk operation ${op.id} was CANCELED before it completed`, { details });
    case 'EXPIRED':
      throw new EtlError(ErrorCodes.BULK_EXPIRED, `bulk operation ${op.id} EXPIRED: its result URL is older than 7 days`, { details });
    default:
      throw new EtlError(ErrorCodes.INTERNAL, `bulk operation ${op.id} is ${op.status}, not finished; poll it to a terminal status first`, { details });
  }
}
