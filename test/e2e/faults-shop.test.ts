// Faults that stop a whole shop or the machine under the run, through the real CLI (exit codes and
// stderr are the contract): HTTP statuses Shopify uses for a shop it will not serve, a full disk, a
// destination or state path that cannot be written, a TLS certificate that does not verify, missing
// credentials, and SIGTERM.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { fromSystemError } from '../../src/errors/index.ts';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { StateDb } from '../../src/state/db.ts';
import { LOCALHOST_TLS } from '../support/tls/localhost.ts';
import { collect, runCli, startCli, type CliResult } from '../support/cli.ts';
import { runAgainst } from '../support/etl.ts';
import { captureLogs, expectFullHistoryOncePerQuery, expectNoSecret, expectPublishedEqualsTruth, expectWatermarkCovered, watermarkOf, type RootEntity } from '../support/truth.ts';

const ENTITIES: RootEntity[] = ['orders', 'customers'];

function cliArgs(sandbox: Sandbox, dir: string, override: Record<string, string> = {}): string[] {
  const flags = { entities: ENTITIES.join(','), dest: join(dir, 'out'), state: join(dir, 'state.db'), ...override };
  return ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--log-format', 'json', '--poll-interval', '50ms', '--safety-lag', '0s',
    ...Object.entries(flags).flatMap(([flag, value]) => [`--${flag}`, value])];
}

function watermarks(sandbox: Sandbox, dir: string): Array<string | null> {
  return ENTITIES.map((e) => watermarkOf(sandbox, dir, e));
}

/** The error lines the CLI logged (JSON on stderr). */
function errorMessages(result: CliResult): string[] {
  return result.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((e) => e.severity === 'ERROR' && e.message !== 'job summary').map((e) => String(e.message));
}

