// `report`'s flags: where the file goes by default and elsewhere, which states it reads, and its bounds.
import { expect } from 'chai';
import { join, resolve } from 'node:path';
import { parseConfig, type ReportConfig } from '../../src/cli/config.ts';

const report = async (args: string[], env: Record<string, string> = {}): Promise<ReportConfig> => (await parseConfig(['report', ...args], env, false)) as ReportConfig;

describe('report config', () => {
  it('writes next to the data by default, elsewhere with --out (relative to the working directory), and reads --state as status does', async () => {
    const byDefault = await report(['--dest', 'data/out']);
    expect(byDefault).to.include({ command: 'report', dest: resolve('data/out'), out: join(resolve('data/out'), '_report', 'index.html'), runs: 10 });
    expect(byDefault.targets).to.deep.equal([{ shop: null, state: resolve('data/state.db') }]);
    const elsewhere = await report(['--dest', 'gs://bucket/prefix', '--out', 'site/report.html', '--state', 'gs://bucket/state.db', '--runs', '3']);
    expect(elsewhere).to.include({ dest: 'gs://bucket/prefix', out: resolve('site/report.html'), runs: 3 });
    expect(elsewhere.targets).to.deep.equal([{ shop: null, state: 'gs://bucket/state.db' }]);
  });

  it('reads ETL_OUT and ETL_RUNS, the command line first, and refuses --runs 0', async () => {
    expect(await report(['--runs', '4'], { ETL_OUT: '/tmp/r.html', ETL_RUNS: '2' })).to.include({ out: '/tmp/r.html', runs: 4 });
    let refused: unknown;
    await report(['--runs', '0']).catch((err: unknown) => { refused = err; });
    expect(refused).to.have.property('code', 'CONFIG_INVALID');
    expect(String((refused as Error).message)).to.contain('--runs');
  });
});
