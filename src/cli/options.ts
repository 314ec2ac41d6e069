// Every flag of every command, written once: its type, its default (what --help shows), its words for
// --help and, through `read`, how its text becomes a value with the flag's bounds. forCommand turns a
// table into yargs options for one parse: ETL_<FLAG> (src/cli/env.ts) becomes the default, so the
// command line still wins, and `read` becomes the coerce, which names the variable in its message
// when the text came from one. Floors keep a value from making the job spin or degenerate: a poll
// every instant, a part file per batch of rows.
import { availableParallelism } from 'node:os';
import { isAbsolute, resolve } from 'node:path';
import type { InferredOptionTypes, Options } from 'yargs';
import { entities } from '../entities/index.ts';
import { OUTPUT_FORMATS } from '../load/layout.ts';
import { EtlError } from '../errors/index.ts';
import { DEFAULT_API_VERSION, isApiVersion } from '../shopify/versions.ts';
import { MIN_WINDOW_MS } from '../sync/plan.ts';
import { flagFromEnv, FromEnv, type Env } from './env.ts';
import { bad, bool, duration, instant, size, wholeNumber } from './values.ts';

/** How a flag's text becomes its value; `label` is "--flag" or "--flag (VARIABLE)", `fallback` the flag's default. */
type Read<T> = (text: string, label: string, fallback: string) => T;
type Flag = Options & { read?: Read<unknown> };
type Table = Record<string, Flag>;

const whole = (min: number, max?: number): Read<number> => (text, label) => wholeNumber(label, text, min, max);
// A negative duration is answered with the flag's default as an example of a good value.
const milliseconds = (min?: string): Read<number> => (text, label, fallback) => duration(label, text, min, fallback);
/** A duration, a bare 0 ("every time"), or off (null: never). */
const every: Read<number | null> = (text, label, fallback) => (text.trim() === 'off' ? null : text.trim() === '0' ? 0 : duration(label, text, undefined, fallback));
const bytes = (min?: string): Read<number> => (text, label) => size(label, text, min);
const date: Read<Date> = (text, label) => instant(label, text);
const yes: Read<boolean> = (text, label) => bool(label, text);
/** A local path from the working directory; a gs:// one as it is. */
export function resolvePath(text: string): string {
  return text.startsWith('gs://') || isAbsolute(text) ? text : resolve(text);
}
const path: Read<string> = resolvePath;

const ENTITY_NAMES = entities.map((e) => e.name);

/** The entities named by --entities, each once; their default depends on --since/--until (src/cli/run-config.ts). */
const entityList: Read<string[]> = (text, label) => {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) bad(`${label} is empty; choose from ${ENTITY_NAMES.join(', ')}`);
  for (const name of names) {
    if (!ENTITY_NAMES.includes(name)) bad(`unknown entity '${name}' in ${label}; choose from ${ENTITY_NAMES.join(', ')}`);
  }
  return [...new Set(names)];
};

const apiVersion: Read<string> = (text, label) => {
  if (!isApiVersion(text)) bad(`${label} '${text}' is not a Shopify API version; use YYYY-MM with a quarter month (01, 04, 07, 10), e.g. ${DEFAULT_API_VERSION}`);
  return text;
};

// The flags both commands take.
const GCS_ENDPOINT = { type: 'string', describe: 'GCS JSON API endpoint for emulators (env GCS_ENDPOINT; STORAGE_EMULATOR_HOST also works)' } as const;
const STATE = { type: 'string', default: './data/state.db', read: path, describe: 'sync state: a SQLite file or gs://bucket/key.db' } as const;
const SHOPS_FILE = { type: 'string', describe: 'JSON or YAML listing many shops and where each one\'s token is (env SHOPIFY_SHOPS_FILE); each gets its own state, e.g. state-<shop>.db' } as const;

export const LOG_OPTIONS = {
  'log-format': { type: 'string', choices: ['json', 'pretty'], describe: 'log lines as JSON (Cloud Logging) or readable text; default: pretty on a TTY, json otherwise' },
  'log-level': { type: 'string', choices: ['error', 'warn', 'info', 'debug'], default: 'info', describe: 'least severe level logged' },
} as const satisfies Table;

