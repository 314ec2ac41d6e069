// `run --sandbox` reaches the shopify-sandbox package only through its bin, as a child process: the
// store's flags pass through, the store stops when the run ends however it ends, and a checkout or
// image without the package says so with its own code.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { collect, runCli, startCli, waitForLog } from '../support/cli.ts';

const ROOT = resolve(import.meta.dirname, '../..');

/** Resolves with the sandbox URL the run logs once the store is up. */
function sandboxUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolveUrl, reject) => {
    waitForLog(child, (entry) => {
      if (entry.message !== 'extracting from the built-in sandbox store') return false;
      resolveUrl(String(entry.url));
      return true;
    }).catch(reject);
  });
}

/** True once nothing listens at `url` any more (polled: a killed parent's child notices within moments). */
async function stopsListening(url: string, withinMs = 10_000): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (Date.now() < deadline) {
    const refused = await fetch(`${url}/admin/api/2026-10/graphql.json`, { method: 'POST' }).then(() => false, () => true);
    if (refused) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('run --sandbox (the shopify-sandbox bin as a child process)', function () {
  this.timeout(60_000);
  let dir: string;
  // A test that fails half-way leaves no run (and so, through its stdin, no store) behind it.
  const started: ChildProcess[] = [];
  const start = (args: string[]): ChildProcess => {
    const child = startCli(args);
    started.push(child);
    return child;
  };
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'sandbox-launch-')); });
  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  const args = (): string[] => ['run', '--sandbox', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--log-format', 'json', '--entities', 'orders'];

  it('passes the --sandbox-* flags to the store, and stops it when the run ends', async () => {
    const child = start([...args(), '--sandbox-orders', '7', '--sandbox-operation-delay', '20ms']);
    const url = sandboxUrl(child);
    const result = await collect(child);
    expect(result.code, result.stderr).to.equal(0);
    const summary = result.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.message === 'job summary');
    expect((summary?.rowsByTable as Record<string, number>).orders).to.equal(7);
    expect(await stopsListening(await url)).to.equal(true);
  });

  it('stops the store on SIGTERM (exit 143), and when the run is killed outright', async () => {
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      // Operations that take a minute keep the run busy until the signal.
      const child = start([...args(), '--sandbox-operation-delay', '60s', '--grace', '1s']);
      const url = await sandboxUrl(child);
      child.kill(signal);
      const result = await collect(child);
      if (signal === 'SIGTERM') expect(result.code, result.stderr).to.equal(143);
      else expect(result.signal).to.equal('SIGKILL');
      expect(await stopsListening(url), `${signal}: the store still listens at ${url}`).to.equal(true);
    }
  });

  it('refuses a bad store flag in the run\'s own words, with exit 2', async () => {
    const result = await runCli([...args(), '--sandbox-orders', 'many']);
    expect(result.code).to.equal(2);
    const error = result.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.severity === 'ERROR');
    expect(error).to.include({ code: 'CONFIG_INVALID', message: "--sandbox-orders must be a whole number ≥ 0 (got 'many')" });
  });

  it('exits 2 with SANDBOX_UNAVAILABLE where the package is not installed', async () => {
    // The ETL's sources beside a node_modules holding every dependency but shopify-sandbox.
    const tree = join(dir, 'etl');
    mkdirSync(join(tree, 'node_modules'), { recursive: true });
    cpSync(join(ROOT, 'src'), join(tree, 'src'), { recursive: true });
    cpSync(join(ROOT, 'queries'), join(tree, 'queries'), { recursive: true });
    cpSync(join(ROOT, 'package.json'), join(tree, 'package.json'));
    for (const name of readdirSync(join(ROOT, 'node_modules'))) {
      if (name !== 'shopify-sandbox' && name !== '.bin') symlinkSync(join(ROOT, 'node_modules', name), join(tree, 'node_modules', name));
    }
    const child = spawn(process.execPath, [join(tree, 'src/main.ts'), ...args()], { stdio: ['ignore', 'pipe', 'pipe'] });
    started.push(child);
    const result = await collect(child);
    expect(result.code, result.stderr).to.equal(2);
    const error = result.stderr.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>).find((e) => e.severity === 'ERROR');
    expect(error?.code).to.equal('SANDBOX_UNAVAILABLE');
    expect(error?.message).to.contain('shopify-sandbox package');
  });
});
