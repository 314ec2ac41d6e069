// The run command's configuration from its parsed flags: the checks between flags that no one flag's
// read can make, which shops this task extracts (--shop and its credentials, or this task's share of
// a --shops-file) and the rest of the run's settings in the shape the sync stage takes.
import { resolve } from 'node:path';
import { entities } from '../entities/index.ts';
import type { OutputFormat } from '../load/layout.ts';
import { sandboxArgs } from '../shopify/sandbox-process.ts';
import { checkModelsDest, modelParams, type CommonConfig, type RunConfig, type ShopTarget } from './config.ts';
import { CREDENTIALS, execution, shardFromEnv, type Env } from './env.ts';
import { resolvePath, SANDBOX_STORE_OPTIONS, type Given, type LOG_OPTIONS, type RUN_OPTIONS, type Values } from './options.ts';
import { checkAdminUrl, normaliseShop, parseShopsFile, perShopStatePath, resolveAuth, shardShops, type Shard } from './shops.ts';
import { bad } from './values.ts';

export type RunArgs = Values<typeof RUN_OPTIONS & typeof LOG_OPTIONS>;

/** Flags that contradict each other, checked in this order, and why. */
const CONFLICTS: Array<[keyof RunArgs, keyof RunArgs, string]> = [
  ['full-refresh', 'since', '--full-refresh and --since contradict each other: --full-refresh re-extracts everything, --since a range'],
  ['sandbox', 'shops-file', '--sandbox and --shops-file contradict each other: the sandbox is one simulated shop'],
  ['shops-file', 'shop', '--shop (SHOPIFY_SHOP) and --shops-file both name shops; use one'],
  ['shops-file', 'admin-url', '--admin-url applies to --shop; in a shops file, give each shop its own "adminUrl"'],
];

/**
 * The run's checks across flags, for yargs' .check(): a backfill range that exists and has something
 * to extract by `now`, no contradicting flags, polls that back off upwards. The message
 * repeats the flags' texts as given.
 */
