// `npm run demo` as package.json spells it: its shell script run as is, with the CLI from source in
// place of the built one (`node dist/main.js`) and a temporary folder as the working directory (the
// demo writes ./data), so the test needs no build and leaves nothing in the checkout. It must end with
// the models and the report written, and say where each is.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { models } from '../../src/models/definitions.ts';
import { childEnv, collect, MAIN } from '../support/cli.ts';

const PACKAGE = resolve(import.meta.dirname, '../../package.json');

describe('npm run demo', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'etl-demo-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('ends with every model and the report written under ./data/out, and prints where', async () => {
    const demo = (JSON.parse(readFileSync(PACKAGE, 'utf8')) as { scripts: Record<string, string> }).scripts.demo!;
    // scripts/node24-exec sh -c '<script>' demo: the script, with its arguments after the name.
    const script = /^scripts\/node24-exec sh -c '(.*)' demo$/.exec(demo)?.[1];
    expect(script, `package.json's demo script: ${demo}`).to.be.a('string');
    expect(script).to.include('node dist/main.js');
    const fromSource = script!.replaceAll('node dist/main.js', `'${process.execPath}' '${MAIN}'`);
    // Arguments go to the run, as `npm run demo -- …` passes them: a smaller store, and the suite's
    // defaults (withTestDefaults: one window per entity, no deletions stage) to keep it short.
    const args = ['--sandbox-orders', '20', '--sandbox-products', '8', '--sandbox-customers', '8', '--sandbox-operation-delay', '20ms', '--log-format', 'pretty', '--window', '1000d', '--deletes-every', 'off'];
    const child = spawn('sh', ['-c', fromSource, 'demo', ...args], { cwd: dir, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    const result = await collect(child);
    expect(result.code, result.stderr).to.equal(0);

    const out = join(dir, 'data', 'out');
    for (const model of models) {
      const path = join(out, '_models', model.name, `${model.name}.ndjson.gz`);
      expect(result.stdout, `${model.name}: its path printed`).to.include(path);
      expect(gunzipSync(readFileSync(path)).toString('utf8').trim().split('\n').length, `${model.name}: rows`).to.be.greaterThan(0);
    }
    const report = join(out, '_report', 'index.html');
    expect(result.stdout.trimEnd().split('\n').at(-1), 'the last line: where the report is').to.equal(report);
    expect(existsSync(report)).to.equal(true);
    expect(readFileSync(report, 'utf8')).to.include('data-chart="daily-net-sales"');
  });
});
