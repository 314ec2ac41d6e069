// Flags and ETL_* variables through parseConfig, the function the CLI calls: what is refused, with
// which words, and which environment it reads.
import { expect } from 'chai';
import { parseConfig, type RunConfig, type StatusConfig } from '../../src/cli/config.ts';
import { entities } from '../../src/entities/index.ts';
import { EtlError } from '../../src/errors/index.ts';
import { resolve } from 'node:path';

async function refusal(args: string[], env: Record<string, string> = {}): Promise<string> {
  try {
    await parseConfig(args, env, false);
  } catch (err) {
    expect(err, args.join(' ')).to.be.instanceOf(EtlError);
    expect((err as EtlError).code, args.join(' ')).to.equal('CONFIG_INVALID');
    return (err as EtlError).message;
  }
  throw new Error(`accepted: ${args.join(' ')} ${JSON.stringify(env)}`);
}

async function run(args: string[], env: Record<string, string> = {}): Promise<RunConfig> {
  const config = await parseConfig(['--sandbox', ...args], env, false);
  if (config?.command !== 'run') throw new Error('expected a run config');
  return config;
}

describe('parseConfig', () => {
  describe('dates', () => {
    it('refuses a date that does not exist instead of rolling it over', async () => {
      for (const value of ['2026-02-30', '2025-02-29', '2026-13-01', '2026-04-31T10:00:00Z', '2026-01-01T24:00:00Z', '2026-01-01T10:61:00Z', '2026-01-01T10:00:60+01:00', '2026-01-01T10:00:00+25:00']) {
        expect(await refusal(['--sandbox', '--since', value]), value).to.equal(`--since '${value}' is not a date that exists; give e.g. 2026-01-31 or 2026-01-31T12:00:00Z`);
      }
      expect(await refusal(['--sandbox', '--since', '2026-01-01', '--until', '2026-02-30'])).to.match(/^--until '2026-02-30' is not a date that exists/);
    });

    it('accepts real dates, leap days and offsets', async () => {
      expect((await run(['--since', '2024-02-29'])).since?.toISOString()).to.equal('2024-02-29T00:00:00.000Z');
      expect((await run(['--since', '2026-01-31T23:30:00-02:00'])).since?.toISOString()).to.equal('2026-02-01T01:30:00.000Z');
    });

    it('refuses a --since in the future, saying up to when a run can extract', async () => {
      const message = await refusal(['--sandbox', '--since', '2999-01-01']);
      expect(message).to.match(/^--since 2999-01-01T00:00:00\.000Z is in the future: a run extracts up to now minus --safety-lag \(\d{4}-\d\d-\d\dT[\d:.]+Z\); nothing to extract$/);
    });
  });

  describe('numbers, durations and sizes: one rule per flag, the given text in every message', () => {
    const cases: Array<[string[], string]> = [
      [['--workers', 'abc'], `--workers must be a whole number ≥ 1 (got 'abc')`],
      [['--workers', '2.5'], `--workers must be a whole number ≥ 1 (got '2.5')`],
      [['--workers', '0'], `--workers must be a whole number ≥ 1 (got '0')`],
      [['--concurrency', ''], `--concurrency must be a whole number ≥ 1 (got '')`],
      [['--gzip-level', '10'], `--gzip-level must be a whole number from 0 to 9 (got '10')`],
      [['--max-objects', '-1'], `--max-objects must be a whole number ≥ 0 (got '-1')`],
      [['--lookback', '-2h'], `--lookback '-2h' is negative; give a duration ≥ 0, e.g. 2h`],
      [['--safety-lag', '-1s'], `--safety-lag '-1s' is negative; give a duration ≥ 0, e.g. 2m`],
      [['--lookback', 'soon'], `--lookback 'soon' is not a duration; use a number with a unit: 90s, 15m, 2h, 7d`],
      [['--poll-interval', '0s'], `--poll-interval '0s' is too short; give at least 10ms`],
      [['--created-timeout', '0ms'], `--created-timeout '0ms' is too short; give at least 100ms`],
      [['--grace', '-5s'], `--grace '-5s' is negative; give a duration ≥ 0, e.g. 10s`],
      [['--part-size', '0'], `--part-size '0' is too small; give at least 4KiB`],
      [['--part-size', '1KiB'], `--part-size '1KiB' is too small; give at least 4KiB`],
      [['--part-size', '-1MiB'], `--part-size '-1MiB' is not a size; use bytes or a binary unit: 262144, 256KiB, 8MiB`],
      [['--gcs-resumable-threshold', 'big'], `--gcs-resumable-threshold 'big' is not a size; use bytes or a binary unit: 262144, 256KiB, 8MiB`],
      [['--deletes-every', 'daily'], `--deletes-every 'daily' is not a duration; use a number with a unit: 90s, 15m, 2h, 7d`],
      [['--deletes-every', '-1d'], `--deletes-every '-1d' is negative; give a duration ≥ 0, e.g. 1d`],
    ];
    for (const [args, message] of cases) {
      it(`${args.join(' ')}: ${message}`, async () => {
        expect(await refusal(['--sandbox', ...args])).to.equal(message);
      });
    }

    it('--models: its settings with their defaults, the segments\' thresholds as given; a bucket refused, saying what works', async () => {
      expect((await run([])).models).to.equal(null);
      expect((await run(['--models'])).models).to.deep.equal({ vipSpent: 1000, vipOrders: 10, loyalSpent: 500, loyalOrders: 5, regularOrders: 3, topPairs: 100 });
      expect((await run(['--models', '--segment-vip-spent', '2500', '--top-pairs', '10'])).models).to.include({ vipSpent: 2500, topPairs: 10 });
      expect(await refusal(['--sandbox', '--models', '--dest', 'gs://b/p'])).to.include('models/bigquery');
      expect(await refusal(['--sandbox', '--models', '--segment-vip-orders', '0'])).to.include('--segment-vip-orders');
      const models = await parseConfig(['models', '--dest', '/tmp/out', '--segment-regular-orders', '4'], {}, false);
      expect(models).to.deep.include({ command: 'models', dest: '/tmp/out', targets: [{ shop: null, state: resolve('./data/state.db') }] });
      const withState = await parseConfig(['models', '--dest', '/tmp/out', '--state', '/tmp/run.db', '--gcs-endpoint', 'http://127.0.0.1:4443'], {}, false);
      expect(withState).to.deep.include({ targets: [{ shop: null, state: '/tmp/run.db' }], gcsEndpoint: 'http://127.0.0.1:4443' });
      expect(await refusal(['models', '--dest', 'gs://b/p'])).to.include('copy the folder down');
    });

    it('--max-poll-interval may not be shorter than --poll-interval', async () => {
      expect(await refusal(['--sandbox', '--poll-interval', '5s', '--max-poll-interval', '1s'])).to.equal(`--max-poll-interval (1s) must be at least --poll-interval (5s)`);
    });

    it('names the variable when the bad value came from the environment', async () => {
      expect(await refusal(['--sandbox'], { ETL_WORKERS: 'abc' })).to.equal(`--workers (ETL_WORKERS) must be a whole number ≥ 1 (got 'abc')`);
      expect(await refusal(['--sandbox'], { ETL_LOOKBACK: '-2h' })).to.equal(`--lookback (ETL_LOOKBACK) '-2h' is negative; give a duration ≥ 0, e.g. 2h`);
      expect(await refusal(['--sandbox'], { ETL_DELETES_EVERY: 'weekly' })).to.equal(`--deletes-every (ETL_DELETES_EVERY) 'weekly' is not a duration; use a number with a unit: 90s, 15m, 2h, 7d`);
      expect(await refusal(['--sandbox'], { ETL_DRY_RUN: 'maybe' })).to.equal(`--dry-run (ETL_DRY_RUN) must be true or false (got 'maybe')`);
      expect(await refusal(['--sandbox'], { ETL_ENTITIES: 'orders,widgets' })).to.match(/^unknown entity 'widgets' in --entities \(ETL_ENTITIES\); choose from orders, /);
      expect(await refusal(['--sandbox'], { SHOPIFY_API_VERSION: '2026-02' })).to.match(/^--api-version \(SHOPIFY_API_VERSION\) '2026-02' is not a Shopify API version/);
      expect(await refusal(['--shop', 'acme.myshopify.com'], { SHOPIFY_ACCESS_TOKEN: 'shpat_x', SHARD_COUNT: 'two' })).to.equal(`--shard-count (SHARD_COUNT) must be a whole number ≥ 1 (got 'two')`);
    });

    it('names the flag alone when the command line gave the bad value, whatever the variable holds', async () => {
      expect(await refusal(['--sandbox', '--workers', 'abc'], { ETL_WORKERS: '2' })).to.equal(`--workers must be a whole number ≥ 1 (got 'abc')`);
      expect(await refusal(['--sandbox', '--lookback=-1h'], { ETL_LOOKBACK: 'soon' })).to.equal(`--lookback '-1h' is negative; give a duration ≥ 0, e.g. 2h`);
    });

    it('refuses a flag without its value as usage, not as an internal error', async () => {
      expect(await refusal(['--sandbox', '--workers'])).to.equal('Not enough arguments following: workers; see --help');
    });

    it('reads the smallest accepted values and the units', async () => {
      const config = await run(['--part-size', '4KiB', '--lookback', '0s', '--poll-interval', '10ms', '--workers', '1', '--gzip-level', '0', '--gcs-resumable-threshold', '0']);
      expect(config).to.include({ partSize: 4096, lookbackMs: 0, pollIntervalMs: 10, workers: 1, gzipLevel: 0, gcsResumableThreshold: 0 });
    });
  });

  describe('flags that contradict each other, from the command line or the environment', () => {
    const shopsFile = '/nonexistent/shops.yaml';
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--sandbox', '--full-refresh', '--since', '2026-01-01'], {}, '--full-refresh and --since contradict each other: --full-refresh re-extracts everything, --since a range'],
      [['--sandbox', '--since', '2026-01-01'], { ETL_FULL_REFRESH: 'true' }, '--full-refresh and --since contradict each other: --full-refresh re-extracts everything, --since a range'],
      [['--sandbox', '--shops-file', shopsFile], {}, '--sandbox and --shops-file contradict each other: the sandbox is one simulated shop'],
      [['--sandbox'], { SHOPIFY_SHOPS_FILE: shopsFile }, '--sandbox and --shops-file contradict each other: the sandbox is one simulated shop'],
      [['--shops-file', shopsFile], { SHOPIFY_SHOP: 'acme.myshopify.com' }, '--shop (SHOPIFY_SHOP) and --shops-file both name shops; use one'],
      [['--shops-file', shopsFile, '--admin-url', 'https://acme.myshopify.com'], {}, '--admin-url applies to --shop; in a shops file, give each shop its own "adminUrl"'],
      [['--sandbox', '--gcs-endpoint', 'http://localhost:4443'], { STORAGE_EMULATOR_HOST: 'localhost:9023' }, 'both --gcs-endpoint (http://localhost:4443) and STORAGE_EMULATOR_HOST (localhost:9023) are set; keep one'],
      [['status'], { GCS_ENDPOINT: 'http://localhost:4443', STORAGE_EMULATOR_HOST: 'localhost:9023' }, 'both --gcs-endpoint (http://localhost:4443) and STORAGE_EMULATOR_HOST (localhost:9023) are set; keep one'],
    ];
    for (const [args, env, message] of cases) {
      it(`${args.join(' ')} ${JSON.stringify(env)}: ${message}`, async () => {
        expect(await refusal(args, env)).to.equal(message);
      });
    }
  });

  describe('the environment', () => {
    it('reads a few flags from their platform\'s usual variable after ETL_<FLAG>, the command line first', async () => {
      const env = { SHOPIFY_API_VERSION: '2025-01', GCS_ENDPOINT: 'http://localhost:4443' };
      expect(await run([], env)).to.include({ apiVersion: '2025-01', gcsEndpoint: 'http://localhost:4443' });
      expect(await run([], { ...env, ETL_API_VERSION: '2025-04' })).to.include({ apiVersion: '2025-04' });
      expect(await run(['--api-version', '2025-07'], { ...env, ETL_API_VERSION: '2025-04' })).to.include({ apiVersion: '2025-07' });
      const shop = await parseConfig(['--dry-run'], { SHOPIFY_SHOP: 'Acme.myshopify.com', SHOPIFY_ADMIN_URL: 'http://127.0.0.1:8080/' }, false);
      expect(shop?.command === 'run' && shop.shops.map((s) => [s.shop, s.adminUrl])).to.deep.equal([['acme.myshopify.com', 'http://127.0.0.1:8080']]);
    });

    it('takes an empty variable as unset', async () => {
      expect(await run([], { SHOPIFY_API_VERSION: '', ETL_WORKERS: '', ETL_LOOKBACK: '' })).to.include({ apiVersion: '2026-10', lookbackMs: 2 * 3_600_000 });
    });

    it('--deletes-every: a day by default, 0 for every run, off for none, or ETL_DELETES_EVERY', async () => {
      expect(await run([], {})).to.include({ deletesEveryMs: 86_400_000 });
      expect(await run(['--deletes-every', '0'], {})).to.include({ deletesEveryMs: 0 });
      expect(await run(['--deletes-every', 'off'], {})).to.include({ deletesEveryMs: null });
      expect(await run([], { ETL_DELETES_EVERY: '6h' })).to.include({ deletesEveryMs: 6 * 3_600_000 });
    });

    it('ignores ETL_* variables that name no flag, and lists them for a warning', async () => {
      const config = await run(['--entities', 'orders'], { ETL_ENV: 'production', ETL_TEAM: 'data' });
      expect(config.entities).to.deep.equal(['orders']);
      expect(config.ignoredEnv).to.deep.equal(['ETL_ENV', 'ETL_TEAM']);
    });

    it('reads ETL_<FLAG> for the flags of the command, the command line first', async () => {
      const env = { ETL_LOOKBACK: '6h', ETL_DRY_RUN: 'true', ETL_ENTITIES: 'shop', ETL_WORKERS: '3' };
      const config = await run(['--workers', '2'], env);
      expect(config).to.include({ lookbackMs: 6 * 3_600_000, dryRun: true, workers: 2 });
      expect(config.entities).to.deep.equal(['shop']);
      expect(config.ignoredEnv).to.deep.equal([]);
      expect((await run(['--no-dry-run'], env)).dryRun).to.equal(false);
    });

    it('--format: ndjson by default, parquet from the flag or ETL_FORMAT, nothing else', async () => {
      expect((await run([], {})).format).to.equal('ndjson');
      expect((await run([], { ETL_FORMAT: 'parquet' })).format).to.equal('parquet');
      expect((await run(['--format', 'ndjson'], { ETL_FORMAT: 'parquet' })).format).to.equal('ndjson');
      const err = await run(['--format', 'csv'], {}).then(() => null, (e: unknown) => e);
      expect(err instanceof EtlError && err.code).to.equal('CONFIG_INVALID');
    });

    it('status reads its own flags from the environment and ignores the run\'s', async () => {
      const env = { ETL_DEST: 'gs://bucket/out', ETL_LOOKBACK: '6h', ETL_ENTITIES: 'orders', ETL_STATE: '/var/etl/state.db', ETL_JSON: 'true', ETL_ENV: 'production' };
      const config = (await parseConfig(['status'], env, false)) as StatusConfig;
      expect(config).to.include({ command: 'status', json: true });
      expect(config.targets).to.deep.equal([{ shop: null, state: '/var/etl/state.db' }]);
      expect(config.ignoredEnv).to.deep.equal(['ETL_ENV']);
      expect(((await parseConfig(['status'], { ETL_JSON: 'false' }, false)) as StatusConfig).json).to.equal(false);
    });

    it('reads only the environment it is given, never process.env', async () => {
      const saved = { ...process.env };
      try {
        Object.assign(process.env, { ETL_ENTITIES: 'shop', ETL_WORKERS: 'abc', ETL_BOGUS: '1' });
        const config = await run([], {});
        expect(config.entities).to.deep.equal(entities.map((e) => e.name));
        expect(config.ignoredEnv).to.deep.equal([]);
      } finally {
        for (const key of ['ETL_ENTITIES', 'ETL_WORKERS', 'ETL_BOGUS']) {
          if (saved[key] === undefined) delete process.env[key];
          else process.env[key] = saved[key];
        }
      }
    });
  });
});
