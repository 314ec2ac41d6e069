// The command line and the environment, turned into a validated Config: yargs parses, every flag's
// table entry (src/cli/options.ts) reads and bounds its value, the command's checks compare flags, and
// the handler shapes what the command takes. The environment read is only the one parseConfig is given
// (src/cli/env.ts). Bad input becomes a CONFIG_INVALID error whose one-line message says what to fix
// (exit code 2).
import { join } from 'node:path';
import yargs from 'yargs';
import { EtlError } from '../errors/index.ts';
import type { LogFormat, LogLevel } from '../report/log.ts';
import type { OutputFormat } from '../load/layout.ts';
import { ignoredEnv, logLabels, type Env } from './env.ts';
import type { ModelParams } from '../models/definitions.ts';
import { ALL_FLAGS, forCommand, Given, LOG_OPTIONS, MODEL_OPTIONS, MODELS_COMMAND_OPTIONS, REPORT_OPTIONS, resolvePath, RUN_OPTIONS, STATUS_OPTIONS, VIEWS_OPTIONS, type Values } from './options.ts';
import { checkGcsEndpoint, checkRun, runConfig } from './run-config.ts';
import { normaliseShop, parseShopsFile, perShopStatePath, type Shard, type ShopAuth } from './shops.ts';
import { bad } from './values.ts';

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
  /** --entities (or ETL_ENTITIES) named them: an entity missing a granted scope then fails rather than being skipped. */
  entitiesAsked: boolean;
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
  /** Part files as gzip NDJSON or Parquet (README, Parquet output). */
  format: OutputFormat;
  since: Date | undefined;
  until: Date | undefined;
  fullRefresh: boolean;
  /** A failed quality check fails the shop's run (src/sync/quality.ts). */
  strictQuality: boolean;
  lookbackMs: number;
  windowMs: number;
  safetyLagMs: number;
  /** An incremental entity's id snapshot (deletes without events) runs when its last one committed this long ago or more (0: every run; null: the deletions stage is off). */
  deletesEveryMs: number | null;
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
  /** With --models: the models' settings, computed into <dest>/_models/ after the run; else null. */
  models: ModelParams | null;
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

export interface ViewsConfig {
  command: 'views';
  dialect: 'duckdb' | 'bigquery';
  dest: string;
  dataset: string;
  /** The runs' states, read as `status` reads them (src/views/state.ts): what they have not committed is left out. */
  targets: StatusConfig['targets'];
  gcsEndpoint: string | undefined;
  log: LogConfig;
  /** ETL_* variables that name no flag of any command: warned about, never read. */
  ignoredEnv: string[];
}

export interface ReportConfig {
  command: 'report';
  /** The states to read, as `status` reads them. */
  targets: StatusConfig['targets'];
  dest: string;
  /** The HTML file written. */
  out: string;
  /** The latest runs of each shop shown. */
  runs: number;
  gcsEndpoint: string | undefined;
  log: LogConfig;
  /** ETL_* variables that name no flag of any command: warned about, never read. */
  ignoredEnv: string[];
}

export interface ModelsConfig {
  command: 'models';
  /** A local folder the runs wrote. */
  dest: string;
  /** The runs' states, read as `status` reads them (src/views/state.ts). */
  targets: StatusConfig['targets'];
  gcsEndpoint: string | undefined;
  params: ModelParams;
  log: LogConfig;
  /** ETL_* variables that name no flag of any command: warned about, never read. */
  ignoredEnv: string[];
}

export type Config = RunConfig | StatusConfig | ViewsConfig | ReportConfig | ModelsConfig;

/** What every command's Config holds: where it logs, and the variables it warns about. */
export type CommonConfig = Pick<RunConfig, 'log' | 'ignoredEnv'>;

function commonConfig(argv: Values<typeof LOG_OPTIONS>, env: Env, isTty: boolean): CommonConfig {
  return {
    log: { format: argv['log-format'] ?? (isTty ? 'pretty' : 'json'), level: argv['log-level'], labels: logLabels(env) },
    ignoredEnv: ignoredEnv(env, ALL_FLAGS),
  };
}

/** The states of --state, or of each shop of --shops-file: every shop of the file, whichever task runs it, and no credentials (only state is read). */
function stateTargets(state: string, file: string | undefined): StatusConfig['targets'] {
  const shops = file ? [...new Set(parseShopsFile(resolvePath(file)).map((e) => normaliseShop(e.shop)))].sort() : null;
  return shops ? shops.map((shop) => ({ shop, state: perShopStatePath(state, shop) })) : [{ shop: null, state }];
}

function statusConfig(argv: Values<typeof STATUS_OPTIONS>, common: CommonConfig): StatusConfig {
  return {
    command: 'status',
    targets: stateTargets(argv.state, argv['shops-file']),
    gcsEndpoint: argv['gcs-endpoint'],
    json: argv.json,
    ...common,
  };
}

