// The bulk query lifecycle (docs/shopify-bulk-api.md, from "Submitting a bulk query" to "Cancellation"):
// submit, read, list running, cancel and poll to a terminal status. Reads use `bulkOperation(id:)` from
// 2026-01 and `node(id:)` before; the shapes and messages follow real Shopify answers
// (test/shopify/captures.ts).
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { CANCEL, CURRENT, FIND, GET, GET_NODE, RUN, RUN_GROUPED, RUNNING, type CancelPayload, type RunPayload, type UserError } from './bulk-documents.ts';
import type { ShopifyClient, ShopifyLogger } from './client.ts';
import { parseOperation, TERMINAL, type BulkOperation, type RawBulkOperation } from './operation.ts';
import { pause, realSleep, throwIfAborted } from './retry.ts';
import type { Sleep } from './retry.ts';
import { groupObjectsArgument, hasBulkOperationQuery } from './versions.ts';

export interface PollOptions {
  initialIntervalMs: number;
  maxIntervalMs: number;
  /** Longest an operation may sit in CREATED (Shopify's queue), counted from its createdAt. */
  createdTimeoutMs: number;
  /** Longest an operation may take overall, counted from its createdAt (an adopted one keeps its age). */
  runningTimeoutMs: number;
  /** Cancel a RUNNING operation once Shopify reports more objects than this (0: no bound). */
  maxObjects?: number;
  signal?: AbortSignal;
  onProgress?: (op: BulkOperation) => void;
}

export interface BulkClientOptions {
  apiVersion: string;
  sleep?: Sleep;
  now?: () => number;
  logger?: ShopifyLogger;
  /** How long to wait for CANCELED after cancelling a stuck operation. */
  cancelTimeoutMs?: number;
}

const POLL_BACKOFF = 1.5;
const DEFAULT_CANCEL_TIMEOUT_MS = 2 * 60_000;

const OPERATION_ID = /gid:\/\/shopify\/BulkOperation\/\d+/g;

/** userErrors of bulkOperationRunQuery → the error the caller acts on. */
function submitError(userErrors: UserError[], shop: string): EtlError {
  const messages = userErrors.map((e) => e.message);
  const inProgress = userErrors.find((e) => e.code === 'OPERATION_IN_PROGRESS' || /already in progress/i.test(e.message));
  if (inProgress) {
    const runningIds = inProgress.message.match(OPERATION_ID) ?? [];
    return new EtlError(
      ErrorCodes.OPERATION_IN_PROGRESS,
      `no free bulk query slot on ${shop}: ${runningIds.length} operation(s) already running (${runningIds.join(', ')})`,
      { details: { runningIds, shop } },
    );
  }
  const limited = userErrors.find((e) => e.code === 'LIMIT_REACHED' || /too many recent bulk operations/i.test(e.message));
  if (limited) {
    const minutes = /try again in (\d+) minutes?/i.exec(limited.message)?.[1];
    return new EtlError(ErrorCodes.THROTTLED, `Shopify limits bulk operations on ${shop} for now: ${limited.message}`, {
      details: { shop, userErrors },
      ...(minutes === undefined ? {} : { retryAfterSeconds: Number(minutes) * 60 }),
    });
  }
  return new EtlError(ErrorCodes.BULK_QUERY_INVALID, `Shopify rejected the bulk query: ${messages.join(' | ')}`, {
    details: { shop, userErrors },
  });
}

export class BulkClient {
  private readonly client: ShopifyClient;
  private readonly apiVersion: string;
  private readonly sleep: Sleep;
  private readonly now: () => number;
  private readonly logger: ShopifyLogger | undefined;
  private readonly cancelTimeoutMs: number;

  constructor(client: ShopifyClient, options: BulkClientOptions) {
    this.client = client;
    this.apiVersion = options.apiVersion;
    this.sleep = options.sleep ?? realSleep;
    this.now = options.now ?? Date.now;
    this.logger = options.logger;
    this.cancelTimeoutMs = options.cancelTimeoutMs ?? DEFAULT_CANCEL_TIMEOUT_MS;
  }