/** With --sandbox, passed to the shopify-sandbox bin as its own flags (--sandbox-seed as --seed); it sets the defaults and checks the values. */
export const SANDBOX_STORE_OPTIONS = {
  'sandbox-seed': { type: 'string', describe: 'seed of the simulated store' },
  'sandbox-orders': { type: 'string', describe: 'orders in the simulated store' },
  'sandbox-products': { type: 'string', describe: 'products in the simulated store' },
  'sandbox-customers': { type: 'string', describe: 'customers in the simulated store' },
  'sandbox-ordering': { type: 'string', choices: ['grouped', 'interleaved', 'children-first'], describe: 'JSONL line order when groupObjects is false' },
  'sandbox-operation-delay': { type: 'string', describe: 'how long simulated bulk operations run' },
  'sandbox-scopes': { type: 'string', describe: 'access scopes the simulated store grants the app, comma-separated (default: all its data needs)' },
} as const satisfies Table;

/** The models' settings (src/models/definitions.ts), for `models` and `run --models`. */
export const MODEL_OPTIONS = {
  'segment-vip-spent': { type: 'string', default: '1000', read: whole(0), describe: 'customer segment VIP: spent at least this much (shop currency) …' },
  'segment-vip-orders': { type: 'string', default: '10', read: whole(1), describe: '… in at least this many orders' },
  'segment-loyal-spent': { type: 'string', default: '500', read: whole(0), describe: 'customer segment Loyal: spent at least this much …' },
  'segment-loyal-orders': { type: 'string', default: '5', read: whole(1), describe: '… in at least this many orders' },
  'segment-regular-orders': { type: 'string', default: '3', read: whole(1), describe: 'customer segment Regular: at least this many orders (then One-time: 1 order, else Emerging)' },
  'top-pairs': { type: 'string', default: '100', read: whole(1), describe: 'product_pairs: the most co-bought pairs of products kept per shop' },
} as const satisfies Table;

