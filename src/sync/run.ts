// The job: every shop of this task through its run (shop-run.ts), one after another, each with its own
// state file and lock; parallelism across shops comes from running several tasks (src/cli/shops.ts splits
// the list). Ends with a summary per shop and the job's exit code (README, Exit codes).
import type { RunConfig, ShopTarget } from '../cli/config.ts';
import { exitCodeOf, ExitCodes, interruptExitCode } from '../errors/index.ts';
import type { Logger } from '../report/log.ts';
import type { LiveBlock } from '../report/progress.ts';
import { plural } from '../report/text.ts';
import { gzipEngine } from '../pipeline/segment.ts';
import { WorkerPool } from '../pipeline/worker-pool.ts';
import type { EntityOutcome } from './entity-run.ts';
import type { SyncHooks } from './hooks.ts';
import type { QualityReport } from './quality.ts';
import { startSandboxProcess } from '../shopify/sandbox-process.ts';
import { runShop } from './shop-run.ts';

export interface ShopSummary {
  shop: string;
  runId: string;
  status: 'succeeded' | 'partial' | 'failed' | 'interrupted';
  durationMs: number;
  entities: EntityOutcome[];
  /** Every table of the selected entities, so a table that got no rows is still reported (with 0). */
  tables: string[];
  /** Where the output went (--dest), and the run manifest once written. */
  dest: string;
  manifest: string | null;
  /** Bytes of the part files published per table, from the run manifest. */
  bytesByTable: Record<string, number>;
  error?: { code: string; message: string };
  /** The run's financial accuracy checks, as its manifest records them (and named as there); absent when they were not computed. */
  _quality?: QualityReport;
  requests: number;
  retries: number;
}

export interface JobResult {
  shops: ShopSummary[];
  exitCode: number;
  durationMs: number;
}

export interface RunDeps {
  logger: Logger;
  /** The terminal's live progress lines, or null off a TTY (progress then goes to the log). */
  live: LiveBlock | null;
  signal: AbortSignal;
  now?: () => Date;
  /** Called at the commit protocol's named points (the crash-safety tests stop the process there); none in production. */
  hooks?: SyncHooks;
}

export async function runJob(config: RunConfig, deps: RunDeps): Promise<JobResult> {
  const started = Date.now();
  // A process of its own (the shopify-sandbox package), started only when asked for.
  const sandbox = config.sandbox ? await startSandboxProcess(config.sandbox) : null;
  try {
    const targets: ShopTarget[] = sandbox
      ? [{ shop: sandbox.shop, adminUrl: sandbox.url, state: config.state, auth: { kind: 'token', token: sandbox.token } }]
      : config.shops;
    if (sandbox) deps.logger.info('extracting from the built-in sandbox store', { url: sandbox.url, shop: sandbox.shop });
    const gzip = gzipEngine(config.gzipLevel);
    if (config.format === 'ndjson' && gzip.fallback !== null) deps.logger.warn(`gzip parts are compressed by ${gzip.engine}, about 4x slower than by ISA-L: ${gzip.fallback}`);
    if (config.shard.count > 1 || config.shard.totalShops > 1) {
      deps.logger.info(`task ${config.shard.index} of ${config.shard.count} takes ${targets.length} of ${plural(config.shard.totalShops, 'shop')}`, { shops: targets.map((t) => t.shop) });
    }
    const shops: ShopSummary[] = [];
    const pool = new WorkerPool(config.workers);
    try {
      for (const target of targets) {
        if (deps.signal.aborted) break;
        shops.push(await runShop(config, target, deps, pool));
      }
    } finally {
      await pool.close();
    }
    return { shops, exitCode: exitCode(shops, deps.signal), durationMs: Date.now() - started };
  } finally {
    await sandbox?.stop();
  }
}

function exitCode(shops: ShopSummary[], signal: AbortSignal): number {
  if (signal.aborted) return interruptExitCode(signal.reason);
  if (shops.every((s) => s.status === 'succeeded')) return ExitCodes.OK;
  if (shops.length > 0 && shops.every((s) => s.status === 'failed' && exitCodeOf(s.error?.code) === ExitCodes.CONFIG)) return ExitCodes.CONFIG;
  // Like 2, 3 speaks for the whole job: every shop was locked by another run, so nothing was done and
  // trying again later is all it takes. A locked shop beside any other outcome is a partial failure.
  if (shops.length > 0 && shops.every((s) => s.status === 'failed' && exitCodeOf(s.error?.code) === ExitCodes.LOCKED)) return ExitCodes.LOCKED;
  return ExitCodes.PARTIAL_FAILURE;
}