  /**
   * Starts a bulk query. OPERATION_IN_PROGRESS is thrown (with `details.runningIds`), never
   * waited out here: the caller decides whether to wait, adopt or cancel. If the submit's answer is lost
   * (5xx, cut connection), the client looks for an operation running this exact query before sending
   * it again, because Shopify echoes the query verbatim.
   */
  async submit(query: string, options: { groupObjects?: boolean } = {}): Promise<BulkOperation> {
    const grouping = groupObjectsArgument(this.apiVersion);
    const passGrouping = options.groupObjects !== undefined && grouping !== null;
    if (options.groupObjects === false && grouping === null) {
      this.logger?.debug('groupObjects needs API 2025-07+; this version always groups', { apiVersion: this.apiVersion });
    }
    const data = await this.client.request<RunPayload>(
      passGrouping ? RUN_GROUPED : RUN,
      passGrouping ? { query, groupObjects: options.groupObjects } : { query },
      {
        idempotent: false,
        reconcile: async () => {
          const found = (await this.runningRaw()).find((op) => op.query === query);
          if (!found) return null;
          this.logger?.warn('the submit answer was lost but Shopify runs the operation; adopting it', { operationId: found.id });
          return { bulkOperationRunQuery: { bulkOperation: found, userErrors: [] } };
        },
      },
    );
    const { bulkOperation, userErrors } = data.bulkOperationRunQuery;
    if (userErrors.length > 0) throw submitError(userErrors, this.client.shop);
    if (!bulkOperation) {
      throw new EtlError(ErrorCodes.GRAPHQL_ERROR, `bulkOperationRunQuery on ${this.client.shop} returned neither an operation nor userErrors`);
    }
    return parseOperation(bulkOperation);
  }

  /** The operation, or null when Shopify does not know the id. */
  async get(id: string): Promise<BulkOperation | null> {
    if (hasBulkOperationQuery(this.apiVersion)) {
      const data = await this.client.request<{ bulkOperation: RawBulkOperation | null }>(GET, { id });
      return data.bulkOperation ? parseOperation(data.bulkOperation) : null;
    }
    const data = await this.client.request<{ node: Partial<RawBulkOperation> | null }>(GET_NODE, { id });
    // A gid of another type gives an empty object through the inline fragment.
    return data.node && typeof data.node.id === 'string' ? parseOperation(data.node as RawBulkOperation) : null;
  }

  /**
   * Asks Shopify to cancel. Returns the operation as Shopify reports it: CANCELING for a running one,
   * unchanged for a finished one (Shopify's "cannot be canceled when it is completed"), null when the
   * id is unknown.
   */
  async cancel(id: string): Promise<BulkOperation | null> {
    const data = await this.client.request<CancelPayload>(CANCEL, { id });
    const { bulkOperation, userErrors } = data.bulkOperationCancel;
    if (bulkOperation) {
      if (userErrors.length > 0) this.logger?.debug('cancel had no effect', { operationId: id, messages: userErrors.map((e) => e.message) });
      return parseOperation(bulkOperation);
    }
    if (userErrors.length === 0 || userErrors.some((e) => /does not exist/i.test(e.message))) return null;
    throw new EtlError(ErrorCodes.GRAPHQL_ERROR, `cancelling bulk operation ${id} failed: ${userErrors.map((e) => e.message).join(' | ')}`, {
      details: { operationId: id, userErrors },
    });
  }

  /**
   * Our newest query operation running exactly `query` and created at or after `since`, whatever its
   * status, or null: how a run finds the operation a run that died before recording Shopify's answer
   * submitted (Shopify echoes the query; a window's range makes it unique).
   */
  async find(query: string, since: Date): Promise<BulkOperation | null> {
    if (hasBulkOperationQuery(this.apiVersion)) {
      const search = `operation_type:query created_at:>='${since.toISOString()}'`;
      const data = await this.client.request<{ bulkOperations: { nodes: RawBulkOperation[] } }>(FIND, { search });
      const found = data.bulkOperations.nodes.find((op) => op.query === query);
      return found ? parseOperation(found) : null;
    }
    // Before 2026-01 there is one slot: an operation submitted since then is the newest, unless another followed it.
    const current = (await this.client.request<{ currentBulkOperation: RawBulkOperation | null }>(CURRENT)).currentBulkOperation;
    return current && current.query === query && Date.parse(current.createdAt) >= since.getTime() ? parseOperation(current) : null;
  }

  /** Bulk *query* operations holding a slot (CREATED or RUNNING) for this app on this shop. */
  async running(): Promise<BulkOperation[]> {
    return (await this.runningRaw()).map(parseOperation);
  }

  private async runningRaw(): Promise<RawBulkOperation[]> {
    if (hasBulkOperationQuery(this.apiVersion)) {
      const data = await this.client.request<{ running: { nodes: RawBulkOperation[] }; created: { nodes: RawBulkOperation[] } }>(RUNNING);
      const byId = new Map<string, RawBulkOperation>();
      for (const op of [...data.running.nodes, ...data.created.nodes]) byId.set(op.id, op);
      return [...byId.values()];
    }
    // Before 2026-01 there is one slot, and currentBulkOperation is its newest operation, whatever its status.
    const data = await this.client.request<{ currentBulkOperation: RawBulkOperation | null }>(CURRENT);
    const current = data.currentBulkOperation;
    return current && (current.status === 'CREATED' || current.status === 'RUNNING') ? [current] : [];
  }

