// The bulk-operation state machine. A query operation goes CREATED -> RUNNING -> COMPLETED over
// operationDelayMs (counters read "0" until it completes, as recorded), its file written by the store;
// cancelling goes CANCELING -> CANCELED. Faults decide an operation's fate when it is submitted
// (failed, canceled by Shopify, stuck, expired URL, records left out) or when its file is finished
// (malformed, dropped, or more objects than the standing objectLimit: FAILED with TIMEOUT).
import { setTimeout as sleep } from 'node:timers/promises';
import type { DocumentNode } from 'graphql';
import { versionAtLeast, NEW_BULK_QUERIES_SINCE } from './schema/index.ts';
import type { FailErrorCode, FaultController } from './faults.ts';
import { recordOf, type BulkOperationRecord, type BulkOperationType, type Fate, type Operation, type UserError } from './operation-record.ts';
import type { ResultFiles } from './results.ts';
import type { BulkFileResult, Ordering } from './store/index.ts';

export type { BulkOperationRecord, BulkOperationStatus, BulkOperationType, UserError } from './operation-record.ts';

/** What the operations need from the store (the real Store, or a stand-in in tests). */
export interface BulkResultWriter {
  writeBulkResult(document: DocumentNode, path: string, options: { ordering: Ordering; omitRoots?: number; connectionCap?: number | null }): Promise<BulkFileResult>;
  /** The shop's plan refuses a root the query reads: the operation fails with ACCESS_DENIED. */
  refuses(document: DocumentNode): boolean;
}

export interface OperationsOptions {
  store: BulkResultWriter;
  files: ResultFiles;
  faults: FaultController;
  now: () => number;
  delayMs: number;
  ordering: Ordering;
  urlTtlMs: number;
}

/** Query operations holding a slot: not finished yet (CANCELING still holds one). */
const ACTIVE: ReadonlySet<string> = new Set(['CREATED', 'RUNNING', 'CANCELING']);
/**
 * Shopify never hands out an operation id twice, and a state database outlives any one sandbox
 * process, so ids come from the sandbox's clock: one per millisecond since ID_EPOCH on top of
 * ID_BASE (13 digits, like the ids Shopify gave in 2026), one more when two fall in the same
 * millisecond. A restarted sandbox starts past every id its predecessor handed out unless that one
 * created more than a thousand operations a second.
 */
const ID_BASE = 7_900_000_000_000;
const ID_EPOCH = Date.UTC(2026, 0, 1);
const FOREIGN_QUERY = '{ products { edges { node { id } } } }';

export class Operations {
  private readonly all: Operation[] = [];
  private readonly options: OperationsOptions;
  private readonly stop = new AbortController();
  private readonly pending = new Set<Promise<void>>();
  private lastNumber = 0;

  constructor(options: OperationsOptions) {
    this.options = options;
  }

  private newOperation(fields: Pick<Operation, 'query' | 'document' | 'groupObjects' | 'apiVersion' | 'foreign' | 'fate' | 'failWith' | 'expireAtOnce' | 'omitRoots' | 'connectionCap' | 'delayMs'>): Operation {
    this.lastNumber = Math.max(this.lastNumber + 1, ID_BASE + this.options.now() - ID_EPOCH);
    const number = String(this.lastNumber);
    const op: Operation = {
      id: `gid://shopify/BulkOperation/${number}`,
      number,
      type: 'QUERY',
      status: fields.foreign ? 'RUNNING' : 'CREATED',
      errorCode: null,
      createdAt: new Date(this.options.now()),
      completedAt: null,
      objectCount: 0,
      rootObjectCount: 0,
      fileSize: null,
      completedSeen: false,
      written: null,
      resultKey: null,
      partialKey: null,
      urlExpiresAt: null,
      ...fields,
    };
    this.all.push(op);
    return op;
  }

  /** Running query operations that block a new one, oldest first. */
  private active(): Operation[] {
    return this.all.filter((op) => op.type === 'QUERY' && ACTIVE.has(op.status));
  }

