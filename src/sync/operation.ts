// The bulk operation of one window: adopt our own from an earlier attempt or a crashed run, else
// submit the window's query (waiting for a free slot), then poll it to its end. The window machine
// records the operation before it is polled, so whatever happens next, the following run can find it.
import { createHash } from 'node:crypto';
import { EtlError, ErrorCodes, isEtlError } from '../errors/index.ts';
import type { Progress } from '../report/progress.ts';
import type { Logger } from '../report/log.ts';
import type { BulkClient, PollOptions } from '../shopify/bulk.ts';
import type { BulkOperation } from '../shopify/operation.ts';
import type { StateDb } from '../state/db.ts';
import type { OperationRow } from '../state/operations.ts';
import type { WindowMachine } from './window.ts';

const ADOPTABLE = new Set(['CREATED', 'RUNNING', 'COMPLETED']);
/** How far Shopify's clock may be behind ours when an operation is looked up by its creation time. */
const CLOCK_SKEW_MS = 10 * 60_000;

export interface OperationDeps {
  shop: string;
  state: Pick<StateDb, 'operations' | 'windows'>;
  bulk: Pick<BulkClient, 'get' | 'find' | 'submit' | 'cancel' | 'poll'>;
  logger: Logger;
  progress: Progress;
  signal: AbortSignal;
  /** Polling's pace and bounds (--poll-interval, --max-poll-interval, --created-timeout, --operation-timeout, --max-objects); submitting waits for a slot at the same pace. */
  timing: Omit<PollOptions, 'signal' | 'onProgress'>;
}

export function queryHash(query: string): string {
  return createHash('sha256').update(query).digest('hex');
}

/** Which of its entity's queries a window's operation runs (Entity.parts): its index and name. */
export interface PartOf {
  index: number;
  name: string;
}

const FIRST: PartOf = { index: 0, name: '' };

/** Names the part in a log entry, for an entity of several queries only. */
const partField = (part: PartOf): { query?: string } => (part.index === 0 ? {} : { query: part.name });

/** The operation of the window's part `part`, adopted or newly submitted; not yet polled. */
export async function startOperation(deps: OperationDeps, window: WindowMachine, query: string, part: PartOf = FIRST): Promise<BulkOperation> {
  const hash = queryHash(query);
  return (await adopt(deps, window, part, query, hash)) ?? submit(deps, window, part, query, hash);
}

/** Our own operation for this window's part from an earlier attempt, if Shopify still has it usable. */
async function adopt(deps: OperationDeps, window: WindowMachine, part: PartOf, query: string, hash: string): Promise<BulkOperation | null> {
  const row = window.row;
  const submission = deps.state.windows.partSubmission(window.id, part.index);
  if (row.status === 'submitted' && submission?.operationId === null) return findUnrecorded(deps, window, part, query, hash);
  const known = deps.state.operations.ofPart(window.id, part.index);
  const op = known ? await deps.bulk.get(known.operation_id) : null;
  if (known && !isOurs(known, op)) retireStale(deps, known, op);
  else if (known && op) {
    if (known.query_hash === hash && ADOPTABLE.has(op.status)) {
      deps.logger.info('adopting the operation an earlier run started', { entity: window.entity, ...partField(part), operationId: op.id, status: op.status });
      deps.state.operations.update(op);
      return op;
    }
    if (op.status === 'CREATED' || op.status === 'RUNNING') {
      // Ours but no longer matching (the query changed): free its slot rather than let it run for nothing.
      await deps.bulk.cancel(op.id);
    }
  }
  if (submission?.operationId) deps.logger.info('earlier operation not reusable; extracting the window again', { entity: window.entity, ...partField(part), operationId: submission.operationId, status: op?.status ?? 'unknown' });
  return null;
}

/**
 * A run died after sending the window's query and before recording Shopify's answer: the operation may
 * run (or have completed) all the same. It is looked up by its query among the operations created
 * since the window was marked (less CLOCK_SKEW_MS for Shopify's clock), so it is read rather than
 * left unused while the window is submitted again.
 */
async function findUnrecorded(deps: OperationDeps, window: WindowMachine, part: PartOf, query: string, hash: string): Promise<BulkOperation | null> {
  const op = await deps.bulk.find(query, new Date(Date.parse(window.row.updated_at) - CLOCK_SKEW_MS));
  if (!op || !ADOPTABLE.has(op.status)) return null;
  await window.submitted(op, hash, deps.shop, part.index);
  deps.logger.info('adopting the operation an earlier run submitted but never recorded', { entity: window.entity, ...partField(part), operationId: op.id, status: op.status });
  return op;
}

/**
 * Whether the store's operation is the one our record describes. Shopify echoes the query an
 * operation runs; an id the store does not know, or one running another query, was recorded against
 * another store (another sandbox, a reinstalled app).
 */
function isOurs(known: OperationRow, op: BulkOperation | null): op is BulkOperation {
  return op !== null && (op.query === null || queryHash(op.query) === known.query_hash);
}

function retireStale(deps: OperationDeps, known: OperationRow, op: BulkOperation | null): void {
  deps.state.operations.retire(known.operation_id);
  deps.logger.warn('retiring a stale operation record', {
    entity: known.entity,
    operationId: known.operation_id,
    reason: op ? 'the store runs another query under this id' : 'the store does not know this id',
    windowId: known.window_id,
    submittedAt: known.submitted_at,
  });
}