  /**
   * Polls until the operation is terminal (COMPLETED, FAILED, CANCELED, EXPIRED) and returns it. Waits
   * grow from initialIntervalMs to maxIntervalMs. Past either bound the operation is cancelled (so it
   * stops holding a slot), CANCELED is awaited for a bounded time, and BULK_STUCK is thrown.
   */
  async poll(id: string, options: PollOptions): Promise<BulkOperation> {
    const started = this.now();
    let interval = options.initialIntervalMs;
    for (;;) {
      throwIfAborted(options.signal);
      const op = await this.get(id);
      if (!op) throw this.vanished(id);
      options.onProgress?.(op);
      if (TERMINAL.has(op.status)) return op;
      // createdAt is whole seconds: count from the last instant it can stand for, so a short bound never fires early.
      const created = Date.parse(op.createdAt) + 999;
      const age = this.now() - (Number.isNaN(created) ? started : Math.min(started, created));
      if (op.status === 'CREATED' && age > options.createdTimeoutMs) return this.giveUp(op, 'created', age, options.createdTimeoutMs, options);
      if (age > options.runningTimeoutMs) return this.giveUp(op, 'running', age, options.runningTimeoutMs, options);
      if (options.maxObjects && op.status === 'RUNNING' && op.objectCount > options.maxObjects) return this.giveUp(op, 'too_large', age, options.runningTimeoutMs, options);
      await pause(this.sleep, interval, options.signal);
      interval = Math.min(options.maxIntervalMs, Math.ceil(interval * POLL_BACKOFF));
    }
  }

  private vanished(id: string): EtlError {
    return new EtlError(
      ErrorCodes.BULK_FAILED,
      `bulk operation ${id} does not exist on ${this.client.shop} (it belongs to another app or shop, or Shopify dropped it); the window is extracted again`,
      { details: { operationId: id, reason: 'not_found' } },
    );
  }

  private async giveUp(op: BulkOperation, phase: 'created' | 'running' | 'too_large', ageMs: number, limitMs: number, options: PollOptions): Promise<BulkOperation> {
    this.logger?.warn('bulk operation is stuck; cancelling it', { operationId: op.id, status: op.status, ageMs, limitMs });
    let last = (await this.cancel(op.id)) ?? op;
    const deadline = this.now() + this.cancelTimeoutMs;
    let interval = options.initialIntervalMs;
    while (!TERMINAL.has(last.status) && this.now() < deadline) {
      await pause(this.sleep, interval, options.signal);
      interval = Math.min(options.maxIntervalMs, Math.ceil(interval * POLL_BACKOFF));
      last = (await this.get(op.id)) ?? last;
    }
    // It finished while we were cancelling: the result is as good as any.
    if (last.status === 'COMPLETED') return last;
    const what = phase === 'too_large'
      ? `had read ${op.objectCount} objects, past the --max-objects limit of ${options.maxObjects}`
      : `${phase === 'created' ? 'waited in CREATED' : `ran (status ${op.status})`} for ${duration(ageMs)}, past the ${duration(limitMs)} limit`;
    throw new EtlError(
      ErrorCodes.BULK_STUCK,
      `bulk operation ${op.id} ${what}; cancelled it (now ${last.status}). ` +
        (phase === 'created' ? 'Shopify is slow to start it; try again later or raise --created-timeout' : 'Too much for one operation: the window is split (up to 4 times); use a smaller --window or raise the limit'),
      {
        // Shopify's queue may clear (CREATED); an operation that ran too long will do so again unless split.
        action: phase === 'created' ? 'resubmit' : 'split',
        details: { operationId: op.id, phase, status: op.status, statusAfterCancel: last.status, ageMs, limitMs },
      },
    );
  }
}

/** "0.5s", "45s", "12 min", "3.5 h": limits range from seconds (tests) to hours. */
function duration(ms: number): string {
  if (ms < 10_000) return `${Math.round(ms / 100) / 10}s`;
  if (ms < 120_000) return `${Math.round(ms / 1000)}s`;
  if (ms < 7_200_000) return `${Math.round(ms / 60_000)} min`;
  return `${Math.round(ms / 360_000) / 10} h`;
}