function viewsConfig(argv: Values<typeof VIEWS_OPTIONS>, common: CommonConfig): ViewsConfig {
  const dialect = argv.dialect as ViewsConfig['dialect'];
  const remote = argv.dest.startsWith('gs://');
  // DuckDB reads the folder itself; BigQuery's external tables read the bucket.
  if (dialect === 'duckdb' && remote) bad(`--dialect duckdb reads a local folder, not ${argv.dest}; copy the files down, or use --dialect bigquery`);
  if (dialect === 'bigquery' && !remote) bad(`--dialect bigquery reads gs://bucket/prefix, not ${argv.dest}; use --dialect duckdb for a folder`);
  return { command: 'views', dialect, dest: argv.dest, dataset: argv.dataset, targets: stateTargets(argv.state, argv['shops-file']), gcsEndpoint: argv['gcs-endpoint'], ...common };
}

function reportConfig(argv: Values<typeof REPORT_OPTIONS>, common: CommonConfig): ReportConfig {
  const { dest } = argv;
  // The report is one local file: a bucket holds no default place a browser opens without credentials.
  if (!argv.out && dest.startsWith('gs://')) bad(`with a gs:// --dest (${dest}), pass --out FILE: the report is written to a local file`);
  return {
    command: 'report',
    targets: stateTargets(argv.state, argv['shops-file']),
    dest,
    out: argv.out ?? join(dest, '_report', 'index.html'),
    runs: argv.runs,
    gcsEndpoint: argv['gcs-endpoint'],
    ...common,
  };
}

/** The models' settings from their flags. */
export function modelParams(argv: Values<typeof MODEL_OPTIONS>): ModelParams {
  return {
    vipSpent: argv['segment-vip-spent'], vipOrders: argv['segment-vip-orders'], loyalSpent: argv['segment-loyal-spent'], loyalOrders: argv['segment-loyal-orders'],
    regularOrders: argv['segment-regular-orders'], topPairs: argv['top-pairs'],
  };
}

/** The models read the files with an embedded DuckDB, which reads a folder: a bucket's models are BigQuery views (models/bigquery). */
export function checkModelsDest(dest: string, flag: string): true {
  if (dest.startsWith('gs://')) bad(`${flag} computes the models from a local folder, not ${dest}: for a bucket, create the BigQuery views of models/bigquery (scripts/bigquery-models.sh), or copy the folder down (gcloud storage cp -r) and run the models command on it`);
  return true;
}

function modelsConfig(argv: Values<typeof MODELS_COMMAND_OPTIONS>, common: CommonConfig): ModelsConfig {
  checkModelsDest(argv.dest, 'models');
  return { command: 'models', dest: argv.dest, targets: stateTargets(argv.state, argv['shops-file']), gcsEndpoint: argv['gcs-endpoint'], params: modelParams(argv), ...common };
}

/** Parses argv (after node and the script) and the environment; null when --help or --version printed. */
export async function parseConfig(args: string[], env: Env = process.env, isTty = Boolean(process.stderr.isTTY), now = new Date()): Promise<Config | null> {
  let parsed: Config | undefined;
  const given = new Given();
  await yargs(args)
    .scriptName('shopify-bulk-etl')
    .strict()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .options(forCommand(LOG_OPTIONS, env, given))
    .command(['run', '$0'], 'extract entities from Shopify with bulk operations and load them as partitioned files (the default command)',
      (y) => y.options(forCommand(RUN_OPTIONS, env, given)).check((argv) => checkRun(argv, env, now, given)),
      (argv) => { parsed = runConfig(argv, env, commonConfig(argv, env, isTty)); })
    .command('status', 'print, per shop and entity, the watermark, the last run and its outcome, open operations and pending files',
      (y) => y.options(forCommand(STATUS_OPTIONS, env, given)).check((argv) => checkGcsEndpoint(argv['gcs-endpoint'], env)),
      (argv) => { parsed = statusConfig(argv, commonConfig(argv, env, isTty)); })
    .command('views', 'print the SQL of the current-state views (the latest copy of each record, deleted ones left out) for DuckDB or BigQuery',
      (y) => y.options(forCommand(VIEWS_OPTIONS, env, given)).check((argv) => checkGcsEndpoint(argv['gcs-endpoint'], env)),
      (argv) => { parsed = viewsConfig(argv, commonConfig(argv, env, isTty)); })
    .command('report', 'write one self-contained HTML file: the latest runs, data freshness per table, the quality checks and charts of the models',
      (y) => y.options(forCommand(REPORT_OPTIONS, env, given)).check((argv) => checkGcsEndpoint(argv['gcs-endpoint'], env)),
      (argv) => { parsed = reportConfig(argv, commonConfig(argv, env, isTty)); })
    .command('models', 'compute the analytics models (customer lifetime value, products, daily financials, geography, cohorts) from a local --dest into <dest>/_models/',
      (y) => y.options(forCommand(MODELS_COMMAND_OPTIONS, env, given)).check((argv) => checkGcsEndpoint(argv['gcs-endpoint'], env)),
      (argv) => { parsed = modelsConfig(argv, commonConfig(argv, env, isTty)); })
    .fail((message, err) => {
      // Ours, from a check or a handler.
      if (err instanceof EtlError) throw err;
      // A read's, which yargs passes on from the coerce as a YError with the message alone.
      if (given.refusal) throw given.refusal;
      // yargs' own words (unknown flag, value not among the choices, flag without its value), some spread
      // over several lines ("Invalid values: ..."); the CLI says one.
      bad(`${message.replace(/\s*\n\s*/g, ' ')}; see --help`);
    })
    .exitProcess(false)
    .help()
    .version()
    .parseAsync();
  return parsed ?? null;
}
