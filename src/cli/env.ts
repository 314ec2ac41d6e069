// Every environment variable the CLI reads, in one place. Only the environment parseConfig is given is
// read (main passes process.env, tests their own); yargs' own .env() would read process.env. A flag of
// the command being run reads ETL_<FLAG> (ETL_DEST, ETL_LOOKBACK), then, for a few flags, the name
// Shopify's, Google's or Kubernetes' tools use (SHOPIFY_SHOP, GCS_ENDPOINT, SHARD_COUNT); the command
// line wins over both. The rest are credentials and what Cloud Run or a Kubernetes Indexed Job sets.
import type { LogFormat } from '../report/log.ts';
import type { Shard } from './shops.ts';
import { bad, wholeNumber } from './values.ts';

export type Env = NodeJS.ProcessEnv;

/** The environment form of a flag: --safety-lag is ETL_SAFETY_LAG. */
export function envName(flag: string): string {
  return `ETL_${flag.toUpperCase().replace(/-/g, '_')}`;
}

/** Flags that also read their platform's usual variable, after ETL_<FLAG>. */
const USUAL_NAMES: Record<string, string> = {
  shop: 'SHOPIFY_SHOP',
  'admin-url': 'SHOPIFY_ADMIN_URL',
  'shops-file': 'SHOPIFY_SHOPS_FILE',
  'api-version': 'SHOPIFY_API_VERSION',
  'shard-count': 'SHARD_COUNT',
  'gcs-endpoint': 'GCS_ENDPOINT',
};

/** A flag's text as a variable gave it; its name goes into the message when the text is refused. */
export class FromEnv {
  readonly name: string;
  readonly text: string;

  constructor(name: string, text: string) {
    this.name = name;
    this.text = text;
  }

  /** --help shows the default: the variable's text, as it would a default written in the option. */
  toJSON(): string {
    return this.text;
  }
}

/** The variable that sets `flag`, if any: an empty one counts as unset. */
export function flagFromEnv(flag: string, env: Env): FromEnv | undefined {
  const name = [envName(flag), USUAL_NAMES[flag]].find((n) => n !== undefined && env[n] !== undefined && env[n] !== '');
  return name === undefined ? undefined : new FromEnv(name, env[name]!);
}

/** ETL_* variables that name no flag of any command: likely typos of one, worth a warning, never read. */
export function ignoredEnv(env: Env, flags: string[]): string[] {
  const known = new Set(flags.map(envName));
  return Object.keys(env).filter((k) => k.startsWith('ETL_') && env[k] !== '' && !known.has(k)).sort();
}

/** The credentials of the one shop of --shop: an access token, or an app's client id and secret. */
export const CREDENTIALS = { token: 'SHOPIFY_ACCESS_TOKEN', clientId: 'SHOPIFY_CLIENT_ID', clientSecret: 'SHOPIFY_CLIENT_SECRET' } as const;

// Cloud Run's reserved variables (Kubernetes Indexed Jobs: JOB_COMPLETION_INDEX), so one execution's
// lines can be filtered in Cloud Logging; label values must be strings.
const LABEL_ENV: Array<[string, string[]]> = [
  ['job', ['CLOUD_RUN_JOB']],
  ['execution', ['CLOUD_RUN_EXECUTION']],
  ['task', ['CLOUD_RUN_TASK_INDEX', 'JOB_COMPLETION_INDEX']],
  ['attempt', ['CLOUD_RUN_TASK_ATTEMPT']],
];

export function logLabels(env: Env): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [label, names] of LABEL_ENV) {
    const value = names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
    if (value !== undefined) labels[label] = value;
  }
  return labels;
}

/** Which execution and task this is on Cloud Run or Kubernetes (names the lock owner), if any. */
export function execution(env: Env): string | undefined {
  return [env.CLOUD_RUN_EXECUTION, env.CLOUD_RUN_TASK_INDEX ?? env.JOB_COMPLETION_INDEX].filter(Boolean).join('/') || undefined;
}

/**
 * Which slice of the shops this task takes. Cloud Run sets CLOUD_RUN_TASK_INDEX and _COUNT; a
 * Kubernetes Indexed Job sets only JOB_COMPLETION_INDEX, so its count comes from --shard-count (env
 * SHARD_COUNT), which must equal the Job's completions.
 */
export function shardFromEnv(env: Env, shardCount: number | undefined): Shard {
  const cloudRun = env.CLOUD_RUN_TASK_INDEX !== undefined;
  const rawIndex = env.CLOUD_RUN_TASK_INDEX ?? env.JOB_COMPLETION_INDEX;
  const count = shardCount ?? (cloudRun && env.CLOUD_RUN_TASK_COUNT !== undefined ? wholeNumber('CLOUD_RUN_TASK_COUNT', env.CLOUD_RUN_TASK_COUNT, 1) : undefined);
  if (rawIndex === undefined) return { index: 0, count: count ?? 1 };
  const indexName = cloudRun ? 'CLOUD_RUN_TASK_INDEX' : 'JOB_COMPLETION_INDEX';
  if (count === undefined) bad(`${indexName} is set but the number of tasks is not: pass --shard-count (env SHARD_COUNT) equal to the Job's completions`);
  const index = wholeNumber(indexName, rawIndex, 0);
  if (index >= count) bad(`${indexName} ${index} is not below the task count ${count}: --shard-count (SHARD_COUNT) must equal the number of tasks`);
  return { index, count };
}

/**
 * The log format --log-format or ETL_LOG_FORMAT asks for, else pretty on a terminal and JSON off one:
 * how to report a command line that could not be parsed.
 */
export function requestedLogFormat(args: string[], env: Env, isTty: boolean): LogFormat {
  const i = args.findIndex((a) => a === '--log-format' || a.startsWith('--log-format='));
  const value = i < 0 ? env[envName('log-format')] : args[i]!.includes('=') ? args[i]!.split('=')[1] : args[i + 1];
  if (value === 'json' || value === 'pretty') return value;
  return isTty ? 'pretty' : 'json';
}
