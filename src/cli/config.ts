// The command line and the environment, turned into a validated Config. This is the only module that
// reads the environment, and only the one parseConfig is given (main passes process.env, tests their
// own). Every flag of a command has an environment form: ETL_<FLAG> (e.g. ETL_DEST, ETL_LOOKBACK); the
// Shopify ones keep Shopify's usual names (SHOPIFY_SHOP, SHOPIFY_ACCESS_TOKEN, ...). Bad input becomes
// a CONFIG_INVALID error whose one-line message says what to fix (exit code 2).
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import yargs, { type Options } from 'yargs';
import { EtlError, ErrorCodes } from '../errors/index.ts';
import { entities } from '../entities/index.ts';
import { DEFAULT_API_VERSION, isApiVersion } from '../shopify/versions.ts';
import type { LogFormat, LogLevel } from '../report/log.ts';
import { MIN_WINDOW_MS } from '../sync/plan.ts';
import { sandboxArgs } from '../shopify/sandbox-process.ts';
import { parseShopsFile, perShopStatePath, resolveAuth, shardFromEnv, shardShops, type Shard, type ShopAuth } from './shops.ts';
import { bool, duration, instant, size, wholeNumber } from './values.ts';

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
  /** With --sandbox: the shopify-sandbox bin's flags, from the run's --sandbox-* flags; else null. */
  sandbox: string[] | null;
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
   * phase of the commit protocol. Hidden from --help; see CHECKPOINTS in src/sync/checkpoints.ts.
   */
  pauseAt: string | undefined;
  /** Which execution this is on Cloud Run or Kubernetes (names the lock owner), if any. */
  execution: string | undefined;
  log: LogConfig;
  /** ETL_* variables that name no flag of any command: warned about, never read. */
  ignoredEnv: string[];
}

export interface StatusConfig {
  command: 'status';
  /** The state databases to read: --state itself, or each shop's of a --shops-file (shop null: whatever --state holds). */
  targets: Array<{ shop: string | null; state: string }>;
  gcsEndpoint: string | undefined;
  json: boolean;
  log: LogConfig;
  /** ETL_* variables that name no flag of any command: warned about, never read. */
  ignoredEnv: string[];
}

export type Config = RunConfig | StatusConfig;

const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

function bad(message: string): never {
  throw new EtlError(ErrorCodes.CONFIG_INVALID, message);
}

/**
 * Every numeric flag and its bounds, read by one reader per kind (src/cli/values.ts). Floors keep a value
 * from making the job spin or degenerate: a poll every instant, a part file per batch of rows.
 */
type NumberRule = { kind: 'whole'; min: number; max?: number } | { kind: 'duration'; min?: string } | { kind: 'size'; min?: string };
const NUMBERS: Record<string, NumberRule> = {
  workers: { kind: 'whole', min: 1 },
  concurrency: { kind: 'whole', min: 1 },
  'gzip-level': { kind: 'whole', min: 0, max: 9 },
  'max-objects': { kind: 'whole', min: 0 },
  'shard-count': { kind: 'whole', min: 1 },
  // Below a few KiB a part file is mostly gzip and object overhead, one per batch of rows.
  'part-size': { kind: 'size', min: '4KiB' },
  'gcs-resumable-threshold': { kind: 'size' },
  lookback: { kind: 'duration' },
  // Each window is a bulk operation: narrower ones would make thousands over a long range (src/sync/plan.ts also caps their number).
  window: { kind: 'duration', min: `${MIN_WINDOW_MS / 3_600_000}h` },
  'safety-lag': { kind: 'duration' },
  grace: { kind: 'duration' },
  'poll-interval': { kind: 'duration', min: '10ms' },
  'max-poll-interval': { kind: 'duration', min: '10ms' },
  'created-timeout': { kind: 'duration', min: '100ms' },
  'operation-timeout': { kind: 'duration', min: '100ms' },
  // GCS takes about one write a second per object: a renewal every third of the lease stays under it.
  'lock-lease': { kind: 'duration', min: '3s' },
  'lock-wait': { kind: 'duration' },
  'retry-budget': { kind: 'duration' },
};

