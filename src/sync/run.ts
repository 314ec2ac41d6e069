// The job: for each shop of this task, open its state and destination, check the credentials, then
// extract every selected entity (bulk operations in parallel up to Shopify's limit) through the commit
// protocol. Shops run one after another, each with its own state file and lock; parallelism across
// shops comes from running several tasks (src/cli/shops.ts splits the list). One entity failing does not
// stop the others; a shop-level failure (bad or missing credentials, frozen shop, lost state lock)
// stops that shop only. Ends with a summary and the exit code design.md promises.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { RunConfig, ShopTarget } from '../cli/config.ts';
import { checkWritableFolder } from '../io/durable.ts';
import { entityByName } from '../entities/index.ts';
import { bigQuerySchema } from '../rows/schema.ts';
import type { Entity } from '../entities/types.ts';
import { EtlError, ErrorCodes, ExitCodes, interruptExitCode, isConfigurationCode, isEtlError } from '../errors/index.ts';
import type { ShopContext } from './context.ts';
import { planEntity, runEntity, type EntityOutcome } from './entity-run.ts';
import { windowQuery } from './bulk-window.ts';
import { removeEmptyFolders } from './files.ts';
import { recoverInterrupted } from './resume.ts';
import { openDestination } from '../load/index.ts';
import { manifestObjectName, newRunId, objectLocation, runDateOf, schemaObjectName } from '../load/layout.ts';
import { Manifest } from '../load/manifest.ts';
import { redact, type Logger } from '../report/log.ts';
import { planOptions, planWindows, readLimit } from './plan.ts';
import { WorkerPool } from '../pipeline/worker-pool.ts';
import { createProgress, type LiveBlock } from '../report/progress.ts';
import { clientCredentialsToken, staticToken } from '../shopify/auth.ts';
import { BulkClient } from '../shopify/bulk.ts';
import { ShopifyClient } from '../shopify/client.ts';
import { startSandboxProcess } from '../shopify/sandbox-process.ts';
import { bulkConcurrencyLimit } from '../shopify/versions.ts';
import { StateDb } from '../state/db.ts';
import { plural } from '../report/text.ts';
import { openState, type StateHandle } from '../state/open.ts';

export const TOOL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

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
  if (shops.length > 0 && shops.every((s) => s.status === 'failed' && isConfigurationCode(s.error?.code))) return ExitCodes.CONFIG;
  if (shops.some((s) => s.error?.code === ErrorCodes.STATE_LOCKED) && shops.every((s) => s.status !== 'succeeded' && s.status !== 'partial')) return ExitCodes.LOCKED;
  return ExitCodes.PARTIAL_FAILURE;
}

