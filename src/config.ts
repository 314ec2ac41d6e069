// The command line and the environment, turned into a validated Config. This is the only module that
// reads process.env. Every flag has an environment form: ETL_<FLAG> (e.g. ETL_DEST, ETL_LOOKBACK), and
// the Shopify ones keep Shopify's usual names (SHOPIFY_SHOP, SHOPIFY_ACCESS_TOKEN, ...). Bad input
// becomes a CONFIG_INVALID error whose message says what to fix (exit code 2).
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import yargs from 'yargs';
import { EtlError, ErrorCodes } from './errors.ts';
import { entities } from './entities/index.ts';
import { DEFAULT_API_VERSION, isApiVersion } from './shopify/versions.ts';
import type { LogFormat, LogLevel } from './log.ts';
import { parseShopsFile, perShopStatePath, resolveAuth, shardFromEnv, shardShops, type Shard, type ShopAuth } from './shops.ts';

export interface ShopTarget {
  shop: string;
  /** Base URL the Admin API paths are appended to: https://<shop> unless overridden. */
  adminUrl: string;
  auth: ShopAuth;
  /** This shop's sync state (file or gs://): --state itself, or a per-shop name in a shops-file job. */
  state: string;
}

export interface LogConfig {
  format: LogFormat;
  level: LogLevel;
  /** Cloud Logging labels on every line: the Cloud Run job, execution, task and attempt, when set. */
  labels: Record<string, string>;
}

export interface RunConfig {
  command: 'run';
  /** The shops this task extracts: all of them, or its shard of the shops file. */
  shops: ShopTarget[];
  /** This task's slice of the shop list, and how many shops the list held before slicing. */
  shard: Shard & { totalShops: number };
  sandbox: SandboxConfig | null;
  apiVersion: string;
  entities: string[];
  dest: string;
  state: string;
  staging: string;
  gcsEndpoint: string | undefined;
  /** Part files at least this large upload as resumable (chunked, resumed after a dropped connection). */
  gcsResumableThreshold: number;
  /** A part file is closed (and uploaded) once this many uncompressed bytes went into it. */
  partSize: number;
  /** Worker threads that parse, transform and compress (all windows of a run share them). */
  workers: number;
  /** gzip level of part files (1: fastest; see README, Performance). */
  gzipLevel: number;
  since: Date | undefined;
  until: Date | undefined;
  fullRefresh: boolean;
  lookbackMs: number;
  windowMs: number;
  safetyLagMs: number;
  concurrency: number;
  pollIntervalMs: number;
  maxPollIntervalMs: number;
  createdTimeoutMs: number;
  operationTimeoutMs: number;
  graceMs: number;
  /** The state lock's lease: renewed every third of it while the run lives, lapsed this long after it died. */
  lockLeaseMs: number;
  /** How long a run that finds the state locked waits for the lock to be released or to lapse. */
  lockWaitMs: number;
  /** Cancel and split a window whose running operation reports more objects than this (0: no bound). */
  maxObjects: number;
  /** How long one Shopify request (or one stalled download) is retried through 5xx, 429 and network failures. */
  retryBudgetMs: number;
  dryRun: boolean;
  /**
   * Test seam for the crash-safety tests: the run stops (and waits to be killed) when it reaches this
   * phase of the commit protocol. Hidden from --help; see CHECKPOINTS in src/extract/checkpoints.ts.
   */
  pauseAt: string | undefined;
  /** Which execution this is on Cloud Run or Kubernetes (names the lock owner), if any. */
  execution: string | undefined;
  log: LogConfig;
}

/** The built-in store's settings, in the shape startSandbox takes (plus the fault specs to parse). */
export interface SandboxConfig {
  seed: number;
  size: { orders?: number; products?: number; customers?: number };
  ordering?: 'grouped' | 'interleaved' | 'children-first';
  operationDelayMs: number;
  port: number;
  host: string;
  faults: string[];
}

export interface SandboxCommandConfig {
  command: 'sandbox';
  sandbox: SandboxConfig;
  log: LogConfig;
}

export interface StatusConfig {
  command: 'status';
  /** The state databases to read: --state itself, or each shop's of a --shops-file (shop null: whatever --state holds). */
  targets: Array<{ shop: string | null; state: string }>;
  gcsEndpoint: string | undefined;
  json: boolean;
  log: LogConfig;
}

