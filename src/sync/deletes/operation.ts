// The bulk operation of a deletions window (destroy events, or an id snapshot) and its lines. Only an
// operation that COMPLETED whole is read: no partial data, every line it counted downloaded and read.
// Its lines are few and small, so they are parsed here, on the main thread, not by the workers.
import { EtlError, ErrorCodes } from '../../errors/index.ts';
import { lineBatches } from '../../pipeline/batches.ts';
import { downloadResult } from '../../shopify/download.ts';
import { assertCompleted, type BulkOperation } from '../../shopify/operation.ts';
import type { BulkWindowDeps } from '../bulk-window.ts';
import { pollOperation, startOperation } from '../operation.ts';
import type { WindowMachine } from '../window.ts';

const NL = 0x0a;

/**
 * Runs (or adopts) the window's operation to its end; throws unless it COMPLETED without partial data.
 * `starting` runs in the operation's slot just before it is submitted (an id snapshot reads the store's count then).
 */
export async function completedOperation(deps: Pick<BulkWindowDeps, 'operations' | 'slots'>, window: WindowMachine, query: string, starting?: () => void): Promise<BulkOperation> {
  const op = await deps.slots(async () => {
    starting?.();
    const started = await startOperation(deps.operations, window, query);
    return started.status === 'COMPLETED' ? started : pollOperation(deps.operations, window.entity, started);
  });
  assertCompleted(op);
  if (op.partialDataUrl !== null) {
    throw new EtlError(ErrorCodes.VERIFY_MISMATCH, `${window.entity}: operation ${op.id} COMPLETED with partial data; it is not read`, { details: { operationId: op.id } });
  }
  return op;
}

/** Each line of the operation's file, parsed; then checks the file held exactly objectCount lines. */
export async function* operationLines(deps: Pick<BulkWindowDeps, 'operations' | 'retryBudgetMs'>, entity: string, op: BulkOperation): AsyncGenerator<Record<string, unknown>> {
  let lines = 0;
  if (op.url !== null) {
    const { logger, signal } = deps.operations;
    for await (const batch of lineBatches(downloadResult(op.url, { signal, retry: { budgetMs: deps.retryBudgetMs }, logger }))) {
      for (let start = 0; start < batch.length; ) {
        let end = batch.indexOf(NL, start);
        if (end === -1) end = batch.length;
        const text = batch.toString('utf8', start, end).trim();
        start = end + 1;
        if (text === '') continue;
        lines++;
        let record: unknown;
        try {
          record = JSON.parse(text);
        } catch {
          throw new EtlError(ErrorCodes.MALFORMED_JSONL, `${entity} JSONL line ${lines} is not valid JSON`, { details: { operationId: op.id, line: lines } });
        }
        yield record as Record<string, unknown>;
      }
    }
  }
  if (lines !== op.objectCount) {
    throw new EtlError(ErrorCodes.VERIFY_MISMATCH, `${entity}: operation ${op.id} reported objectCount ${op.objectCount} but its file had ${lines} lines; nothing from it is used`, {
      details: { operationId: op.id, objectCount: op.objectCount, lines },
    });
  }
}