async function runShop(jobConfig: RunConfig, target: ShopTarget, deps: RunDeps, pool: WorkerPool): Promise<ShopSummary> {
  // Everything downstream (state, lock, dry-run plan) reads config.state: point it at this shop's.
  const config: RunConfig = { ...jobConfig, state: target.state };
  const now = deps.now ?? (() => new Date());
  const started = now();
  const runId = newRunId(started, randomBytes(3).toString('hex'));
  const logger = deps.logger.child({ run_id: runId, shop: target.shop });
  const summary: ShopSummary = { shop: target.shop, runId, status: 'failed', durationMs: 0, entities: [], tables: [], dest: config.dest, manifest: null, bytesByTable: {}, requests: 0, retries: 0 };
  const shopAbort = new AbortController();
  const signal = AbortSignal.any([deps.signal, shopAbort.signal]);
  let state: StateHandle | null = null;
  let client: ShopifyClient | null = null;
  let manifest: Manifest | null = null;
  try {
    const selected = config.entities.map(entityByName);
    summary.tables = selected.flatMap((e) => e.tables.map((t) => t.name));
    warnAboutRange(config, selected, started, logger);
    if (config.dryRun) {
      // Needs no credentials, so a plan can be checked before the token exists. With them, it asks
      // the shop for its creation date, so an open-ended range is split as the run will split it.
      client = target.auth.kind === 'unavailable' ? null : connect(config, target, logger, signal);
      const shopCreatedAt = client ? new Date((await preflight(client)).createdAt) : null;
      printPlan(config, selected, target.shop, started, shopCreatedAt, deps);
      summary.status = 'succeeded';
      return summary;
    }
    client = connect(config, target, logger, signal);
    const bulk = new BulkClient(client, { apiVersion: config.apiVersion, logger });
    // Every place this run writes is checked (and the state lock taken) before the first call to
    // Shopify: a path found unwritable later would leave a submitted bulk operation to no one. The
    // state goes before staging, whose default folder is beside it: the error names the path given.
    const dest = await openDestination(config.dest, { gcsEndpoint: config.gcsEndpoint, resumableThreshold: config.gcsResumableThreshold, logger });
    await dest.check();
    state = await openState(config, target.shop, runId, logger, signal);
    state.db.startRun(runId, target.shop);
    // The run row reaches gs:// before the run writes anything, so a rerun after a kill knows its id.
    await state.publish();
    await checkWritableFolder(config.staging, 'staging folder', '--staging');
    const shopInfo = await preflight(client);
    // Where an open-ended range (a first run, a full refresh) starts being split by --window.
    const shopCreatedAt = new Date(shopInfo.createdAt);
    await Promise.all(selected.flatMap((e) => e.tables).map((table) => dest.writeJson(schemaObjectName(table.name), bigQuerySchema(table), { replace: true })));
    const progress = createProgress({ live: deps.live, logger });
    manifest = new Manifest(dest, { runId, shop: target.shop, apiVersion: config.apiVersion, startedAt: started.toISOString(), toolVersion: TOOL_VERSION });
    const ctx: ShopContext = {
      config, shop: target.shop, runId, runDate: runDateOf(runId), startedAt: started,
      state: state.db, dest, client, bulk, logger, signal,
      slots: pLimit(Math.min(config.concurrency, bulkConcurrencyLimit(config.apiVersion))),
      pool, uploads: pLimit(4), parts: new Map(), manifest, progress, shopCreatedAt, shopCurrency: shopInfo.currencyCode,
      persist: () => state!.publish(),
    };
    // Every entity's plan is checked before anything is submitted: one that cannot run (too many
    // windows) stops the shop with a configuration error rather than after other entities started.
    for (const entity of selected) {
      signal.throwIfAborted();
      planEntity(ctx, entity);
    }
    await recoverInterrupted({ state: state.db, dest, shop: target.shop, runId, staging: config.staging, logger });
    const results = await Promise.all(selected.map(async (entity) => {
      try {
        return await runEntity(ctx, entity);
      } catch (err) {
        // A shop-level failure: stop the other entities of this shop too.
        shopAbort.abort(err);
        throw err;
      }
    }).map((p) => p.then((r) => ({ ok: true as const, r }), (e: unknown) => ({ ok: false as const, e }))));
    progress.stop();
    summary.entities = results.flatMap((x) => (x.ok ? [x.r] : []));
    const fatal = results.find((x) => !x.ok);
    if (fatal && !fatal.ok) throw fatal.e;
    const failed = summary.entities.filter((e) => e.status !== 'committed');
    summary.status = deps.signal.aborted ? 'interrupted' : failed.length === 0 ? 'succeeded' : failed.length === summary.entities.length ? 'failed' : 'partial';
    await manifest.finish(summary.status, now().toISOString());
    summary.manifest = objectLocation(config.dest, manifestObjectName(target.shop, runId));
    return summary;
  } catch (err) {
    const e = err instanceof EtlError ? err : new EtlError(ErrorCodes.INTERNAL, (err as Error)?.message ?? String(err), { cause: err });
    summary.status = deps.signal.aborted || isEtlError(e, ErrorCodes.INTERRUPTED) ? 'interrupted' : 'failed';
    summary.error = { code: e.code, message: e.message };
    logger.error(`${target.shop}: ${e.message}`, { code: e.code });
    return summary;
  } finally {
    summary.durationMs = now().getTime() - started.getTime();
    summary.requests = client?.stats.requests ?? 0;
    summary.retries = (client?.stats.retries ?? 0) + summary.entities.reduce((a, e) => a + e.retries, 0);
    summary.bytesByTable = Object.fromEntries(Object.entries(manifest?.document.tables ?? {}).map(([t, v]) => [t, v.bytes]));
    if (state) await state.close(summary.status, summary);
    // The run's staging folder stays only while it holds staged files a later run will upload.
    await removeEmptyFolders(join(config.staging, runId)).catch((err: unknown) => logger.warn('could not remove the run\'s empty staging folders', { error: String(err) }));
  }
}

