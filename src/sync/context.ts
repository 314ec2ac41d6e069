// What every stage of one shop's run shares: its identity, its adapters and its limits.
import type { LimitFunction } from 'p-limit';
import type { RunConfig } from '../cli/config.ts';
import type { Destination } from '../load/destination.ts';
import type { Logger } from '../report/log.ts';
import type { BulkClient } from '../shopify/bulk.ts';
import type { ShopifyClient } from '../shopify/client.ts';
import type { StateDb } from '../state/db.ts';
import type { Manifest } from '../load/manifest.ts';
import type { Progress } from '../report/progress.ts';
import type { WorkerPool } from '../pipeline/worker-pool.ts';

export interface ShopContext {
  config: RunConfig;
  shop: string;
  runId: string;
  /** UTC date of the run's start: the dt= partition of every file it writes. */
  runDate: string;
  /** When the run started: the "now" its windows are planned from. */
  startedAt: Date;
  state: StateDb;
  dest: Destination;
  client: ShopifyClient;
  bulk: BulkClient;
  logger: Logger;
  /** Aborted on SIGTERM/SIGINT: stop submitting, stop streaming, keep state consistent. */
  signal: AbortSignal;
  /** Shopify's concurrent bulk operations per shop: held from submit until the operation ends. */
  slots: LimitFunction;
  /** Worker threads for parsing, transforming and compressing JSONL batches (shared by every window). */
  pool: WorkerPool;
  /** Uploads in flight at once. */
  uploads: LimitFunction;
  /** Next part number per table in this run, so windows of one run never reuse a file name. */
  parts: Map<string, number>;
  manifest: Manifest;
  progress: Progress;
  /** The shop's currency (ISO 4217), from the preflight query: variant prices are in it. */
  shopCurrency: string;
  /** The shop's creation time, once known: the floor for splitting an open-ended window. */
  shopCreatedAt: Date | null;
  /**
   * Makes what the state recorded so far durable beyond this machine (remote state uploads a
   * snapshot; a local file already is). Called wherever a later run relies on it: after a submit (the
   * operation id, so a run killed before its first commit is adopted, not submitted again) and after
   * each commit. Resolves only once the record is durable.
   */
  persist: () => Promise<void>;
}