export type Config = RunConfig | SandboxCommandConfig | StatusConfig;

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;
const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function bad(message: string): never {
  throw new EtlError(ErrorCodes.CONFIG_INVALID, message);
}

export function parseDuration(flag: string, value: string): number {
  const m = DURATION.exec(value.trim());
  if (!m) bad(`--${flag} '${value}' is not a duration; use a number with a unit: 90s, 15m, 2h, 7d`);
  return Math.round(Number(m[1]) * UNIT_MS[m[2]!]!);
}

const SIZE = /^(\d+)(B|KiB|MiB|GiB)?$/;
const UNIT_BYTES: Record<string, number> = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3 };

export function parseSize(flag: string, value: string): number {
  const m = SIZE.exec(value.trim());
  if (!m) bad(`--${flag} '${value}' is not a size; use bytes or a binary unit: 262144, 256KiB, 8MiB`);
  return Number(m[1]) * UNIT_BYTES[m[2] ?? 'B']!;
}

function wholeNumber(flag: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0) bad(`--${flag} must be a whole number ≥ 0 (got '${String(value)}')`);
  return value as number;
}

export function parseInstant(flag: string, value: string): Date {
  // A bare date means midnight UTC; a date-time must say its offset, so no run depends on the machine's zone.
  const text = /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
  const ok = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  const date = new Date(text);
  if (!ok || Number.isNaN(date.getTime())) bad(`--${flag} '${value}' is not an ISO-8601 date or date-time with a zone, e.g. 2026-01-31 or 2026-01-31T12:00:00Z`);
  return date;
}

export function normaliseShop(value: string): string {
  const shop = value.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (!SHOP_DOMAIN.test(shop)) {
    bad(`shop '${value}' is not a myshopify domain; use the store's permanent domain, e.g. acme.myshopify.com (not a custom domain)`);
  }
  return shop;
}

export function checkAdminUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    bad(`--admin-url '${value}' is not a URL; use e.g. https://acme.myshopify.com`);
  }
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname) || url.hostname.startsWith('127.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    bad(`--admin-url '${value}' must use https (plain http is allowed only for loopback addresses)`);
  }
  return url.origin;
}

function parseEntities(value: string): string[] {
  const known = entities.map((e) => e.name);
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) bad(`--entities is empty; choose from ${known.join(', ')}`);
  for (const name of names) {
    if (!known.includes(name)) bad(`unknown entity '${name}' in --entities; choose from ${known.join(', ')}`);
  }
  return [...new Set(names)];
}

function parseSandbox(argv: Record<string, unknown>): SandboxConfig {
  const size: SandboxConfig['size'] = {};
  for (const key of ['orders', 'products', 'customers'] as const) {
    const v = argv[`sandbox-${key}`];
    if (v !== undefined) {
      if (!Number.isInteger(v) || (v as number) < 0) bad(`--sandbox-${key} must be a whole number ≥ 0`);
      size[key] = v as number;
    }
  }
  return {
    seed: Number(argv['sandbox-seed'] ?? 1),
    size,
    ...(argv['sandbox-ordering'] ? { ordering: argv['sandbox-ordering'] as NonNullable<SandboxConfig['ordering']> } : {}),
    operationDelayMs: parseDuration('sandbox-operation-delay', String(argv['sandbox-operation-delay'] ?? '300ms')),
    port: Number(argv.port ?? 0),
    host: String(argv.host ?? '127.0.0.1'),
    faults: ((argv.fault as string[] | undefined) ?? []).map(String),
  };
}

// Cloud Run's reserved variables (Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX), so one execution's
// lines can be filtered in Cloud Logging; label values must be strings.
const LABEL_ENV: Array<[string, string[]]> = [
  ['job', ['CLOUD_RUN_JOB']],
  ['execution', ['CLOUD_RUN_EXECUTION']],
  ['task', ['CLOUD_RUN_TASK_INDEX', 'JOB_COMPLETION_INDEX']],
  ['attempt', ['CLOUD_RUN_TASK_ATTEMPT']],
];

function logConfig(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, isTty: boolean): LogConfig {
  const format = (argv['log-format'] as LogFormat | undefined) ?? (isTty ? 'pretty' : 'json');
  const labels: Record<string, string> = {};
  for (const [label, names] of LABEL_ENV) {
    const value = names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
    if (value !== undefined) labels[label] = value;
  }
  return { format, level: argv['log-level'] as LogLevel, labels };
}

