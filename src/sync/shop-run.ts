// One shop of the job: open its state and destination, check the credentials, then take every
// selected entity through the sync stage (bulk operations in parallel up to Shopify's limit). One
// entity failing does not stop the others; a shop-level failure (bad or missing credentials, frozen
// shop, lost state lock) stops this shop only. Here the stages are wired: each is given the few things
// it uses.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pLimit from 'p-limit';
import type { RunConfig, ShopTarget } from '../cli/config.ts';
import { entityByName } from '../entities/index.ts';
import { bigQuerySchema } from '../rows/schema.ts';
import { EtlError, ErrorCodes, isEtlError } from '../errors/index.ts';
import { checkWritableFolder } from '../io/durable.ts';
import type { Destination } from '../load/destination.ts';
import { openDestination } from '../load/index.ts';
import { manifestObjectName, newRunId, objectLocation, runDateOf, schemaObjectName } from '../load/layout.ts';
import { Manifest } from '../load/manifest.ts';
import { removeEmptyFolders, type OutboxDeps } from '../load/outbox.ts';
import type { WorkerPool } from '../pipeline/worker-pool.ts';
import { redact, type Logger } from '../report/log.ts';
import { createProgress, type Progress } from '../report/progress.ts';
import { clientCredentialsToken, staticToken } from '../shopify/auth.ts';
import { BulkClient } from '../shopify/bulk.ts';
import { ShopifyClient } from '../shopify/client.ts';
import { ALL_ORDERS_SCOPE, hasScope } from '../shopify/scopes.ts';
import { bulkConcurrencyLimit } from '../shopify/versions.ts';
import type { StateDb } from '../state/db.ts';
import { openState, type StateHandle } from '../state/open.ts';
import { deletionsTable } from '../entities/deletions.ts';
import { extractBulkWindow, type BulkWindowDeps } from './bulk-window.ts';
import { deletesOf, runDeletes } from './deletes/stage.ts';
import { lookUpIdBounds } from './id-split.ts';
import { printPlan, warnAboutRange } from './dry-run.ts';
import { planEntity, runEntity, type EntityRunDeps } from './entity-run.ts';
import type { SyncHooks } from './hooks.ts';
import { extractPlainWindow } from './plain-window.ts';
import { planOptions, type PlanOptions } from './plan.ts';
import { recoverInterrupted } from './resume.ts';
import { runQualityChecks } from './quality.ts';
import { preflightScopes } from './scope-preflight.ts';
import type { RunDeps, ShopSummary } from './run.ts';
import { Staging } from './staging.ts';
import { WindowMachine, type WindowDeps } from './window.ts';