/** The environment form of a flag: --safety-lag is ETL_SAFETY_LAG. */
function envName(flag: string): string {
  return `ETL_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** One command's parsed flags. Messages name ETL_<FLAG> when that is where the value came from. */
class Flags {
  readonly argv: Record<string, unknown>;
  readonly #fromEnv: ReadonlySet<string>;

  constructor(argv: Record<string, unknown>, fromEnv: ReadonlySet<string>) {
    this.argv = argv;
    this.#fromEnv = fromEnv;
  }

  label(flag: string): string {
    return this.#fromEnv.has(flag) ? `--${flag} (${envName(flag)})` : `--${flag}`;
  }

  text(flag: string): string | undefined {
    const value = this.argv[flag];
    return value === undefined ? undefined : String(value);
  }

  bool(flag: string): boolean {
    return bool(this.label(flag), this.argv[flag] ?? false);
  }

  number(flag: string): number {
    const rule = NUMBERS[flag]!;
    const text = this.text(flag) ?? '';
    switch (rule.kind) {
      case 'whole':
        return wholeNumber(this.label(flag), text, rule.min, rule.max);
      case 'duration':
        return duration(this.label(flag), text, rule.min, String(optionDefault(flag)));
      case 'size':
        return size(this.label(flag), text, rule.min);
    }
  }

  instant(flag: string): Date | undefined {
    const text = this.text(flag);
    return text === undefined ? undefined : instant(this.label(flag), text);
  }
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

/**
 * The entities to extract. Without --entities: all of them, except in a backfill (--since/--until),
 * which asks for a date range and so runs only the entities that have one (the incremental ones).
 */
function parseEntities(value: string | undefined, backfill: boolean): string[] {
  const known = entities.map((e) => e.name);
  if (value === undefined) return entities.filter((e) => !backfill || e.incremental).map((e) => e.name);
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) bad(`--entities is empty; choose from ${known.join(', ')}`);
  for (const name of names) {
    if (!known.includes(name)) bad(`unknown entity '${name}' in --entities; choose from ${known.join(', ')}`);
  }
  return [...new Set(names)];
}

/** The run's --sandbox-* flags as the shopify-sandbox bin's own; the bin checks their values. */
function sandboxFlags(f: Flags): string[] {
  return sandboxArgs(Object.fromEntries(Object.keys(SANDBOX_STORE_OPTIONS).map((flag) => [flag, f.text(flag)])));
}

// Cloud Run's reserved variables (Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX), so one execution's
// lines can be filtered in Cloud Logging; label values must be strings.
const LABEL_ENV: Array<[string, string[]]> = [
  ['job', ['CLOUD_RUN_JOB']],
  ['execution', ['CLOUD_RUN_EXECUTION']],
  ['task', ['CLOUD_RUN_TASK_INDEX', 'JOB_COMPLETION_INDEX']],
  ['attempt', ['CLOUD_RUN_TASK_ATTEMPT']],
];

function logConfig(f: Flags, env: NodeJS.ProcessEnv, isTty: boolean): LogConfig {
  const format = (f.text('log-format') as LogFormat | undefined) ?? (isTty ? 'pretty' : 'json');
  const labels: Record<string, string> = {};
  for (const [label, names] of LABEL_ENV) {
    const value = names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
    if (value !== undefined) labels[label] = value;
  }
  return { format, level: f.text('log-level') as LogLevel, labels };
}

function resolvePath(value: string): string {
  return value.startsWith('gs://') || isAbsolute(value) ? value : resolve(value);
}

function shopFromEnv(f: Flags, env: NodeJS.ProcessEnv, state: string): ShopTarget {
  const rawShop = f.text('shop') ?? env.SHOPIFY_SHOP;
  if (!rawShop) bad('no shop given: pass --shop acme.myshopify.com (or set SHOPIFY_SHOP), or use --sandbox to try the built-in simulated store');
  const shop = normaliseShop(rawShop);
  const adminUrl = checkAdminUrl(f.text('admin-url') ?? env.SHOPIFY_ADMIN_URL ?? `https://${shop}`);
  const token = env.SHOPIFY_ACCESS_TOKEN?.trim();
  if (token) return { shop, adminUrl, state, auth: { kind: 'token', token } };
  const clientId = env.SHOPIFY_CLIENT_ID?.trim();
  const clientSecret = env.SHOPIFY_CLIENT_SECRET?.trim();
  if (clientId && clientSecret) return { shop, adminUrl, state, auth: { kind: 'client-credentials', clientId, clientSecret } };
  const missing = `no credentials for ${shop}: set SHOPIFY_ACCESS_TOKEN to the Admin API access token of an app installed on the store (or SHOPIFY_CLIENT_ID and SHOPIFY_CLIENT_SECRET for the client credentials grant)`;
  // A dry run calls nothing, so it may plan without them; anything else fails here, before any work.
  return f.bool('dry-run') ? { shop, adminUrl, state, auth: { kind: 'unavailable', message: missing } } : bad(missing);
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

function shardCount(f: Flags, env: NodeJS.ProcessEnv): number | undefined {
  if (f.text('shard-count') !== undefined) return f.number('shard-count');
  return env.SHARD_COUNT ? wholeNumber('--shard-count (SHARD_COUNT)', env.SHARD_COUNT, 1) : undefined;
}

function targets(f: Flags, env: NodeJS.ProcessEnv, state: string): { shops: ShopTarget[]; shard: RunConfig['shard'] } {
  const file = f.text('shops-file') ?? env.SHOPIFY_SHOPS_FILE;
  if (f.bool('sandbox')) {
    if (file) bad('--sandbox and --shops-file contradict each other: the sandbox is one simulated shop');
    return { shops: [], shard: { index: 0, count: 1, totalShops: 1 } };
  }
  const shard = shardFromEnv(env, shardCount(f, env));
  if (file) {
    if (f.text('shop') ?? env.SHOPIFY_SHOP) bad('--shop (SHOPIFY_SHOP) and --shops-file both name shops; use one');
    if (f.text('admin-url') ?? env.SHOPIFY_ADMIN_URL) bad('--admin-url applies to --shop; in a shops file, give each shop its own "adminUrl"');
    const { shops, total } = shopsFromFile(file, env, state, shard);
    return { shops, shard: { ...shard, totalShops: total } };
  }
  return { shops: shardShops([shopFromEnv(f, env, state)], shard), shard: { ...shard, totalShops: 1 } };
}

function gcsEndpoint(f: Flags, env: NodeJS.ProcessEnv): string | undefined {
  const endpoint = f.text('gcs-endpoint') ?? env.GCS_ENDPOINT;
  // Two endpoints named: which one was meant is not ours to guess.
  if (endpoint && env.STORAGE_EMULATOR_HOST) bad(`both --gcs-endpoint (${endpoint}) and STORAGE_EMULATOR_HOST (${env.STORAGE_EMULATOR_HOST}) are set; keep one`);
  return endpoint;
}

function statusConfig(f: Flags, env: NodeJS.ProcessEnv, isTty: boolean): StatusConfig {
  const state = resolvePath(f.text('state')!);
  const file = f.text('shops-file') ?? env.SHOPIFY_SHOPS_FILE;
  // Every shop of the file, whichever task runs it, and no credentials: status reads state only.
  const shops = file ? [...new Set(parseShopsFile(resolvePath(file)).map((e) => normaliseShop(e.shop)))].sort() : null;
  return {
    command: 'status',
    targets: shops ? shops.map((shop) => ({ shop, state: perShopStatePath(state, shop) })) : [{ shop: null, state }],
    gcsEndpoint: gcsEndpoint(f, env),
    json: f.bool('json'),
    log: logConfig(f, env, isTty),
    ignoredEnv: [],
  };
}

function runConfig(f: Flags, env: NodeJS.ProcessEnv, isTty: boolean, now: Date): RunConfig {
  const apiVersion = f.text('api-version')!;
  if (!isApiVersion(apiVersion)) bad(`--api-version '${apiVersion}' is not a Shopify API version; use YYYY-MM with a quarter month (01, 04, 07, 10), e.g. ${DEFAULT_API_VERSION}`);
  const since = f.instant('since');
  const until = f.instant('until');
  const safetyLagMs = f.number('safety-lag');
  if (since && until && since >= until) bad(`--since (${since.toISOString()}) must be before --until (${until.toISOString()})`);
  const latest = new Date(now.getTime() - safetyLagMs);
  if (since && since >= latest) bad(`--since ${since.toISOString()} is in the future: a run extracts up to now minus --safety-lag (${latest.toISOString()}); nothing to extract`);
  const fullRefresh = f.bool('full-refresh');
  if (fullRefresh && since) bad('--full-refresh and --since contradict each other: --full-refresh re-extracts everything, --since a range');
  const pollIntervalMs = f.number('poll-interval');
  const maxPollIntervalMs = f.number('max-poll-interval');
  if (maxPollIntervalMs < pollIntervalMs) bad(`--max-poll-interval (${f.text('max-poll-interval')}) must be at least --poll-interval (${f.text('poll-interval')})`);
  const state = resolvePath(f.text('state')!);
  return {
    command: 'run',
    ...targets(f, env, state),
    sandbox: f.bool('sandbox') ? sandboxFlags(f) : null,
    apiVersion,
    entities: parseEntities(f.text('entities'), since !== undefined || until !== undefined),
    dest: resolvePath(f.text('dest')!),
    state,
    staging: resolvePath(f.text('staging') ?? (state.startsWith('gs://') ? 'data/staging' : resolve(state, '..', 'staging'))),
    gcsEndpoint: gcsEndpoint(f, env),
    gcsResumableThreshold: f.number('gcs-resumable-threshold'),
    partSize: f.number('part-size'),
    workers: f.number('workers'),
    gzipLevel: f.number('gzip-level'),
    since,
    until,
    fullRefresh,
    lookbackMs: f.number('lookback'),
    windowMs: f.number('window'),
    safetyLagMs,
    concurrency: f.number('concurrency'),
    pollIntervalMs,
    maxPollIntervalMs,
    createdTimeoutMs: f.number('created-timeout'),
    operationTimeoutMs: f.number('operation-timeout'),
    graceMs: f.number('grace'),
    lockLeaseMs: f.number('lock-lease'),
    lockWaitMs: f.number('lock-wait'),
    maxObjects: f.number('max-objects'),
    retryBudgetMs: f.number('retry-budget'),
    dryRun: f.bool('dry-run'),
    pauseAt: f.text('pause-at'),
    execution: [env.CLOUD_RUN_EXECUTION, env.CLOUD_RUN_TASK_INDEX ?? env.JOB_COMPLETION_INDEX].filter(Boolean).join('/') || undefined,
    log: logConfig(f, env, isTty),
    ignoredEnv: [],
  };
}

const LOG_OPTIONS = {
  'log-format': { type: 'string', choices: ['json', 'pretty'], describe: 'log lines as JSON (Cloud Logging) or readable text; default: pretty on a TTY, json otherwise' },
  'log-level': { type: 'string', choices: ['error', 'warn', 'info', 'debug'], default: 'info', describe: 'least severe level logged' },
} as const satisfies Record<string, Options>;

/** With --sandbox, passed to the shopify-sandbox bin as its own flags (--sandbox-seed as --seed); it sets the defaults and checks the values. */
const SANDBOX_STORE_OPTIONS = {
  'sandbox-seed': { type: 'string', describe: 'seed of the simulated store (default 1)' },
  'sandbox-orders': { type: 'string', describe: 'orders in the simulated store' },
  'sandbox-products': { type: 'string', describe: 'products in the simulated store' },
  'sandbox-customers': { type: 'string', describe: 'customers in the simulated store' },
  'sandbox-ordering': { type: 'string', choices: ['grouped', 'interleaved', 'children-first'], describe: 'JSONL line order when groupObjects is false' },
  'sandbox-operation-delay': { type: 'string', describe: 'how long simulated bulk operations run (default 300ms)' },
} as const satisfies Record<string, Options>;

const RUN_OPTIONS = {
  shop: { type: 'string', describe: 'the store\'s myshopify domain (env SHOPIFY_SHOP); the token comes from env SHOPIFY_ACCESS_TOKEN' },
  'admin-url': { type: 'string', describe: 'base URL of the Admin API (env SHOPIFY_ADMIN_URL); default https://<shop>' },
  'shops-file': { type: 'string', describe: 'JSON or YAML listing many shops and where each one\'s token is (env SHOPIFY_SHOPS_FILE); each gets its own state, e.g. state-<shop>.db' },
  'shard-count': { type: 'string', describe: 'tasks the shops are split across (env SHARD_COUNT); Cloud Run sets CLOUD_RUN_TASK_COUNT, Kubernetes Indexed Jobs need this' },
  'api-version': { type: 'string', default: DEFAULT_API_VERSION, describe: 'Admin API version (env SHOPIFY_API_VERSION)' },
  entities: { type: 'string', describe: `comma-separated entities to extract; default: all (${entities.map((e) => e.name).join(',')}), with --since/--until the incremental ones` },
  dest: { type: 'string', default: './data/out', describe: 'output: a folder or gs://bucket/prefix' },
  state: { type: 'string', default: './data/state.db', describe: 'sync state: a SQLite file or gs://bucket/key.db' },
  staging: { type: 'string', describe: 'local folder for part files before upload; default: next to the state file' },
  'part-size': { type: 'string', default: '128MiB', describe: 'close a part file (and upload it) after this many uncompressed bytes (at least 4KiB)' },
  workers: { type: 'string', default: String(availableParallelism()), describe: 'worker threads that parse, transform and compress (default: one per core)' },
  'gzip-level': { type: 'string', default: '1', describe: 'gzip level of part files, 0-9 (1: fastest; 6 makes files about a third smaller for about a quarter more processing time)' },
  'gcs-resumable-threshold': { type: 'string', default: '8MiB', describe: 'part files this large or larger upload as resumable, in 8 MiB chunks' },
  'gcs-endpoint': { type: 'string', describe: 'GCS JSON API endpoint for emulators (env GCS_ENDPOINT; STORAGE_EMULATOR_HOST also works)' },
  since: { type: 'string', describe: 'backfill from this instant (ISO-8601, inclusive)' },
  until: { type: 'string', describe: 'backfill up to this instant (ISO-8601, exclusive); default now minus --safety-lag' },
  'full-refresh': { type: 'boolean', default: false, describe: 're-extract everything, ignoring the watermark' },
  lookback: { type: 'string', default: '2h', describe: 'how far before the watermark an incremental window starts (late index updates)' },
  window: { type: 'string', default: '30d', describe: 'longest time range one bulk operation covers (at least 1h); longer ranges are split, from the shop\'s creation on a first run or full refresh' },
  'safety-lag': { type: 'string', default: '2m', describe: 'a window ends this long before now, so records still being indexed are left for the next run' },
  concurrency: { type: 'string', default: '5', describe: 'bulk operations at once per shop (capped at Shopify\'s limit: 5 from API 2026-01, 1 before)' },
  'poll-interval': { type: 'string', default: '1s', describe: 'first delay between status polls (grows with backoff; at least 10ms)' },
  'max-poll-interval': { type: 'string', default: '30s', describe: 'longest delay between status polls' },
  'created-timeout': { type: 'string', default: '30m', describe: 'cancel and retry an operation stuck in CREATED this long' },
  'operation-timeout': { type: 'string', default: '6h', describe: 'cancel an operation still running after this long, then split or retry its window' },
  'max-objects': { type: 'string', default: '0', describe: 'cancel and split a window once its running operation reports more objects than this (0: no bound)' },
  grace: { type: 'string', default: '10s', describe: 'on SIGTERM, how long to finish cleanly before exiting' },
  'retry-budget': { type: 'string', default: '15m', describe: 'how long one Shopify request or stalled download is retried through 5xx, 429 and network failures (THROTTLED waits apart)' },
  'lock-lease': { type: 'string', default: '60s', describe: 'state lock lease, renewed every third of it; a killed run\'s lock lapses this long after it died (at least 3s)' },
  'lock-wait': { type: 'string', default: '2m', describe: 'how long to wait for another run\'s state lock to be released or lapse before exiting 3' },
  sandbox: { type: 'boolean', default: false, describe: 'extract from the built-in simulated store (no credentials needed)' },
  ...SANDBOX_STORE_OPTIONS,
  'dry-run': { type: 'boolean', default: false, describe: 'print the plan and the queries; touch nothing' },
  'pause-at': { type: 'string', hidden: true },
} as const satisfies Record<string, Options>;

const STATUS_OPTIONS = {
  state: { type: 'string', default: './data/state.db', describe: 'sync state: a SQLite file or gs://bucket/key.db, read without taking its lock' },
  'shops-file': { type: 'string', describe: 'the job\'s shops file (env SHOPIFY_SHOPS_FILE): every shop\'s own state, e.g. state-<shop>.db' },
  'gcs-endpoint': { type: 'string', describe: 'GCS JSON API endpoint for emulators (env GCS_ENDPOINT; STORAGE_EMULATOR_HOST also works)' },
  json: { type: 'boolean', default: false, describe: 'print JSON instead of a table' },
} as const satisfies Record<string, Options>;

const ALL_OPTIONS: Record<string, Options> = { ...LOG_OPTIONS, ...RUN_OPTIONS, ...STATUS_OPTIONS };

function optionDefault(flag: string): unknown {
  return ALL_OPTIONS[flag]?.default;
}

/** Whether the command line itself sets `flag` (so it wins over ETL_<FLAG>). */
function onCommandLine(args: string[], flag: string): boolean {
  const camel = flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const end = args.indexOf('--');
  return (end === -1 ? args : args.slice(0, end)).some((a) => [flag, camel, `no-${flag}`, `no-${camel}`].some((name) => a === `--${name}` || a.startsWith(`--${name}=`)));
}

/**
 * The options of one command with ETL_<FLAG> as their default, so the command line still wins. Only
 * the chosen command's options read the environment: any other ETL_* variable (ETL_ENV of a shared
 * ConfigMap, the run's ETL_DEST where `status` runs) is no flag of it and is left alone. The
 * environment is the one parseConfig was given; yargs' own .env() would read process.env.
 */
function withEnv<T extends Record<string, Options>>(options: T, env: NodeJS.ProcessEnv, args: string[], fromEnv: Set<string>): T {
  return Object.fromEntries(Object.entries(options).map(([flag, spec]) => {
    const value = env[envName(flag)];
    const withValue = value === undefined || value === '' ? spec : { ...spec, default: value };
    if (withValue !== spec && !onCommandLine(args, flag)) fromEnv.add(flag);
    // A value flag takes the next word even when it starts with '-' and a digit: "--lookback -2h" is
    // a negative duration to refuse, not the short options -2 and -h.
    return [flag, spec.type === 'string' && !spec.array ? { ...withValue, requiresArg: true } : withValue];
  })) as T;
}

/** Parses argv (after node and the script) and the environment; null when --help or --version printed. */
export async function parseConfig(args: string[], env: NodeJS.ProcessEnv = process.env, isTty = Boolean(process.stderr.isTTY), now = new Date()): Promise<Config | null> {
  let parsed: Config | undefined;
  const fromEnv = new Set<string>();
  const flags = (argv: unknown): Flags => new Flags(argv as Record<string, unknown>, fromEnv);
  const parser = yargs(args)
    .scriptName('shopify-bulk-etl')
    .strict()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .options(withEnv(LOG_OPTIONS, env, args, fromEnv))
    .command(['run', '$0'], 'extract entities from Shopify with bulk operations and load them as partitioned files (the default command)',
      (y) => y.options(withEnv({ ...RUN_OPTIONS, 'api-version': { ...RUN_OPTIONS['api-version'], default: env.SHOPIFY_API_VERSION ?? DEFAULT_API_VERSION } }, env, args, fromEnv)),
      (argv) => { parsed = runConfig(flags(argv), env, isTty, now); })
    .command('status', 'print, per shop and entity, the watermark, the last run and its outcome, open operations and pending files',
      (y) => y.options(withEnv(STATUS_OPTIONS, env, args, fromEnv)),
      (argv) => { parsed = statusConfig(flags(argv), env, isTty); })
    .fail((message, err) => {
      if (err) throw err;
      // yargs spreads some messages ("Invalid values: ...") over several lines; the CLI says one.
      bad(`${message.replace(/\s*\n\s*/g, ' ')}; see --help`);
    })
    .exitProcess(false)
    .help()
    .version();
  await parser.parseAsync();
  if (!parsed) return null;
  // Variables that name no flag of any command are likely typos of one: worth a warning, not a stop.
  parsed.ignoredEnv = Object.keys(env).filter((k) => k.startsWith('ETL_') && env[k] !== '' && !Object.keys(ALL_OPTIONS).some((flag) => envName(flag) === k)).sort();
  return parsed;
}