function resolvePath(value: string): string {
  return value.startsWith('gs://') || isAbsolute(value) ? value : resolve(value);
}

function shopFromEnv(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, state: string): ShopTarget {
  const rawShop = (argv.shop as string | undefined) ?? env.SHOPIFY_SHOP;
  if (!rawShop) bad('no shop given: pass --shop acme.myshopify.com (or set SHOPIFY_SHOP), or use --sandbox to try the built-in simulated store');
  const shop = normaliseShop(rawShop);
  const adminUrl = checkAdminUrl((argv['admin-url'] as string | undefined) ?? env.SHOPIFY_ADMIN_URL ?? `https://${shop}`);
  const token = env.SHOPIFY_ACCESS_TOKEN?.trim();
  if (token) return { shop, adminUrl, state, auth: { kind: 'token', token } };
  const clientId = env.SHOPIFY_CLIENT_ID?.trim();
  const clientSecret = env.SHOPIFY_CLIENT_SECRET?.trim();
  if (clientId && clientSecret) return { shop, adminUrl, state, auth: { kind: 'client-credentials', clientId, clientSecret } };
  return bad(`no credentials for ${shop}: set SHOPIFY_ACCESS_TOKEN to the Admin API access token of an app installed on the store (or SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET for the client credentials grant)`);
}

/** The shops of a --shops-file that fall to this task, each with its own state and credentials. */
function shopsFromFile(path: string, env: NodeJS.ProcessEnv, state: string, shard: Shard): { shops: ShopTarget[]; total: number } {
  const entries = parseShopsFile(resolvePath(path)).map((e) => ({ ...e, shop: normaliseShop(e.shop), adminUrl: checkAdminUrl(e.adminUrl ?? `https://${normaliseShop(e.shop)}`) }));
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.shop)) bad(`--shops-file ${path} lists ${e.shop} twice; each shop once`);
    seen.add(e.shop);
  }
  // Only this task's shops are resolved: the others' secrets need not be mounted in this task.
  const shops = shardShops(entries, shard).map((e) => ({ shop: e.shop, adminUrl: e.adminUrl, state: perShopStatePath(state, e.shop), auth: resolveAuth(e.shop, e.auth, env) }));
  return { shops, total: entries.length };
}

function shardCount(argv: Record<string, unknown>, env: NodeJS.ProcessEnv): number | undefined {
  const value = argv['shard-count'] ?? env.SHARD_COUNT;
  if (value === undefined || value === '') return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) bad(`--shard-count (SHARD_COUNT) must be a whole number ≥ 1 (got '${String(value)}')`);
  return n;
}

function targets(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, state: string): { shops: ShopTarget[]; shard: RunConfig['shard'] } {
  const file = (argv['shops-file'] as string | undefined) ?? env.SHOPIFY_SHOPS_FILE;
  if (argv.sandbox) {
    if (file) bad('--sandbox and --shops-file contradict each other: the sandbox is one simulated shop');
    return { shops: [], shard: { index: 0, count: 1, totalShops: 1 } };
  }
  const shard = shardFromEnv(env, shardCount(argv, env));
  if (file) {
    if (argv.shop ?? env.SHOPIFY_SHOP) bad('--shop (SHOPIFY_SHOP) and --shops-file both name shops; use one');
    if (argv['admin-url'] ?? env.SHOPIFY_ADMIN_URL) bad('--admin-url applies to --shop; in a shops file, give each shop its own "adminUrl"');
    const { shops, total } = shopsFromFile(file, env, state, shard);
    return { shops, shard: { ...shard, totalShops: total } };
  }
  return { shops: shardShops([shopFromEnv(argv, env, state)], shard), shard: { ...shard, totalShops: 1 } };
}

/** GCS takes about one write a second per object: a renewal every third of the lease stays under it. */
function lockLease(value: string): number {
  const ms = parseDuration('lock-lease', value);
  if (ms < 3000) bad(`--lock-lease must be at least 3s (got '${value}'); the lock is renewed every third of it`);
  return ms;
}