export const TOOL_VERSION = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export async function runShop(config: RunConfig, target: ShopTarget, deps: RunDeps, pool: WorkerPool): Promise<ShopSummary> {
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
    // The deletions stage's table, when it runs (src/sync/deletes/).
    const deletable = config.deletesEveryMs === null ? [] : deletesOf(selected);
    const tables = [...selected.flatMap((e) => e.tables), ...(deletable.length > 0 ? [deletionsTable.def] : [])];
    summary.tables = tables.map((t) => t.name);
    warnAboutRange(config, selected, started, logger);
    if (config.dryRun) {
      // Needs no credentials, so a plan can be checked before the token exists. With them, it asks
      // the shop for its creation date, so an open-ended range is split as the run will split it.
      client = target.auth.kind === 'unavailable' ? null : connect(config, target, logger, signal);
      const shopCreatedAt = client ? new Date((await preflight(client)).createdAt) : null;
      // The shop's own state: --state itself, or its per-shop name in a shops-file job.
      const plan = planOptions(config, started, shopCreatedAt);
      await printPlan({ state: target.state, json: config.log.format === 'json' }, selected, { shop: target.shop, plan, client, asked: config.entitiesAsked, deletesEveryMs: config.deletesEveryMs }, deps.logger);
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
    state = await openState(target.state, config, target.shop, runId, logger, signal);
    state.db.runs.start(runId, target.shop);
    // The run row reaches gs:// before the run writes anything, so a rerun after a kill knows its id.
    await state.publish();
    await checkWritableFolder(config.staging, 'staging folder', '--staging');
    const shopInfo = await preflight(client);
    // Where an open-ended range (a first run, a full refresh) starts being split by --window.
    const shopCreatedAt = new Date(shopInfo.createdAt);
    await Promise.all(tables.map((table) => dest.writeJson(schemaObjectName(table.name), bigQuerySchema(table), { replace: true })));
    const progress = createProgress({ live: deps.live, logger });
    manifest = new Manifest(dest, { runId, shop: target.shop, apiVersion: config.apiVersion, startedAt: started.toISOString(), toolVersion: TOOL_VERSION });
    const plan = planOptions(config, started, shopCreatedAt);
    const sync = entityRunDeps(config, {
      shop: target.shop, runId, plan, state: state.db, dest, client, bulk, logger, signal, pool, manifest, progress,
      currency: shopInfo.currencyCode, hooks: deps.hooks ?? {}, persist: () => state!.publish(),
    });
    // Every entity's plan is checked before anything is submitted: one that cannot run (too many
    // windows) stops the shop with a configuration error rather than after other entities started.
    for (const entity of selected) {
      signal.throwIfAborted();
      planEntity(sync, entity);
    }
    const { runnable, refused, granted, notes } = await preflightScopes({
      client, manifest, logger, now: started, asked: config.entitiesAsked,
      view: { json: config.log.format === 'json', write: (text) => process.stdout.write(text) },
      windows: (entity) => planEntity(sync, entity),
    }, selected);
    await recoverInterrupted({ state: state.db, dest, shop: target.shop, runId, staging: config.staging, logger });
    const results = await Promise.all(runnable.map(async (entity) => {
      try {
        return await runEntity(sync, entity);
      } catch (err) {
        // A shop-level failure: stop the other entities of this shop too.
        shopAbort.abort(err);
        throw err;
      }
    }).map((p) => p.then((r) => ({ ok: true as const, r }), (e: unknown) => ({ ok: false as const, e }))));
    // Deletes are looked for once the entities are done: their windows' ids are in the id sets by then.
    // Only the entities that ran: one skipped for a missing scope would have its snapshot refused too.
    const deletes = results.every((x) => x.ok) ? await runDeletes({ sync, bulk: sync.bulkWindow, ids: state.db.idSets, everyMs: config.deletesEveryMs ?? 0, now: started, allOrders: granted !== null && hasScope(granted, ALL_ORDERS_SCOPE) }, deletable.filter((e) => runnable.includes(e))) : [];
    progress.stop();
    // An entity run without a query whose data the shop cannot have says so (scope-preflight.ts).
    const ran = results.flatMap((x) => (x.ok ? [notes.has(x.r.entity) && !x.r.note ? { ...x.r, note: notes.get(x.r.entity)! } : x.r] : []));
    summary.entities = [...selected.flatMap((e) => [...refused, ...ran].filter((o) => o.entity === e.name)), ...deletes];
    const fatal = results.find((x) => !x.ok);
    if (fatal && !fatal.ok) throw fatal.e;
    const failed = summary.entities.filter((e) => e.status !== 'committed' && e.status !== 'skipped');
    summary.status = deps.signal.aborted ? 'interrupted' : failed.length === 0 ? 'succeeded' : failed.length === summary.entities.filter((e) => e.status !== 'skipped').length ? 'failed' : 'partial';
    if (!deps.signal.aborted) await runQualityChecks(config.strictQuality, { sums: state.db.windowSums, shop: target.shop, manifest, summary, logger, scratch: join(config.staging, runId) });
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

/** What one shop's run has opened, from which each stage takes its part. */
interface ShopParts {
  shop: string;
  runId: string;
  plan: PlanOptions;
  state: StateDb;
  dest: Destination;
  client: ShopifyClient;
  bulk: BulkClient;
  logger: Logger;
  signal: AbortSignal;
  pool: WorkerPool;
  manifest: Manifest;
  progress: Progress;
  /** The shop's currency (ISO 4217), from the preflight query: variant prices are in it. */
  currency: string;
  hooks: SyncHooks;
  /**
   * Makes what the state recorded so far durable beyond this machine (remote state uploads a
   * snapshot; a local file already is). Called wherever a later run relies on it: after a submit (the
   * operation id, so a run killed before its first commit is adopted, not submitted again) and after
   * each commit. Resolves only once the record is durable.
   */
  persist: () => Promise<void>;
}

function entityRunDeps(config: RunConfig, p: ShopParts): EntityRunDeps & { bulkWindow: BulkWindowDeps } {
  const { shop, runId, state, logger, signal, progress } = p;
  const outbox: OutboxDeps = { state, dest: p.dest, uploads: pLimit(4), logger, signal };
  const staging = new Staging({ outbox, stagingRoot: config.staging, shop, runId, runDate: runDateOf(runId), partSize: config.partSize, format: config.format, progress, ids: state.idSets, sums: state.windowSums });
  const meta = { shop, runId, currency: p.currency, format: config.format };
  const bulkWindow: BulkWindowDeps = {
    operations: {
      shop, state, bulk: p.bulk, logger, progress, signal,
      timing: { initialIntervalMs: config.pollIntervalMs, maxIntervalMs: config.maxPollIntervalMs, createdTimeoutMs: config.createdTimeoutMs, runningTimeoutMs: config.operationTimeoutMs, maxObjects: config.maxObjects },
    },
    slots: pLimit(Math.min(config.concurrency, bulkConcurrencyLimit(config.apiVersion))),
    pool: p.pool, staging, meta, gzipLevel: config.gzipLevel, retryBudgetMs: config.retryBudgetMs,
    counts: { client: p.client, logger },
    client: p.client,
  };
  const plainWindow = { client: p.client, staging, progress, meta, gzipLevel: config.gzipLevel };
  const windows: WindowDeps = { state, manifest: p.manifest, persist: p.persist, logger, signal, hooks: p.hooks };
  return {
    shop, runId, state, outbox, stagingRoot: config.staging, plan: p.plan, manifest: p.manifest, logger, progress, signal, bulkWindow,
    machine: (windowId) => new WindowMachine(windows, windowId),
    extract: (entity, window) => (entity.kind === 'plain' ? extractPlainWindow(plainWindow, entity, window) : extractBulkWindow(bulkWindow, entity, window)),
    idBounds: (entity, window) => lookUpIdBounds(p.client, entity, window),
  };
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