  /**
   * bulkOperationRunQuery after the query validated: OPERATION_IN_PROGRESS when every slot is taken
   * (1 before 2026-01, 5 from 2026-01), otherwise a new CREATED operation.
   */
  submit(query: string, document: DocumentNode, groupObjects: boolean, apiVersion: string): { operation: BulkOperationRecord | null; userErrors: UserError[] } {
    const slots = versionAtLeast(apiVersion, NEW_BULK_QUERIES_SINCE) ? 5 : 1;
    const running = this.active();
    if (running.length >= slots) {
      const message = `A bulk query operation for this app and shop is already in progress: ${running.map((op) => op.id).join(', ')}.`;
      return { operation: null, userErrors: [{ field: null, message, code: 'OPERATION_IN_PROGRESS' }] };
    }
    const { faults } = this.options;
    if (faults.consume('limitReached')) {
      // What triggers it and its exact words were never recorded; this is the wording clients report.
      return { operation: null, userErrors: [{ field: null, message: 'Too many recent bulk operations. Please try again later.', code: 'LIMIT_REACHED' }] };
    }
    const refused = this.options.store.refuses(document);
    const fate: Fate = refused ? 'fail' : faults.consume('stuck', query) ? 'stuck' : faults.consume('failed', query) ? 'fail' : faults.consume('canceled', query) ? 'cancel' : 'complete';
    const op = this.newOperation({
      query, document, groupObjects, apiVersion, foreign: false, fate,
      failWith: refused ? 'ACCESS_DENIED' : faults.current().failedErrorCode,
      expireAtOnce: fate === 'complete' && faults.consume('expiredUrls', query),
      omitRoots: fate === 'complete' && faults.consume('omittedRecords', query) ? faults.current().omittedRecordCount : 0,
      connectionCap: fate === 'complete' && faults.consume('cappedConnections', query) ? faults.current().connectionCap : null,
      delayMs: faults.consume('slow', query) ? faults.current().slowDelayMs : this.options.delayMs,
    });
    // A sandbox-side failure (disk, store) ends the operation as Shopify's intermittent failure does.
    this.track(this.run(op).catch(() => {
      if (op.status === 'RUNNING' || op.status === 'CREATED') Object.assign(op, { status: 'FAILED', errorCode: 'INTERNAL_SERVER_ERROR', completedAt: new Date(this.options.now()) });
    }));
    return { operation: this.view(op), userErrors: [] };
  }

  /** bulkOperationCancel, with the recorded answers for unknown and finished operations. */
  cancel(id: string): { operation: BulkOperationRecord | null; userErrors: UserError[] } {
    const op = this.find(id);
    if (!op) return { operation: null, userErrors: [{ field: ['id'], message: 'Bulk operation does not exist' }] };
    if (op.status === 'CREATED' || op.status === 'RUNNING') {
      Object.assign(op, { status: 'CANCELING', ...this.counters(op.written) });
      this.track(this.finishCancel(op));
    }
    const view = this.view(op);
    if (view.status === 'CANCELING') return { operation: view, userErrors: [] };
    return { operation: view, userErrors: [{ field: null, message: `A bulk operation cannot be canceled when it is ${view.status.toLowerCase()}` }] };
  }

  get(id: string): BulkOperationRecord | null {
    const op = this.find(id);
    return op ? this.view(op) : null;
  }

  /** The newest operation of a type, whatever its status (as recorded on 2026-04). */
  current(type: BulkOperationType): BulkOperationRecord | null {
    const op = this.all.filter((o) => o.type === type).at(-1);
    return op ? this.view(op) : null;
  }

  list(): BulkOperationRecord[] {
    return this.all.map((op) => this.view(op));
  }

  /** Marks that a client has read this operation; the expiredUrls fault turns it EXPIRED afterwards. */
  markRead(id: string): void {
    const op = this.find(id);
    if (op && op.status === 'COMPLETED') op.completedSeen = true;
  }

  /** Keeps `count` foreign operations running; extra ones are cancelled. */
  setForeign(count: number): void {
    const running = this.all.filter((op) => op.foreign && op.status === 'RUNNING');
    for (const op of running.slice(count)) op.status = 'CANCELED';
    for (let i = running.length; i < count; i++) {
      this.newOperation({ query: FOREIGN_QUERY, document: null, groupObjects: false, apiVersion: 'unstable', foreign: true, fate: 'stuck', failWith: 'INTERNAL_SERVER_ERROR', expireAtOnce: false, omitRoots: 0, connectionCap: null, delayMs: this.options.delayMs });
    }
  }

  async close(): Promise<void> {
    this.stop.abort();
    await Promise.allSettled([...this.pending]);
  }

  private find(id: string): Operation | undefined {
    return this.all.find((op) => op.id === id);
  }

  private track(work: Promise<void>): void {
    this.pending.add(work);
    void work.finally(() => this.pending.delete(work));
  }

  private async wait(ms: number): Promise<boolean> {
    try {
      await sleep(ms, undefined, { signal: this.stop.signal });
      return true;
    } catch {
      return false;
    }
  }