export function checkRun(argv: RunArgs, env: Env, now: Date, given: Given): true {
  const { since, until } = argv;
  if (since && until && since >= until) bad(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  const latest = new Date(now.getTime() - argv['safety-lag']);
  if (since && since >= latest) bad(`--since ${since.toISOString()} is in the future: a run extracts up to now minus --safety-lag (${latest.toISOString()}); nothing to extract`);
  for (const [a, b, why] of CONFLICTS) if (argv[a] && argv[b]) bad(why);
  if (argv['max-poll-interval'] < argv['poll-interval']) bad(`--max-poll-interval (${given.texts.get('max-poll-interval')}) must be at least --poll-interval (${given.texts.get('poll-interval')})`);
  if (argv.models) checkModelsDest(argv.dest, '--models');
  return checkGcsEndpoint(argv['gcs-endpoint'], env);
}

/** Two emulator endpoints named: which one was meant is not ours to guess. */
export function checkGcsEndpoint(endpoint: string | undefined, env: Env): true {
  if (endpoint && env.STORAGE_EMULATOR_HOST) bad(`both --gcs-endpoint (${endpoint}) and STORAGE_EMULATOR_HOST (${env.STORAGE_EMULATOR_HOST}) are set; keep one`);
  return true;
}

export function runConfig(argv: RunArgs, env: Env, common: CommonConfig): RunConfig {
  const { state, since, until } = argv;
  const shops = targets(argv, env);
  // The models cover every shop of the destination: a task of a split job would model the others' half-written state.
  if (argv.models && shops.shard.count > 1) bad(`--models in a job split across ${shops.shard.count} tasks would model the other tasks' shops mid-run: run the models command once after the job instead`);
  // Without --entities: all of them, except in a backfill, which asks for a date range and so runs
  // only the entities that have one (the incremental ones).
  const backfill = since !== undefined || until !== undefined;
  return {
    command: 'run',
    ...shops,
    sandbox: argv.sandbox ? sandboxFlags(argv) : null,
    apiVersion: argv['api-version'],
    entities: argv.entities ?? entities.filter((e) => !backfill || e.incremental).map((e) => e.name),
    entitiesAsked: argv.entities !== undefined,
    dest: argv.dest,
    state,
    staging: argv.staging ?? (state.startsWith('gs://') ? resolve('data/staging') : resolve(state, '..', 'staging')),
    gcsEndpoint: argv['gcs-endpoint'],
    gcsResumableThreshold: argv['gcs-resumable-threshold'],
    partSize: argv['part-size'],
    workers: argv.workers,
    gzipLevel: argv['gzip-level'],
    format: argv.format as OutputFormat,
    since,
    until,
    fullRefresh: argv['full-refresh'],
    strictQuality: argv['strict-quality'],
    lookbackMs: argv.lookback,
    windowMs: argv.window,
    safetyLagMs: argv['safety-lag'],
    deletesEveryMs: argv['deletes-every'],
    concurrency: argv.concurrency,
    pollIntervalMs: argv['poll-interval'],
    maxPollIntervalMs: argv['max-poll-interval'],
    createdTimeoutMs: argv['created-timeout'],
    operationTimeoutMs: argv['operation-timeout'],
    graceMs: argv.grace,
    lockLeaseMs: argv['lock-lease'],
    lockWaitMs: argv['lock-wait'],
    maxObjects: argv['max-objects'],
    retryBudgetMs: argv['retry-budget'],
    dryRun: argv['dry-run'],
    models: argv.models ? modelParams(argv) : null,
    execution: execution(env),
    ...common,
  };
}

/** The run's --sandbox-* flags as given, as the shopify-sandbox bin's own flags; the bin checks their values. */
function sandboxFlags(argv: RunArgs): string[] {
  const store = Object.entries(argv).filter(([flag]) => Object.hasOwn(SANDBOX_STORE_OPTIONS, flag));
  return sandboxArgs(Object.fromEntries(store.map(([flag, value]) => [flag, String(value)])));
}

function targets(argv: RunArgs, env: Env): Pick<RunConfig, 'shops' | 'shard'> {
  if (argv.sandbox) return { shops: [], shard: { index: 0, count: 1, totalShops: 1 } };
  const shard = shardFromEnv(env, argv['shard-count']);
  const file = argv['shops-file'];
  if (file) {
    const { shops, total } = shopsFromFile(file, env, argv.state, shard);
    return { shops, shard: { ...shard, totalShops: total } };
  }
  return { shops: shardShops([shopFromEnv(argv, env)], shard), shard: { ...shard, totalShops: 1 } };
}

/** The one shop of --shop, with its credentials from the environment. */
function shopFromEnv(argv: RunArgs, env: Env): ShopTarget {
  if (!argv.shop) bad('no shop given: pass --shop acme.myshopify.com (or set SHOPIFY_SHOP), or use --sandbox to try the built-in simulated store');
  const shop = normaliseShop(argv.shop);
  const target = { shop, adminUrl: checkAdminUrl(argv['admin-url'] ?? `https://${shop}`), state: argv.state };
  const token = env[CREDENTIALS.token]?.trim();
  if (token) return { ...target, auth: { kind: 'token', token } };
  const clientId = env[CREDENTIALS.clientId]?.trim();
  const clientSecret = env[CREDENTIALS.clientSecret]?.trim();
  if (clientId && clientSecret) return { ...target, auth: { kind: 'client-credentials', clientId, clientSecret } };
  const missing = `no credentials for ${shop}: set ${CREDENTIALS.token} to the Admin API access token of an app installed on the store (or ${CREDENTIALS.clientId} and ${CREDENTIALS.clientSecret} for the client credentials grant)`;
  // A dry run calls nothing, so it may plan without them; anything else fails here, before any work.
  return argv['dry-run'] ? { ...target, auth: { kind: 'unavailable', message: missing } } : bad(missing);
}

/** The shops of a --shops-file that fall to this task, each with its own state and credentials. */
function shopsFromFile(path: string, env: Env, state: string, shard: Shard): { shops: ShopTarget[]; total: number } {
  const entries = parseShopsFile(resolvePath(path)).map((e) => {
    const shop = normaliseShop(e.shop);
    return { ...e, shop, adminUrl: checkAdminUrl(e.adminUrl ?? `https://${shop}`) };
  });
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.shop)) bad(`--shops-file ${path} lists ${e.shop} twice; each shop once`);
    seen.add(e.shop);
  }
  // Only this task's shops are resolved: the others' secrets need not be mounted in this task.
  const shops = shardShops(entries, shard).map((e) => ({ shop: e.shop, adminUrl: e.adminUrl, state: perShopStatePath(state, e.shop), auth: resolveAuth(e.shop, e.auth, env) }));
  return { shops, total: entries.length };
}
