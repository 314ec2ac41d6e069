// Flags and ETL_* variables through parseConfig, the function the CLI calls: what is refused, with
// which words, and which environment it reads.
import { expect } from 'chai';
import { parseConfig, type RunConfig, type StatusConfig } from '../../src/cli/config.ts';
import { entities } from '../../src/entities/index.ts';
import { EtlError } from '../../src/errors/index.ts';

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
    ];
    for (const [args, message] of cases) {
      it(`${args.join(' ')}: ${message}`, async () => {
        expect(await refusal(['--sandbox', ...args])).to.equal(message);
      });
    }

    it('--max-poll-interval may not be shorter than --poll-interval', async () => {
      expect(await refusal(['--sandbox', '--poll-interval', '5s', '--max-poll-interval', '1s'])).to.equal(`--max-poll-interval (1s) must be at least --poll-interval (5s)`);
    });

    it('names the variable when the bad value came from the environment', async () => {
      expect(await refusal(['--sandbox'], { ETL_WORKERS: 'abc' })).to.equal(`--workers (ETL_WORKERS) must be a whole number ≥ 1 (got 'abc')`);
      expect(await refusal(['--sandbox'], { ETL_LOOKBACK: '-2h' })).to.equal(`--lookback (ETL_LOOKBACK) '-2h' is negative; give a duration ≥ 0, e.g. 2h`);
      expect(await refusal(['--sandbox'], { ETL_DRY_RUN: 'maybe' })).to.equal(`--dry-run (ETL_DRY_RUN) must be true or false (got 'maybe')`);
    });

    it('reads the smallest accepted values and the units', async () => {
      const config = await run(['--part-size', '4KiB', '--lookback', '0s', '--poll-interval', '10ms', '--workers', '1', '--gzip-level', '0', '--gcs-resumable-threshold', '0']);
      expect(config).to.include({ partSize: 4096, lookbackMs: 0, pollIntervalMs: 10, workers: 1, gzipLevel: 0, gcsResumableThreshold: 0 });
    });
  });

  describe('the environment', () => {
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
