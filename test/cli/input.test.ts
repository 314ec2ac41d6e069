// Input the CLI refuses at once (exit 2, one line, no stack trace), and environment it leaves alone.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StateDb } from '../../src/state/db.ts';
import { runCli } from '../support/cli.ts';

describe('the CLI refuses bad input and ignores foreign variables', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'etl-input-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('exits 2 with one line saying what is wrong, before doing anything (a log entry off a terminal)', async () => {
    const cases: Array<[string[], Record<string, string>, RegExp]> = [
      [['--since', '2026-02-30'], {}, /^--since '2026-02-30' is not a date that exists; give e\.g\. 2026-01-31/],
      [['--since', '2999-01-01'], {}, /^--since 2999-01-01T00:00:00\.000Z is in the future: a run extracts up to now minus --safety-lag/],
      [['--workers', 'abc'], {}, /^--workers must be a whole number ≥ 1 \(got 'abc'\)/],
      [['--lookback', '-2h'], {}, /^--lookback '-2h' is negative; give a duration ≥ 0, e\.g\. 2h/],
      [['--part-size', '0'], {}, /^--part-size '0' is too small; give at least 4KiB/],
      [[], { ETL_GZIP_LEVEL: 'high' }, /^--gzip-level \(ETL_GZIP_LEVEL\) must be a whole number from 0 to 9 \(got 'high'\)/],
      [['--log-format', 'xml'], {}, /^Invalid values: Argument: log-format, Given: "xml", Choices: "json", "pretty"; see --help/],
      // A flag given twice used to be joined with a comma: --dest A --dest gs://b/p wrote to a folder "A,gs:/b/p".
      [['--dest', 'A', '--dest', 'gs://b/p'], {}, /^--dest is given 2 times \('A', 'gs:\/\/b\/p'\); give it once$/],
      [['--shop', 'a.myshopify.com', '--shop', 'b.myshopify.com'], {}, /^--shop is given 2 times \('a\.myshopify\.com', 'b\.myshopify\.com'\); give it once$/],
      [['--log-format', 'json', '--log-format', 'pretty'], {}, /^--log-format is given 2 times \('json', 'pretty'\); give it once$/],
    ];
    const results = await Promise.all(cases.map(([args, env]) => runCli(['--sandbox', ...args, ...(args.includes('--dest') ? [] : ['--dest', join(dir, 'out')]), '--state', join(dir, 'state.db')], env)));
    results.forEach((result, i) => {
      const [args, env, message] = cases[i]!;
      const what = `${args.join(' ')} ${JSON.stringify(env)}`;
      expect(result.code, what).to.equal(2);
      expect(result.stderr.trimEnd().split('\n'), what).to.have.length(1);
      const entry = JSON.parse(result.stderr) as { severity: string; code: string; message: string };
      expect(entry, what).to.include({ severity: 'ERROR', code: 'CONFIG_INVALID' });
      expect(entry.message, what).to.match(message);
      expect(result.stdout, what).to.equal('');
    });
  });

  it('says the same as a plain line with --log-format pretty', async () => {
    const result = await runCli(['--sandbox', '--log-format', 'pretty', '--since', '2026-02-30', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db')]);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.equal(`shopify-bulk-etl: --since '2026-02-30' is not a date that exists; give e.g. 2026-01-31 or 2026-01-31T12:00:00Z\n`);
  });

  it('runs with unrelated ETL_* variables set, warning about those that name no flag', async () => {
    const result = await runCli(['--sandbox', '--dry-run', '--entities', 'shop', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--log-format', 'json'], { ETL_ENV: 'production', ETL_JSON: 'true' });
    expect(result.code, result.stderr).to.equal(0);
    const entries = result.stderr.trim().split('\n').map((l) => JSON.parse(l) as { severity: string; message: string });
    expect(entries.map((e) => e.message)).to.include('plan: shop');
    const warnings = entries.filter((l) => l.severity === 'WARNING');
    expect(warnings.map((w) => w.message)).to.deep.equal(['ignoring ETL_ENV: no flag of shopify-bulk-etl reads it']);
  });

  it('status runs with the job\'s own ETL_* variables set, and reads ETL_JSON and ETL_STATE', async () => {
    const state = join(dir, 'state.db');
    StateDb.open(state).close();
    const result = await runCli(['status'], { ETL_DEST: join(dir, 'out'), ETL_LOOKBACK: '6h', ETL_ENTITIES: 'orders', ETL_STATE: state, ETL_JSON: 'true' });
    expect(result.code, result.stderr).to.equal(0);
    expect(JSON.parse(result.stdout)).to.deep.equal([]);
  });
});