/**
 * Submits the window's query. While every slot is taken it waits like a poll (from --poll-interval,
 * doubling up to --max-poll-interval), for at most --created-timeout: a slot that frees later than
 * that belongs to an operation nobody here controls, and the error names it.
 */
async function submit(deps: OperationDeps, window: WindowMachine, part: PartOf, query: string, hash: string): Promise<BulkOperation> {
  await window.submitting(part.index);
  const { timing } = deps;
  const started = Date.now();
  const deadline = started + timing.createdTimeoutMs;
  for (let wait = timing.initialIntervalMs; ; wait = Math.min(wait * 2, timing.maxIntervalMs)) {
    deps.signal.throwIfAborted();
    deps.progress.update(window.entity, { phase: 'submitting' });
    try {
      const op = await deps.bulk.submit(query);
      await window.checkpoint('submit-answered');
      const stale = await window.submitted(op, hash, deps.shop, part.index);
      if (stale) {
        deps.logger.warn('retiring a stale operation record', {
          entity: stale.entity, operationId: stale.operation_id, reason: 'the store handed this id out again', windowId: stale.window_id, submittedAt: stale.submitted_at,
        });
      }
      const row = window.row;
      deps.logger.info('bulk operation submitted', { entity: window.entity, ...partField(part), operationId: op.id, since: row.since, until: row.until });
      await window.checkpoint('after-submit');
      return op;
    } catch (err) {
      // A refused submit the policy says to send again: no free slot (OPERATION_IN_PROGRESS), or
      // Shopify's limit on recent bulk operations (THROTTLED from LIMIT_REACHED, with its own wait
      // when it names one). Both wait within --created-timeout; nothing else is sent again here.
      if (!isEtlError(err) || err.action !== 'resend' || (err.code !== ErrorCodes.OPERATION_IN_PROGRESS && err.code !== ErrorCodes.THROTTLED)) throw err;
      const pause = Math.max(wait, (err.retryAfterSeconds ?? 0) * 1000);
      if (err.code === ErrorCodes.THROTTLED) {
        if (Date.now() + pause > deadline) throw err;
        deps.logger.warn('Shopify limits bulk operations for now; waiting', { entity: window.entity, reason: err.message, waitMs: pause });
      } else {
        const runningIds = (err.details.runningIds as string[] | undefined) ?? [];
        if (Date.now() + pause > deadline) throw slotTimeout(deps, window.entity, runningIds, Date.now() - started, err);
        await freeOrphans(deps, runningIds);
        deps.logger.warn('no free bulk operation slot; waiting', { entity: window.entity, blockedBy: runningIds, waitMs: pause });
      }
      await sleep(pause, deps.signal);
    }
  }
}

/** Names every operation still holding a slot, and whether this ETL started it, so the operator can act. */
function slotTimeout(deps: OperationDeps, entity: string, runningIds: string[], waitedMs: number, cause: EtlError): EtlError {
  const foreign = runningIds.filter((id) => !deps.state.operations.get(id));
  const ours = runningIds.filter((id) => deps.state.operations.get(id));
  const listed = [
    foreign.length ? `not started by this ETL: ${foreign.join(', ')}` : '',
    ours.length ? `started by this ETL: ${ours.join(', ')}` : '',
  ].filter(Boolean).join('; ');
  return new EtlError(
    ErrorCodes.OPERATION_IN_PROGRESS,
    `${entity}: no free bulk query slot on ${deps.shop} after waiting ${Math.round(waitedMs / 1000)}s (--created-timeout); ` +
      `still running (${listed || 'no ids given'}). Wait for them to finish or cancel them with bulkOperationCancel, then run again`,
    { cause, details: { runningIds, foreign, ours, waitedMs } },
  );
}

/**
 * Operations of ours that no open window will ever read (left by a run that died before recording
 * its outcome) still hold Shopify slots: cancel them, once. Anything we do not know stays untouched,
 * and so does an operation the store runs under an id we recorded against another store.
 */
async function freeOrphans(deps: OperationDeps, runningIds: string[]): Promise<void> {
  for (const id of runningIds) {
    const known = deps.state.operations.get(id);
    if (!known || known.status === 'CANCELING' || known.status === 'CANCELED') continue;
    const owner = deps.state.windows.get(known.window_id);
    const current = deps.state.windows.partSubmission(owner.window_id, known.part)?.operationId === id;
    if (current && owner.status !== 'committed' && owner.status !== 'failed' && owner.status !== 'abandoned') continue;
    const op = await deps.bulk.get(id);
    if (!isOurs(known, op)) {
      retireStale(deps, known, op);
      continue;
    }
    deps.logger.warn('cancelling an orphaned operation of ours that holds a slot', { operationId: id });
    const cancelled = await deps.bulk.cancel(id);
    if (cancelled) deps.state.operations.update(cancelled);
  }
}

/** Polls the operation to its end, recording each status it reports. */
export async function pollOperation(deps: OperationDeps, entity: string, op: BulkOperation): Promise<BulkOperation> {
  deps.progress.update(entity, { phase: 'polling', status: op.status, objectCount: op.objectCount });
  const final = await deps.bulk.poll(op.id, {
    ...deps.timing,
    signal: deps.signal,
    onProgress: (p) => {
      deps.state.operations.update(p);
      deps.progress.update(entity, { phase: 'polling', status: p.status, objectCount: p.objectCount });
    },
  });
  deps.state.operations.update(final);
  return final;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