describe('shop-level and machine faults stop cleanly with the documented exit code', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-shopfaults-'));
    sandbox = await startSandbox({ operationDelayMs: 30, size: { orders: 40, customers: 20, products: 8 } });
  });
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // In-process: the exit code is runJob's, the one main.ts returns (test/cli/run.test.ts runs 401 through the CLI).
  const statuses = [
    { status: 401, exit: 2, code: 'AUTH_INVALID', message: /rejected the access token .* \(HTTP 401\).*Set SHOPIFY_ACCESS_TOKEN to the Admin API access token/ },
    { status: 402, exit: 1, code: 'SHOP_FROZEN', message: /is frozen \(HTTP 402 Payment Required\).*until the owner settles it/ },
    { status: 403, exit: 1, code: 'SHOP_FORBIDDEN', message: /refused access .* \(HTTP 403\).*grant the scopes in the app's configuration and reinstall it/ },
    { status: 404, exit: 2, code: 'SHOP_NOT_FOUND', message: /HTTP 404 .*check --shop \(the \*\.myshopify\.com domain\), --admin-url and --api-version/ },
    { status: 423, exit: 1, code: 'SHOP_LOCKED', message: /is locked \(HTTP 423\).*contact the shop owner/ },
  ] as const;
  for (const c of statuses) {
    it(`HTTP ${c.status}: the shop stops with exit ${c.exit} and a message naming cause and fix; state untouched`, async () => {
      const args = ['--entities', ENTITIES.join(','), '--safety-lag', '0s'];
      expect((await runAgainst(sandbox, dir, args)).exitCode).to.equal(0);
      const before = watermarks(sandbox, dir);
      sandbox.faults.set({ fixedStatus: c.status });
      const logs = captureLogs();
      const result = await runAgainst(sandbox, dir, args, { logger: logs.logger });
      expect(result.exitCode).to.equal(c.exit);
      expect(result.shops[0]!.error!.code).to.equal(c.code);
      expect(result.shops[0]!.error!.message).to.match(c.message);
      expect(logs.entries().filter((e) => e.severity === 'ERROR').map((e) => e.message)).to.include(`${sandbox.shopDomain}: ${result.shops[0]!.error!.message}`);
      expect(sandbox.requests().filter((r) => r.status === c.status), 'stopped at the first answer, no retries').to.have.length(1);
      expectNoSecret([sandbox.token], logs.text(), JSON.stringify(result));
      expect(watermarks(sandbox, dir)).to.deep.equal(before);
      sandbox.faults.set({ fixedStatus: null });
      sandbox.store.mutate({ entities: ENTITIES, at: new Date(Date.now() - 1000) });
      expect((await runAgainst(sandbox, dir, args)).exitCode).to.equal(0);
      await expectPublishedEqualsTruth(sandbox, dir, ENTITIES);
    });
  }

  it('ENOSPC: a full destination fails with DISK_FULL and exit 1, the watermark stays; with space freed the rerun completes', async () => {
    const disk = join(dir, 'small-disk');
    mkdirSync(disk);
    // A tmpfs small enough that the part files do not fit (root only; this image runs tests as root).
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=48k', 'tmpfs', disk]);
    try {
      const args = cliArgs(sandbox, dir, { dest: disk });
      const full = await runCli(args, { SHOPIFY_ACCESS_TOKEN: sandbox.token });
      expect(full.code, full.stderr).to.equal(1);
      expect(errorMessages(full).some((m) => /: no space left on device; free disk space or point --dest\/--staging elsewhere/.test(m)), errorMessages(full).join('\n')).to.equal(true);
      expect(full.stderr).to.contain('"code":"DISK_FULL"');
      expectNoSecret([sandbox.token], full.stdout, full.stderr);
      expect(watermarks(sandbox, dir)).to.deep.equal([null, null]);
      expect(existsSync(join(disk, '_manifests')) ? readdirSync(join(disk, '_manifests'), { recursive: true }).filter((f) => String(f).endsWith('.json')).length : 0, 'no manifest').to.equal(0);

      execFileSync('mount', ['-o', 'remount,size=64m', disk]);
      const rerun = await runCli(args, { SHOPIFY_ACCESS_TOKEN: sandbox.token });
      expect(rerun.code, rerun.stderr).to.equal(0);
      rmSync(join(dir, 'out'), { recursive: true, force: true });
      execFileSync('cp', ['-r', disk, join(dir, 'out')]);
      await expectPublishedEqualsTruth(sandbox, dir, ENTITIES);
      await expectWatermarkCovered(sandbox, dir, ENTITIES);
    } finally {
      execFileSync('umount', [disk]);
    }
  });

  it('ENOSPC from a real write (/dev/full) is classified DISK_FULL with the fix', () => {
    let errno: unknown;
    try {
      writeFileSync('/dev/full', 'x');
    } catch (err) {
      errno = err;
    }
    const e = fromSystemError(errno, 'writing /dev/full');
    expect(e.code).to.equal('DISK_FULL');
    expect(e.message).to.equal('writing /dev/full: no space left on device; free disk space or point --dest/--staging elsewhere');
  });

  it('a TLS certificate that does not verify (a proxy intercepting TLS): exit 2 at once naming the host and NODE_EXTRA_CA_CERTS; with it, the run completes', async () => {
    // A TLS-terminating proxy in front of the sandbox, presenting a self-signed certificate.
    const proxy = https.createServer(LOCALHOST_TLS, (req, res) => {
      const upstream = http.request(new URL(req.url ?? '/', sandbox.url), { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const host = `127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    try {
      const args = cliArgs(sandbox, dir).map((a) => (a === sandbox.url ? `https://${host}` : a));
      const started = Date.now();
      const refused = await runCli(args, { SHOPIFY_ACCESS_TOKEN: sandbox.token });
      expect(refused.code, refused.stderr).to.equal(2);
      expect(Date.now() - started, 'not resent through --retry-budget').to.be.below(20_000);
      const said = errorMessages(refused).find((m) => m.includes('TLS certificate'));
      expect(said, refused.stderr).to.include(`the TLS certificate of ${host} is self-signed`);
      expect(said).to.include('NODE_EXTRA_CA_CERTS');
      expect(refused.stderr).to.contain('TLS_CERT_INVALID');
      expect(sandbox.requests(), 'Shopify never reached').to.have.length(0);
      expectNoSecret([sandbox.token], refused.stderr, refused.stdout);

      const trusted = await runCli(args, { SHOPIFY_ACCESS_TOKEN: sandbox.token, NODE_EXTRA_CA_CERTS: fileURLToPath(new URL('../support/tls/localhost-cert.pem', import.meta.url)) });
      expect(trusted.code, trusted.stderr).to.equal(0);
      await expectPublishedEqualsTruth(sandbox, dir, ENTITIES);
    } finally {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('an unwritable destination (a file where its folder should be): exit 2, state untouched', async () => {
    expect((await runAgainst(sandbox, dir, ['--entities', ENTITIES.join(','), '--safety-lag', '0s'])).exitCode).to.equal(0);
    const before = watermarks(sandbox, dir);
    writeFileSync(join(dir, 'a-file'), 'not a folder\n');
    const result = await runCli(cliArgs(sandbox, dir, { dest: join(dir, 'a-file', 'out') }), { SHOPIFY_ACCESS_TOKEN: sandbox.token });
    expect(result.code, result.stderr).to.equal(2);
    expect(errorMessages(result).some((m) => m.includes(`destination ${join(dir, 'a-file', 'out')} is not a folder (it or a parent is a file); choose another --dest`))).to.equal(true);
    expect(watermarks(sandbox, dir)).to.deep.equal(before);
  });

  it('an unwritable state path: exit 2 naming the path and the fix', async () => {
    writeFileSync(join(dir, 'a-file'), 'not a folder\n');
    const result = await runCli(cliArgs(sandbox, dir, { state: join(dir, 'a-file', 'state.db') }), { SHOPIFY_ACCESS_TOKEN: sandbox.token });
    expect(result.code, result.stderr).to.equal(2);
    expect(errorMessages(result).some((m) => m.includes(`cannot write the state database ${join(dir, 'a-file', 'state.db')}: ${join(dir, 'a-file')} is a file where a folder is needed; make the file and its folder writable, or choose another --state`)), result.stderr).to.equal(true);
    expect(existsSync(join(dir, 'out', 'orders')), 'nothing extracted').to.equal(false);
  });

  it('a missing token: exit 2 naming the variable to set', async () => {
    const result = await runCli(cliArgs(sandbox, dir), {});
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain(`no credentials for ${sandbox.shopDomain}: set SHOPIFY_ACCESS_TOKEN`);
    expect(sandbox.requests(), 'Shopify never called').to.have.length(0);
  });

  it('SIGTERM while polling: stops, persists state, exits 143; the next run adopts the running operation', async () => {
    await sandbox.close();
    sandbox = await startSandbox({ operationDelayMs: 2000, size: { orders: 40, customers: 20, products: 8 } });
    const args = cliArgs(sandbox, dir, { entities: 'orders', grace: '5s' });
    const child = startCli(args, { SHOPIFY_ACCESS_TOKEN: sandbox.token });
    const finished = collect(child);
    await logLine(child, (e) => e.message === 'bulk operation submitted');
    child.kill('SIGTERM');
    const stopped = await finished;
    expect(stopped.code, stopped.stderr).to.equal(143);
    expect(stopped.stderr).to.contain('SIGTERM received: no new operations; finishing cleanly within 5000 ms');
    // The job summary is the last thing an orderly shutdown logs: the grace timer did not have to fire.
    expect(stopped.stderr).to.contain('"message":"job summary"');
    // The window's queries (Entity.parts) submit at once: the SIGTERM may stop some before they went out.
    const submitted = sandbox.operations().map((o) => o.id);
    // Left for the next run, not canceled (by now some may have completed: the stop takes its time under load).
    for (const o of sandbox.operations()) expect(o.status, 'the operations were left for the next run').to.be.oneOf(['CREATED', 'RUNNING', 'COMPLETED']);
    const state = StateDb.open(join(dir, 'state.db'));
    const windows = state.db.prepare(`SELECT window_id, status FROM windows WHERE entity = 'orders'`).all() as Array<{ window_id: number; status: string }>;
    const recorded = state.operations.ofWindowParts(windows[0]!.window_id).map((o) => o.operation_id);
    const runs = state.db.prepare('SELECT status FROM runs').all();
    state.close();
    expect(windows.map((w) => w.status)).to.deep.equal(['submitted']);
    expect(recorded, 'the window\'s operations are recorded').to.not.have.length(0);
    expect(submitted, 'the recorded operations are Shopify\'s').to.include.members(recorded);
    expect(runs).to.deep.equal([{ status: 'interrupted' }]);

    const rerun = await runCli(args, { SHOPIFY_ACCESS_TOKEN: sandbox.token });
    expect(rerun.code, rerun.stderr).to.equal(0);
    expect(rerun.stderr).to.contain('adopting the operation an earlier run started');
    const fullHistory = expectFullHistoryOncePerQuery(sandbox, 'orders', 'one operation per query: adopted, not submitted again');
    expect(fullHistory.map((o) => o.id), 'each operation the stopped run submitted adopted').to.include.members(submitted);
    await expectPublishedEqualsTruth(sandbox, dir, ['orders']);
    await expectWatermarkCovered(sandbox, dir, ['orders']);
  });

  it('SIGTERM mid-download: the open part file is discarded, exit 143; the next run adopts the completed operation', async () => {
    const args = cliArgs(sandbox, dir, { entities: 'orders' });
    const child = startCli([...args, '--pause-at', 'orders:downloading'], { SHOPIFY_ACCESS_TOKEN: sandbox.token });
    const finished = collect(child);
    await logLine(child, (e) => e.checkpoint === 'downloading');
    child.kill('SIGTERM');
    const stopped = await finished;
    expect(stopped.code, stopped.stderr).to.equal(143);
    const staged = existsSync(join(dir, 'staging')) ? readdirSync(join(dir, 'staging'), { recursive: true }).map(String).filter((f) => f.endsWith('.gz')) : [];
    expect(staged, 'no part file left behind').to.deep.equal([]);
    expect(existsSync(join(dir, 'out', 'orders')), 'nothing reached the destination').to.equal(false);
    expect(watermarkOf(sandbox, dir, 'orders')).to.equal(null);

    const rerun = await runCli(args, { SHOPIFY_ACCESS_TOKEN: sandbox.token });
    expect(rerun.code, rerun.stderr).to.equal(0);
    expectFullHistoryOncePerQuery(sandbox, 'orders', 'one operation per query: adopted, not submitted again');
    await expectPublishedEqualsTruth(sandbox, dir, ['orders']);
  });
});

/** Resolves at the first JSON log line on the child's stderr that matches. */
function logLine(child: ReturnType<typeof startCli>, match: (entry: Record<string, unknown>) => boolean): Promise<void> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stderr! });
    lines.on('line', (line) => {
      if (line.startsWith('{') && match(JSON.parse(line) as Record<string, unknown>)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`exited (${code}) before the expected log line`)));
  });
}