function connect(config: RunConfig, target: ShopTarget, logger: Logger, signal: AbortSignal): ShopifyClient {
  return new ShopifyClient({ adminUrl: target.adminUrl, shop: target.shop, apiVersion: config.apiVersion, token: tokenProvider(target), logger, signal, retry: { budgetMs: config.retryBudgetMs } });
}

/** What the run needs to know of the shop before it starts: its creation (the windows' floor) and its currency. */
async function preflight(client: ShopifyClient): Promise<{ id: string; createdAt: string; currencyCode: string }> {
  return (await client.request<{ shop: { id: string; createdAt: string; currencyCode: string } }>('query Preflight { shop { id createdAt currencyCode } }')).shop;
}

function tokenProvider(target: ShopTarget) {
  if (target.auth.kind === 'unavailable') throw new EtlError(ErrorCodes.CONFIG_INVALID, target.auth.message);
  if (target.auth.kind === 'token') {
    redact(target.auth.token);
    return staticToken(target.auth.token);
  }
  redact(target.auth.clientSecret);
  return clientCredentialsToken({ adminUrl: target.adminUrl, clientId: target.auth.clientId, clientSecret: target.auth.clientSecret });
}

/** Says where a backfill's range does not apply as given: an --until past what can have been read, snapshot entities. */
function warnAboutRange(config: RunConfig, selected: Entity[], now: Date, logger: Logger): void {
  const limit = readLimit({ now, safetyLagMs: config.safetyLagMs });
  if (config.until && config.until > limit) {
    logger.warn(`--until ${config.until.toISOString()} is later than now minus --safety-lag; the run ends at ${limit.toISOString()}, since nothing later can have been read`, { until: config.until.toISOString(), endsAt: limit.toISOString() });
  }
  const snapshots = selected.filter((e) => !e.incremental).map((e) => e.name);
  if ((config.since || config.until) && snapshots.length > 0) {
    logger.warn(`${snapshots.join(', ')}: snapshot entities have no date range; --since/--until do not apply, they are taken as they are now`, { entities: snapshots });
  }
}

function printPlan(config: RunConfig, selected: Entity[], shop: string, now: Date, shopCreatedAt: Date | null, deps: RunDeps): void {
  // Touches nothing: the state is only read, and only if it is local and already exists.
  const state = config.state.startsWith('gs://') ? null : StateDb.openReadOnly(config.state);
  if (shopCreatedAt === null && selected.some((e) => e.incremental)) {
    deps.logger.warn('no credentials, so the shop\'s creation date is unknown: a range open at its start is shown as one window; the run splits it by --window from that date');
  }
  try {
    for (const entity of selected) {
      const watermark = state?.watermark(shop, entity.name) ?? null;
      const windows = planWindows(entity, watermark, planOptions(config, now, shopCreatedAt));
      const plan = windows.map((w) => ({ since: w.since?.toISOString() ?? null, until: w.until.toISOString() }));
      // For people the plan is text to read; off a terminal it is one log entry per entity, queries included.
      if (config.log.format === 'json') {
        deps.logger.info(`plan: ${entity.name}`, { watermark, windows: plan.map((w) => ({ ...w, query: windowQuery(entity, w) })) });
        continue;
      }
      deps.logger.info(`plan: ${entity.name}`, { watermark, windows: plan });
      for (const w of plan) process.stdout.write(`# plan: ${shop} ${entity.name} [${w.since ?? 'beginning'}, ${w.until})\n${windowQuery(entity, w)}\n`);
    }
  } finally {
    state?.close();
  }
}
