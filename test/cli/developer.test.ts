// The suite as a developer runs it: one file at a time, from any shell.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const MOCHA = resolve(ROOT, 'node_modules/mocha/bin/mocha.js');

/** `npx mocha <args>` from the checkout, with the given environment on top of the caller's. */
function mocha(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [MOCHA, ...args], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((done, reject) => {
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
  });
}

describe('running the tests', function () {
  this.timeout(60_000);

  it('`npx mocha <file>` runs that file only', async () => {
    const result = await mocha(['--dry-run', '--reporter', 'json', 'test/report/progress.test.ts']);
    expect(result.code, result.stderr).to.equal(0);
    const files = new Set((JSON.parse(result.stdout) as { tests: Array<{ file: string }> }).tests.map((t) => t.file));
    expect([...files]).to.deep.equal([resolve(ROOT, 'test/report/progress.test.ts')]);
  });

  it('a config test passes whatever ETL_* and SHOPIFY_* variables the developer\'s shell exports', async () => {
    const shell = { ETL_ENTITIES: 'shop', ETL_DEST: '/nonexistent/out', ETL_LOOKBACK: '-2h', ETL_JSON: 'true', SHOPIFY_SHOP: 'other.myshopify.com', SHOPIFY_API_VERSION: '2025-01' };
    const result = await mocha(['test/cli/shops-config.test.ts'], shell);
    expect(result.code, result.stdout + result.stderr).to.equal(0);
    expect(result.stdout).to.match(/\d+ passing/);
  });
});