function gcsEndpoint(argv: Record<string, unknown>, env: NodeJS.ProcessEnv): string | undefined {
  const endpoint = (argv['gcs-endpoint'] as string | undefined) ?? env.GCS_ENDPOINT;
  // Two endpoints named: which one was meant is not ours to guess.
  if (endpoint && env.STORAGE_EMULATOR_HOST) bad(`both --gcs-endpoint (${endpoint}) and STORAGE_EMULATOR_HOST (${env.STORAGE_EMULATOR_HOST}) are set; keep one`);
  return endpoint;
}

function statusConfig(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, isTty: boolean): StatusConfig {
  const state = resolvePath(String(argv.state));
  const file = (argv['shops-file'] as string | undefined) ?? env.SHOPIFY_SHOPS_FILE;
  // Every shop of the file, whichever task runs it, and no credentials: status reads state only.
  const shops = file ? [...new Set(parseShopsFile(resolvePath(file)).map((e) => normaliseShop(e.shop)))].sort() : null;
  return {
    command: 'status',
    targets: shops ? shops.map((shop) => ({ shop, state: perShopStatePath(state, shop) })) : [{ shop: null, state }],
    gcsEndpoint: gcsEndpoint(argv, env),
    json: Boolean(argv.json),
    log: logConfig(argv, env, isTty),
  };
}

