// The shopify-sandbox command as a caller meets it: one JSON line on stdout once it listens, its
// flags reaching the store, a usage error as exit 2, and the ways it stops.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { gql, pollToEnd, runQuery } from './support/client.ts';

const BIN = fileURLToPath(new URL('../bin/shopify-sandbox.ts', import.meta.url));

function firstLine(child: ChildProcess): Promise<{ severity: string; message: string; url: string; shop: string; token: string }> {
  return new Promise((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve(JSON.parse(line)));
    child.once('exit', (code) => reject(new Error(`exited ${code} before its ready line`)));
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('shopify-sandbox (the bin)', function () {
  this.timeout(30_000);
  // A test that fails half-way leaves no store running behind it.
  const started: ChildProcess[] = [];
  const start = (args: string[], stdin: 'ignore' | 'pipe' = 'ignore'): ChildProcess => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: [stdin, 'pipe', 'pipe'] });
    started.push(child);
    return child;
  };
  afterEach(() => {
    for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });

  it('prints its URL, shop and token as one JSON line, serves the store its flags ask for, and stops on SIGTERM', async () => {
    const child = start(['--seed', '3', '--orders', '4', '--products', '2', '--customers', '1', '--operation-delay', '20ms', '--fault', 'throttle=1']);
    const done = exited(child);
    const ready = await firstLine(child);
    expect(ready).to.include({ severity: 'INFO', message: 'sandbox store', shop: 'sandbox.myshopify.com' });
    expect(ready.url).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(ready.token).to.match(/^shpat_[0-9a-f]{32}$/);
    const sandbox = { url: ready.url, token: ready.token };
    // --fault: the first request is throttled, the next one answers.
    const throttled = await gql(sandbox, '2026-10', { query: '{ shop { name } }' });
    expect(throttled.body.errors?.[0]?.extensions).to.include({ code: 'THROTTLED' });
    const { op } = await runQuery(sandbox, '2026-10', '{ orders { edges { node { id } } } }');
    const { op: finished } = await pollToEnd(sandbox, '2026-10', op!.id);
    expect(finished).to.include({ status: 'COMPLETED', rootObjectCount: '4' });
    child.kill('SIGTERM');
    expect((await done).code).to.equal(0);
  });

  it('stops when its stdin ends, with --stop-on-stdin-end', async () => {
    const child = start(['--stop-on-stdin-end'], 'pipe');
    const done = exited(child);
    await firstLine(child);
    child.stdin!.end();
    expect((await done).code).to.equal(0);
  });

  it('refuses a bad flag with exit 2 and one line naming it; --help prints the usage', async () => {
    for (const [args, message] of [
      [['--orders', 'many'], "shopify-sandbox: --orders must be a whole number ≥ 0 (got 'many')"],
      [['--operation-delay', 'soon'], "shopify-sandbox: --operation-delay 'soon' is not a duration ≥ 0; use a number with a unit: 50ms, 2s, 1m"],
      [['--ordering', 'random'], "shopify-sandbox: --ordering must be one of grouped, interleaved, children-first (got 'random')"],
      [['--fault', 'explode=1'], 'shopify-sandbox: --fault: unknown fault "explode" (known: throttle, rate-limit, server-error, maintenance, status, foreign, fail, objects, cancel, stuck, slow, expire, cut, malformed, drop, omit, cap)'],
    ] as const) {
      const { code, stderr } = await exited(start([...args]));
      expect(code, args.join(' ')).to.equal(2);
      expect(stderr.trim(), args.join(' ')).to.equal(message);
    }
    const help = start(['--help']);
    let stdout = '';
    help.stdout!.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    expect((await exited(help)).code).to.equal(0);
    expect(stdout).to.match(/^Usage: shopify-sandbox \[options\]/);
    for (const flag of ['--port', '--host', '--seed', '--orders', '--products', '--customers', '--ordering', '--operation-delay', '--fault', '--stop-on-stdin-end']) expect(stdout).to.contain(flag);
  });
});