export const RUN_OPTIONS = {
  shop: { type: 'string', describe: 'the store\'s myshopify domain (env SHOPIFY_SHOP); the token comes from env SHOPIFY_ACCESS_TOKEN' },
  'admin-url': { type: 'string', describe: 'base URL of the Admin API (env SHOPIFY_ADMIN_URL); default https://<shop>' },
  'shops-file': SHOPS_FILE,
  'shard-count': { type: 'string', read: whole(1), describe: 'tasks the shops are split across (env SHARD_COUNT); Cloud Run sets CLOUD_RUN_TASK_COUNT, Kubernetes Indexed Jobs need this' },
  'api-version': { type: 'string', default: DEFAULT_API_VERSION, read: apiVersion, describe: 'Admin API version (env SHOPIFY_API_VERSION)' },
  entities: { type: 'string', read: entityList, describe: `comma-separated entities to extract; default: all (${ENTITY_NAMES.join(',')}), with --since/--until the incremental ones` },
  dest: { type: 'string', default: './data/out', read: path, describe: 'output: a folder or gs://bucket/prefix' },
  state: STATE,
  staging: { type: 'string', read: path, describe: 'local folder for part files before upload; default: next to the state file' },
  // Below a few KiB a part file is mostly gzip and object overhead, one per batch of rows.
  'part-size': { type: 'string', default: '128MiB', read: bytes('4KiB'), describe: 'close a part file (and upload it) after this many uncompressed bytes (at least 4KiB)' },
  workers: { type: 'string', default: String(availableParallelism()), read: whole(1), describe: 'worker threads that parse, transform and compress (default: one per core)' },
  format: { type: 'string', choices: OUTPUT_FORMATS, default: 'ndjson', describe: 'part files as gzip NDJSON or Parquet (zstd, typed columns; README, Parquet output)' },
  'gzip-level': { type: 'string', default: '1', read: whole(0, 9), describe: 'gzip level of part files, 0-9 (1: fastest, by ISA-L where it is installed; 6 makes files about 40% smaller for about 60% more processing CPU)' },
  'gcs-resumable-threshold': { type: 'string', default: '8MiB', read: bytes(), describe: 'part files this large or larger upload as resumable, in 8 MiB chunks' },
  'gcs-endpoint': GCS_ENDPOINT,
  since: { type: 'string', read: date, describe: 'backfill from this instant (ISO-8601, inclusive)' },
  until: { type: 'string', read: date, describe: 'backfill up to this instant (ISO-8601, exclusive); default now minus --safety-lag' },
  'full-refresh': { type: 'boolean', default: false, read: yes, describe: 're-extract everything, ignoring the watermark' },
  lookback: { type: 'string', default: '2h', read: milliseconds(), describe: 'how far before the watermark an incremental window starts (late index updates)' },
  // Each window is a bulk operation: narrower ones would make thousands over a long range (src/sync/plan.ts also caps their number).
  window: { type: 'string', default: '30d', read: milliseconds(`${MIN_WINDOW_MS / 3_600_000}h`), describe: 'longest time range one bulk operation covers (at least 1h); longer ranges are split, from the shop\'s creation on a first run or full refresh' },
  'safety-lag': { type: 'string', default: '2m', read: milliseconds(), describe: 'a window ends this long before now, so records still being indexed are left for the next run' },
  'deletes-every': { type: 'string', default: '1d', read: every, describe: 'how often an incremental entity\'s id-only snapshot runs to find deletes Shopify reports no event for (0: every run; off: no deletions stage, destroy events included)' },
  concurrency: { type: 'string', default: '5', read: whole(1), describe: 'bulk operations at once per shop (capped at Shopify\'s limit: 5 from API 2026-01, 1 before)' },
  'poll-interval': { type: 'string', default: '1s', read: milliseconds('10ms'), describe: 'first delay between status polls (grows with backoff; at least 10ms)' },
  'max-poll-interval': { type: 'string', default: '30s', read: milliseconds('10ms'), describe: 'longest delay between status polls' },
  'created-timeout': { type: 'string', default: '30m', read: milliseconds('100ms'), describe: 'cancel and retry an operation stuck in CREATED this long' },
  'operation-timeout': { type: 'string', default: '6h', read: milliseconds('100ms'), describe: 'cancel an operation still running after this long, then split or retry its window' },
  'max-objects': { type: 'string', default: '0', read: whole(0), describe: 'cancel and split a window once its running operation reports more objects than this (0: no bound)' },
  grace: { type: 'string', default: '10s', read: milliseconds(), describe: 'on SIGTERM, how long to finish cleanly before exiting' },
  'retry-budget': { type: 'string', default: '15m', read: milliseconds(), describe: 'how long one Shopify request or stalled download is retried through 5xx, 429 and network failures (THROTTLED waits apart)' },
  // GCS takes about one write a second per object: a renewal every third of the lease stays under it.
  'lock-lease': { type: 'string', default: '60s', read: milliseconds('3s'), describe: 'state lock lease, renewed every third of it; a killed run\'s lock lapses this long after it died (at least 3s)' },
  'lock-wait': { type: 'string', default: '2m', read: milliseconds(), describe: 'how long to wait for another run\'s state lock to be released or lapse before exiting 3' },
  sandbox: { type: 'boolean', default: false, read: yes, describe: 'extract from the built-in simulated store (no credentials needed)' },
  ...SANDBOX_STORE_OPTIONS,
  'dry-run': { type: 'boolean', default: false, read: yes, describe: 'print the plan and the queries; touch nothing' },
  'strict-quality': { type: 'boolean', default: false, read: yes, describe: 'a failed financial accuracy check (README, Quality checks) fails the run (exit 1, QUALITY_CHECK_FAILED) instead of warning' },
  models: { type: 'boolean', default: false, read: yes, describe: 'after the run, compute the models into <dest>/_models/ (as the models command; a local --dest)' },
  ...MODEL_OPTIONS,
} as const satisfies Table;

export const STATUS_OPTIONS = {
  state: { ...STATE, describe: `${STATE.describe}, read without taking its lock` },
  'shops-file': SHOPS_FILE,
  'gcs-endpoint': GCS_ENDPOINT,
  json: { type: 'boolean', default: false, read: yes, describe: 'print JSON instead of a table' },
} as const satisfies Table;

export const VIEWS_OPTIONS = {
  dialect: { type: 'string', choices: ['duckdb', 'bigquery'], demandOption: true, describe: 'duckdb: views over a local --dest; bigquery: external tables and views over a gs:// --dest' },
  dest: { type: 'string', default: './data/out', read: path, describe: 'what the runs wrote: a folder (duckdb) or gs://bucket/prefix (bigquery)' },
  dataset: { type: 'string', default: 'analytics', describe: 'bigquery: the dataset (or project.dataset) that holds the external tables and the views' },
  state: { ...STATE, describe: `${STATE.describe}, the runs' (read without taking its lock): the files it has not committed are left out` },
  'shops-file': SHOPS_FILE,
  'gcs-endpoint': GCS_ENDPOINT,
} as const satisfies Table;

