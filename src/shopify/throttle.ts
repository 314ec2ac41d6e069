// Client-side pacing against Shopify's leaky bucket of cost points
// (docs/shopify-bulk-api.md#rate-limits). Every response reports the bucket; before a request we wait
// until the bucket, refilled at restoreRate since that report, can hold the request's expected cost.
// Pacing avoids THROTTLED answers instead of reacting to them, which matters on dev stores with tiny
// buckets (https://github.com/microsoft/BCApps/pull/10417).
import type { Clock } from './retry.ts';

export interface ThrottleStatus {
  maximumAvailable: number;
  currentlyAvailable: number;
  restoreRate: number;
}

export interface QueryCost {
  requestedQueryCost: number | null;
  actualQueryCost: number | null;
  throttleStatus: ThrottleStatus;
}

/** Costs Shopify charged per document; the estimate when none is known (docs/shopify-bulk-api.md#rate-limits). */
const MUTATION_COST = 10;
const QUERY_COST = 1;
/** Shopify said THROTTLED, so some wait is due even when its numbers say the points are there. */
const MIN_THROTTLED_WAIT_MS = 100;
/** A handful of documents are in use; the cap only guards against callers building documents on the fly. */
const MAX_REMEMBERED_DOCUMENTS = 500;

/** Reads `extensions.cost` from a response, or null when it is missing or malformed. */
export function readCost(extensions: unknown): QueryCost | null {
  const cost = (extensions as { cost?: unknown } | null | undefined)?.cost as Record<string, unknown> | undefined;
  const status = cost?.throttleStatus as Record<string, unknown> | undefined;
  if (!cost || !status) return null;
  const { maximumAvailable, currentlyAvailable, restoreRate } = status;
  if (typeof maximumAvailable !== 'number' || typeof currentlyAvailable !== 'number' || typeof restoreRate !== 'number') {
    return null;
  }
  return {
    requestedQueryCost: typeof cost.requestedQueryCost === 'number' ? cost.requestedQueryCost : null,
    actualQueryCost: typeof cost.actualQueryCost === 'number' ? cost.actualQueryCost : null,
    throttleStatus: { maximumAvailable, currentlyAvailable, restoreRate },
  };
}

export function isMutation(document: string): boolean {
  const code = document.replace(/#[^\n\r]*/g, '').trimStart();
  return code.startsWith('mutation');
}

export class CostBucket {
  private readonly now: Clock;
  private status: ThrottleStatus | null = null;
  private observedAt = 0;
  private readonly lastCost = new Map<string, number>();

  constructor(now: Clock) {
    this.now = now;
  }

  /** What the bucket holds now, by the last report plus refill; null before the first report. */
  available(): number | null {
    if (!this.status) return null;
    const refilled = ((this.now() - this.observedAt) / 1000) * this.status.restoreRate;
    return Math.min(this.status.maximumAvailable, this.status.currentlyAvailable + refilled);
  }

  /** The cost to plan for: what this document cost last time, else a mutation's or a query's usual cost. */
  expectedCost(document: string): number {
    return this.lastCost.get(document) ?? (isMutation(document) ? MUTATION_COST : QUERY_COST);
  }

  /** Milliseconds until the bucket can hold `cost` (0 when it can, or when nothing is known yet). */
  waitMs(cost: number): number {
    const available = this.available();
    if (available === null || !this.status || available >= cost) return 0;
    // A cost above the bucket's size can never fit; waiting for a full bucket is the best we can do.
    const target = Math.min(cost, this.status.maximumAvailable);
    if (available >= target || this.status.restoreRate <= 0) return 0;
    return Math.ceil(((target - available) / this.status.restoreRate) * 1000);
  }

  /**
   * Takes `cost` out of the local view when a request is sent, so concurrent requests (several entities
   * at once) do not all plan on the same points. The next report replaces the estimate with the truth.
   */
  reserve(cost: number): void {
    const available = this.available();
    if (available === null || !this.status) return;
    this.status = { ...this.status, currentlyAvailable: available - cost };
    this.observedAt = this.now();
  }

  /** Records a response's cost report. */
  observe(document: string, cost: QueryCost): void {
    this.status = cost.throttleStatus;
    this.observedAt = this.now();
    if (cost.actualQueryCost !== null) {
      if (this.lastCost.size >= MAX_REMEMBERED_DOCUMENTS && !this.lastCost.has(document)) this.lastCost.clear();
      this.lastCost.set(document, cost.actualQueryCost);
    }
  }

  /** After a THROTTLED answer: how long until the bucket holds the cost Shopify asked for. */
  throttledWaitMs(cost: QueryCost): number {
    const { currentlyAvailable, restoreRate, maximumAvailable } = cost.throttleStatus;
    const requested = Math.min(cost.requestedQueryCost ?? maximumAvailable, maximumAvailable);
    if (restoreRate <= 0) return MIN_THROTTLED_WAIT_MS * 10;
    return Math.max(MIN_THROTTLED_WAIT_MS, Math.ceil(((requested - currentlyAvailable) / restoreRate) * 1000));
  }
}
