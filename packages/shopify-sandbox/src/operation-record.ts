// What an operation is, inside the sandbox and as its API shows it: the record the resolvers and the
// catalog read is derived from the operation's state on every read (so EXPIRED appears when its URL
// expires, and counters stay "0" until it finishes).
import type { DocumentNode } from 'graphql';
import type { FailErrorCode } from './faults.ts';
import type { ResultFiles } from './results.ts';
import type { BulkFileResult } from './store/index.ts';

export type BulkOperationStatus = 'CREATED' | 'RUNNING' | 'COMPLETED' | 'FAILED' | 'CANCELING' | 'CANCELED' | 'EXPIRED';
export type BulkOperationType = 'QUERY' | 'MUTATION';

/** One operation as the sandbox sees it now (status already EXPIRED once its URL has expired). */
export interface BulkOperationRecord {
  readonly id: string;
  readonly type: BulkOperationType;
  readonly status: BulkOperationStatus;
  readonly errorCode: FailErrorCode | null;
  readonly createdAt: Date;
  readonly completedAt: Date | null;
  readonly objectCount: number;
  readonly rootObjectCount: number;
  readonly fileSize: number | null;
  readonly url: string | null;
  readonly partialDataUrl: string | null;
  readonly query: string;
  readonly groupObjects: boolean;
  readonly apiVersion: string;
  /** Started by "another run" (the foreignOperations fault), not through the API. */
  readonly foreign: boolean;
  /** Every byte of its result file was downloaded, in one response or across ranged ones (false when it has none). */
  readonly resultRead: boolean;
}

export type Fate = 'complete' | 'fail' | 'cancel' | 'stuck';

/** An operation's state: its record's fields plus how it will end and where its files are. */
export interface Operation {
  id: string;
  number: string;
  type: BulkOperationType;
  status: Exclude<BulkOperationStatus, 'EXPIRED'>;
  errorCode: FailErrorCode | null;
  createdAt: Date;
  completedAt: Date | null;
  objectCount: number;
  rootObjectCount: number;
  fileSize: number | null;
  query: string;
  document: DocumentNode | null;
  groupObjects: boolean;
  apiVersion: string;
  foreign: boolean;
  fate: Fate;
  failWith: FailErrorCode;
  expireAtOnce: boolean;
  /** Root records its file leaves out (the omit fault). */
  omitRoots: number;
  /** The most nested nodes each parent of its file gives (the cap fault); null: all. */
  connectionCap: number | null;
  /** How long CREATED + RUNNING last for this operation. */
  delayMs: number;
  completedSeen: boolean;
  written: BulkFileResult | null;
  resultKey: string | null;
  partialKey: string | null;
  urlExpiresAt: number | null;
}

export interface UserError {
  field: string[] | null;
  message: string;
  code?: string;
}

export function recordOf(op: Operation, files: ResultFiles, now: () => number): BulkOperationRecord {
  const expired = op.urlExpiresAt !== null && (op.status === 'COMPLETED' || op.status === 'FAILED') && now() > op.urlExpiresAt && (!op.expireAtOnce || op.completedSeen);
  const finished = op.status === 'COMPLETED' || op.status === 'FAILED' || op.status === 'CANCELED' || op.status === 'CANCELING';
  const signed = (key: string | null): string | null => (key && op.urlExpiresAt !== null ? files.signedUrl(key, op.number, op.urlExpiresAt) : null);
  return {
    id: op.id,
    type: op.type,
    status: expired ? 'EXPIRED' : op.status,
    errorCode: op.errorCode,
    createdAt: op.createdAt,
    completedAt: op.completedAt,
    objectCount: finished ? op.objectCount : 0,
    rootObjectCount: finished ? op.rootObjectCount : 0,
    fileSize: op.fileSize,
    url: signed(op.resultKey),
    partialDataUrl: signed(op.partialKey),
    query: op.query,
    groupObjects: op.groupObjects,
    apiVersion: op.apiVersion,
    foreign: op.foreign,
    resultRead: op.resultKey !== null && op.fileSize !== null && files.servedWhole(op.resultKey, op.fileSize),
  };
}