  private async run(op: Operation): Promise<void> {
    const { files, store } = this.options;
    const { delayMs } = op;
    const started = this.options.now();
    if (!(await this.wait(delayMs / 2)) || op.status !== 'CREATED' || op.fate === 'stuck') return;
    op.status = 'RUNNING';
    const key = files.newKey(op.query);
    const ordering: Ordering = op.groupObjects ? 'grouped' : this.options.ordering;
    const accessDenied = op.fate === 'fail' && op.failWith === 'ACCESS_DENIED';
    try {
      if (op.document && !accessDenied) op.written = await store.writeBulkResult(op.document, files.pathOf(key), { ordering, omitRoots: op.omitRoots, connectionCap: op.connectionCap });
    } catch (err) {
      await files.remove(key);
      throw err;
    }
    const remaining = delayMs - (this.options.now() - started);
    if (!(await this.wait(Math.max(0, remaining))) || op.status !== 'RUNNING') {
      await files.remove(key);
      return;
    }
    const now = new Date(this.options.now());
    if (op.fate === 'cancel') {
      await files.remove(key);
      Object.assign(op, { status: 'CANCELED', ...this.counters(op.written) });
      return;
    }
    const limit = this.options.faults.current().objectLimit;
    if (op.fate === 'fail' || (limit !== null && (op.written?.objectCount ?? 0) > limit)) {
      await this.fail(op, key, now, op.fate === 'fail' ? op.failWith : 'TIMEOUT');
      return;
    }
    await this.complete(op, key, now);
  }

  private counters(written: BulkFileResult | null): { objectCount: number; rootObjectCount: number } {
    return { objectCount: written?.objectCount ?? 0, rootObjectCount: written?.rootObjectCount ?? 0 };
  }

  private async complete(op: Operation, key: string, now: Date): Promise<void> {
    const { files, faults, urlTtlMs } = this.options;
    const written = op.written ?? { objectCount: 0, rootObjectCount: 0, fileSize: 0 };
    let fileSize = written.fileSize;
    if (written.objectCount === 0) {
      await files.remove(key);
    } else {
      if (faults.consume('malformedLines', op.query)) {
        const at = faults.current().malformedLineAt - 1;
        // A line cut in half: valid UTF-8, invalid JSON, as a truncated write would leave it.
        fileSize = (await files.rewrite(key, (line, i) => (i === at ? line.slice(0, Math.max(1, Math.floor(line.length / 2))) : line))).bytes;
      }
      if (faults.consume('droppedLines', op.query)) {
        const from = Math.floor(written.objectCount / 2);
        const to = from + faults.current().droppedLineCount;
        fileSize = (await files.rewrite(key, (line, i) => (i >= from && i < to ? null : line))).bytes;
      }
      if (faults.consume('partialCompletions', op.query) && written.objectCount > 1) op.partialKey = await this.partialCopy(op, key);
      op.resultKey = key;
      op.urlExpiresAt = op.expireAtOnce ? now.getTime() : now.getTime() + urlTtlMs;
    }
    Object.assign(op, { status: 'COMPLETED', completedAt: now, fileSize: written.objectCount === 0 ? null : fileSize, ...this.counters(written) });
  }

  /** The first half of a result file, under a key of its own: partial data. */
  private async partialCopy(op: Operation, key: string): Promise<string> {
    const partialKey = this.options.files.newKey(op.query);
    await this.options.files.copyHead(key, partialKey, Math.floor((op.written?.objectCount ?? 0) / 2));
    return partialKey;
  }

  /** FAILED: INTERNAL_SERVER_ERROR and TIMEOUT keep the first half of the file as partial data (unless failedPartialData is false). */
  private async fail(op: Operation, key: string, now: Date, errorCode: FailErrorCode): Promise<void> {
    const { files, urlTtlMs } = this.options;
    let counts = { objectCount: 0, rootObjectCount: 0 };
    if (errorCode !== 'ACCESS_DENIED' && this.options.faults.current().failedPartialData && op.written && op.written.objectCount > 1) {
      const partialKey = files.newKey(op.query);
      const partial = await files.copyHead(key, partialKey, Math.floor(op.written.objectCount / 2));
      op.partialKey = partialKey;
      op.urlExpiresAt = now.getTime() + urlTtlMs;
      counts = { objectCount: partial.lines, rootObjectCount: partial.rootLines };
    }
    await files.remove(key);
    Object.assign(op, { status: 'FAILED', errorCode, completedAt: now, ...counts });
  }

  private async finishCancel(op: Operation): Promise<void> {
    if (!(await this.wait(Math.min(100, Math.max(10, Math.round(this.options.delayMs / 3)))))) return;
    Object.assign(op, { status: 'CANCELED', ...this.counters(op.written) });
  }

  private view(op: Operation): BulkOperationRecord {
    return recordOf(op, this.options.files, this.options.now);
  }
}