export const REPORT_OPTIONS = {
  dest: { type: 'string', default: './data/out', read: path, describe: 'what the runs wrote: a folder or gs://bucket/prefix (manifests and models are read from it)' },
  state: { ...STATE, describe: `${STATE.describe}, read without taking its lock` },
  'shops-file': SHOPS_FILE,
  'gcs-endpoint': GCS_ENDPOINT,
  out: { type: 'string', read: path, describe: 'the HTML file to write; default <dest>/_report/index.html (needed with a gs:// --dest)' },
  runs: { type: 'string', default: '10', read: whole(1, 1000), describe: 'how many of the latest runs of each shop the report shows' },
} as const satisfies Table;

export const MODELS_COMMAND_OPTIONS = {
  dest: { type: 'string', default: './data/out', read: path, describe: 'what the runs wrote: a local folder (for gs://, the BigQuery views of models/bigquery)' },
  state: { ...STATE, describe: `${STATE.describe}, the runs' (read without taking its lock): only what it committed is modelled` },
  'shops-file': SHOPS_FILE,
  'gcs-endpoint': GCS_ENDPOINT,
  ...MODEL_OPTIONS,
} as const satisfies Table;

/** Every flag of every command: ETL_* variables that name none of them are warned about. */
export const ALL_FLAGS = [...new Set([LOG_OPTIONS, RUN_OPTIONS, STATUS_OPTIONS, VIEWS_OPTIONS, REPORT_OPTIONS, MODELS_COMMAND_OPTIONS].flatMap((t) => Object.keys(t)))];

/** A table as yargs options: each `read` became a coerce returning what it reads. */
type Bound<T extends Table> = { [K in keyof T]: T[K] extends { read: Read<infer R> } ? Omit<T[K], 'read'> & { coerce: (value: unknown) => R } : T[K] };

/** The values a command's handler gets for a table: each flag's type as its coerce, choices or type say. */
export type Values<T extends Table> = InferredOptionTypes<Bound<T>>;

/**
 * What one parse's reads were given: each flag's text, for messages that compare two flags, and the
 * first refusal, which yargs passes on from a coerce as a YError with the message alone.
 */
export class Given {
  readonly texts = new Map<string, string>();
  refusal: EtlError | undefined;
}

/**
 * One command's options for this parse: a flag its variable sets gets the variable's text as its
 * default, so the command line still wins. Only the chosen command's options read the environment:
 * any other ETL_* variable (ETL_ENV of a shared ConfigMap, the run's ETL_DEST where `status` runs) is
 * no flag of it and is left alone.
 */
export function forCommand<T extends Table>(table: T, env: Env, given: Given): Bound<T> {
  const options = Object.entries(table).map(([flag, { read, ...spec }]): [string, Options] => {
    const fromEnv = flagFromEnv(flag, env);
    // A value flag takes the next word even when it starts with '-' and a digit: "--lookback -2h" is
    // a negative duration to refuse, not the short options -2 and -h.
    const option: Options = spec.type === 'string' && !spec.array ? { ...spec, requiresArg: true } : spec;
    const fallback = String(spec.default);
    const coerce = (value: unknown): unknown => {
      try {
        // yargs gives a flag typed twice as an array, which would read as its values joined by commas
        // (--dest A --dest gs://b/p was a folder "A,gs:/b/p"): which one was meant is not ours to guess.
        if (Array.isArray(value) && !spec.array) bad(`--${flag} is given ${value.length} times (${value.map((v) => `'${String(v)}'`).join(', ')}); give it once`);
        if (!read) return value instanceof FromEnv ? value.text : value;
        const [text, label] = value instanceof FromEnv ? [value.text, `--${flag} (${value.name})`] : [String(value), `--${flag}`];
        given.texts.set(flag, text);
        return read(text, label, fallback);
      } catch (err) {
        given.refusal ??= err instanceof EtlError ? err : undefined;
        throw err;
      }
    };
    return [flag, { ...option, ...(fromEnv ? { default: fromEnv } : {}), coerce }];
  });
  // The one cast: Object.fromEntries cannot say that each key keeps its own option's type.
  return Object.fromEntries(options) as Bound<T>;
}