function runConfig(argv: Record<string, unknown>, env: NodeJS.ProcessEnv, isTty: boolean): RunConfig {
  const apiVersion = String(argv['api-version']);
  if (!isApiVersion(apiVersion)) bad(`--api-version '${apiVersion}' is not a Shopify API version; use YYYY-MM with a quarter month (01, 04, 07, 10), e.g. ${DEFAULT_API_VERSION}`);
  const sandbox = argv.sandbox ? parseSandbox(argv) : null;
  const since = argv.since === undefined ? undefined : parseInstant('since', String(argv.since));
  const until = argv.until === undefined ? undefined : parseInstant('until', String(argv.until));
  if (since && until && since >= until) bad(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  if (argv['full-refresh'] && since) bad('--full-refresh and --since contradict each other: --full-refresh re-extracts everything, --since a range');
  const concurrency = Number(argv.concurrency);
  if (!Number.isInteger(concurrency) || concurrency < 1) bad(`--concurrency must be a whole number ≥ 1 (got '${String(argv.concurrency)}')`);
  const workers = Number(argv.workers);
  if (!Number.isInteger(workers) || workers < 1) bad(`--workers must be a whole number ≥ 1 (got '${String(argv.workers)}')`);
  const gzipLevel = Number(argv['gzip-level']);
  if (!Number.isInteger(gzipLevel) || gzipLevel < 0 || gzipLevel > 9) bad(`--gzip-level must be a whole number from 0 to 9 (got '${String(argv['gzip-level'])}')`);
  const state = resolvePath(String(argv.state));
  return {
    command: 'run',
    ...targets(argv, env, state),
    sandbox,
    apiVersion,
    entities: parseEntities(String(argv.entities)),
    dest: resolvePath(String(argv.dest)),
    state,
    staging: resolvePath(String(argv.staging ?? (state.startsWith('gs://') ? 'data/staging' : resolve(state, '..', 'staging')))),
    gcsEndpoint: gcsEndpoint(argv, env),
    gcsResumableThreshold: parseSize('gcs-resumable-threshold', String(argv['gcs-resumable-threshold'])),
    partSize: parseSize('part-size', String(argv['part-size'])),
    workers,
    gzipLevel,
    since,
    until,
    fullRefresh: Boolean(argv['full-refresh']),
    lookbackMs: parseDuration('lookback', String(argv.lookback)),
    windowMs: parseDuration('window', String(argv.window)),
    safetyLagMs: parseDuration('safety-lag', String(argv['safety-lag'])),
    concurrency,
    pollIntervalMs: parseDuration('poll-interval', String(argv['poll-interval'])),
    maxPollIntervalMs: parseDuration('max-poll-interval', String(argv['max-poll-interval'])),
    createdTimeoutMs: parseDuration('created-timeout', String(argv['created-timeout'])),
    operationTimeoutMs: parseDuration('operation-timeout', String(argv['operation-timeout'])),
    graceMs: parseDuration('grace', String(argv.grace)),
    lockLeaseMs: lockLease(String(argv['lock-lease'])),
    lockWaitMs: parseDuration('lock-wait', String(argv['lock-wait'])),
    maxObjects: wholeNumber('max-objects', argv['max-objects']),
    retryBudgetMs: parseDuration('retry-budget', String(argv['retry-budget'])),
    dryRun: Boolean(argv['dry-run']),
    pauseAt: argv['pause-at'] as string | undefined,
    execution: [env.CLOUD_RUN_EXECUTION, env.CLOUD_RUN_TASK_INDEX ?? env.JOB_COMPLETION_INDEX].filter(Boolean).join('/') || undefined,
    log: logConfig(argv, env, isTty),
  };
}

/** The simulated store's options, shared by `run --sandbox` and the standalone `sandbox` command. */
const SANDBOX_STORE_OPTIONS = {
  'sandbox-seed': { type: 'number', default: 1, describe: 'seed of the simulated store' },
  'sandbox-orders': { type: 'number', describe: 'orders in the simulated store' },
  'sandbox-products': { type: 'number', describe: 'products in the simulated store' },
  'sandbox-customers': { type: 'number', describe: 'customers in the simulated store' },
  'sandbox-ordering': { choices: ['grouped', 'interleaved', 'children-first'], describe: 'JSONL line order when groupObjects is false' },
  'sandbox-operation-delay': { type: 'string', default: '300ms', describe: 'how long simulated bulk operations run' },
} as const;

/** Parses argv (after node and the script) and the environment; null when --help or --version printed. */
export async function parseConfig(args: string[], env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stderr.isTTY)): Promise<Config | null> {
  let parsed: Config | undefined;
  const logOptions = {
    'log-format': { choices: ['json', 'pretty'], describe: 'log lines as JSON (Cloud Logging) or readable text; default: pretty on a TTY, json otherwise' },
    'log-level': { choices: ['error', 'warn', 'info', 'debug'], default: 'info', describe: 'least severe level logged' },
  } as const;
  const parser = yargs(args)
    .scriptName('shopify-bulk-etl')
    .env('ETL')
    .strict()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .options(logOptions)
    .command(['run', '$0'], 'extract entities from Shopify with bulk operations and load them as partitioned files (the default command)', (y) => y
      .option('shop', { type: 'string', describe: 'the store\'s myshopify domain (env SHOPIFY_SHOP); the token comes from env SHOPIFY_ACCESS_TOKEN' })
      .option('admin-url', { type: 'string', describe: 'base URL of the Admin API (env SHOPIFY_ADMIN_URL); default https://<shop>' })
      .option('shops-file', { type: 'string', describe: 'JSON or YAML listing many shops and where each one\'s token is (env SHOPIFY_SHOPS_FILE); each gets its own state, e.g. state-<shop>.db' })
      .option('shard-count', { type: 'number', describe: 'tasks the shops are split across (env SHARD_COUNT); Cloud Run sets CLOUD_RUN_TASK_COUNT, Kubernetes Indexed Jobs need this' })
      .option('api-version', { type: 'string', default: env.SHOPIFY_API_VERSION ?? DEFAULT_API_VERSION, describe: 'Admin API version (env SHOPIFY_API_VERSION)' })
      .option('entities', { type: 'string', default: entities.map((e) => e.name).join(','), describe: 'comma-separated entities to extract' })
      .option('dest', { type: 'string', default: './data/out', describe: 'output: a folder or gs://bucket/prefix' })
      .option('state', { type: 'string', default: './data/state.db', describe: 'sync state: a SQLite file or gs://bucket/key.db' })
      .option('staging', { type: 'string', describe: 'local folder for part files before upload; default: next to the state file' })
      .option('part-size', { type: 'string', default: '128MiB', describe: 'close a part file (and upload it) after this many uncompressed bytes' })
      .option('workers', { type: 'number', default: availableParallelism(), describe: 'worker threads that parse, transform and compress (default: one per core)' })
      .option('gzip-level', { type: 'number', default: 1, describe: 'gzip level of part files, 0-9 (1: fastest; 6 makes files about a third smaller for about a quarter more processing time)' })
      .option('gcs-resumable-threshold', { type: 'string', default: '8MiB', describe: 'part files this large or larger upload as resumable, in 8 MiB chunks' })
      .option('gcs-endpoint', { type: 'string', describe: 'GCS JSON API endpoint for emulators (env GCS_ENDPOINT; STORAGE_EMULATOR_HOST also works)' })
      .option('since', { type: 'string', describe: 'backfill from this instant (ISO-8601, inclusive)' })
      .option('until', { type: 'string', describe: 'backfill up to this instant (ISO-8601, exclusive); default now minus --safety-lag' })
      .option('full-refresh', { type: 'boolean', default: false, describe: 're-extract everything, ignoring the watermark' })
      .option('lookback', { type: 'string', default: '2h', describe: 'how far before the watermark an incremental window starts (late index updates)' })
      .option('window', { type: 'string', default: '30d', describe: 'longest time range one bulk operation covers; longer ranges are split' })
      .option('safety-lag', { type: 'string', default: '2m', describe: 'a window ends this long before now, so records still being indexed are left for the next run' })
      .option('concurrency', { type: 'number', default: 5, describe: 'bulk operations at once per shop (capped at Shopify\'s limit: 5 from API 2026-01, 1 before)' })
      .option('poll-interval', { type: 'string', default: '1s', describe: 'first delay between status polls (grows with backoff)' })
      .option('max-poll-interval', { type: 'string', default: '30s', describe: 'longest delay between status polls' })
      .option('created-timeout', { type: 'string', default: '30m', describe: 'cancel and retry an operation stuck in CREATED this long' })
      .option('operation-timeout', { type: 'string', default: '6h', describe: 'cancel an operation still running after this long, then split or retry its window' })
      .option('max-objects', { type: 'number', default: 0, describe: 'cancel and split a window once its running operation reports more objects than this (0: no bound)' })
      .option('grace', { type: 'string', default: '10s', describe: 'on SIGTERM, how long to finish cleanly before exiting' })
      .option('retry-budget', { type: 'string', default: '15m', describe: 'how long one Shopify request or stalled download is retried through 5xx, 429 and network failures (THROTTLED waits apart)' })
      .option('lock-lease', { type: 'string', default: '60s', describe: 'state lock lease, renewed every third of it; a killed run\'s lock lapses this long after it died' })
      .option('lock-wait', { type: 'string', default: '2m', describe: 'how long to wait for another run\'s state lock to be released or lapse before exiting 3' })
      .option('sandbox', { type: 'boolean', default: false, describe: 'extract from the built-in simulated store (no credentials needed)' })
      .options(SANDBOX_STORE_OPTIONS)
      .option('dry-run', { type: 'boolean', default: false, describe: 'print the plan and the queries; touch nothing' })
      .option('pause-at', { type: 'string', hidden: true }),
    (argv) => { parsed = runConfig(argv as Record<string, unknown>, env, isTty); })
    .command('sandbox', 'start the simulated Shopify store on its own and print its URL and token', (y) => y
      .option('port', { type: 'number', default: 0, describe: 'port to listen on (0: any free port)' })
      .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
      .options(SANDBOX_STORE_OPTIONS)
      .option('fault', { type: 'string', array: true, describe: 'inject a fault, e.g. --fault throttle=3 (repeatable)' }),
    (argv) => { parsed = { command: 'sandbox', sandbox: parseSandbox(argv as Record<string, unknown>), log: logConfig(argv as Record<string, unknown>, env, isTty) }; })
    .command('status', 'print, per shop and entity, the watermark, the last run and its outcome, open operations and pending files', (y) => y
      .option('state', { type: 'string', default: './data/state.db', describe: 'sync state: a SQLite file or gs://bucket/key.db, read without taking its lock' })
      .option('shops-file', { type: 'string', describe: 'the job\'s shops file (env SHOPIFY_SHOPS_FILE): every shop\'s own state, e.g. state-<shop>.db' })
      .option('gcs-endpoint', { type: 'string', describe: 'GCS JSON API endpoint for emulators (env GCS_ENDPOINT; STORAGE_EMULATOR_HOST also works)' })
      .option('json', { type: 'boolean', default: false, describe: 'print JSON instead of a table' }),
    (argv) => { parsed = statusConfig(argv as Record<string, unknown>, env, isTty); })
    .fail((message, err) => {
      if (err) throw err;
      bad(`${message}; see --help`);
    })
    .exitProcess(false)
    .help()
    .version();
  await parser.parseAsync();
  return parsed ?? null;
}
