// What the real CLI writes when no terminal is attached (Cloud Run, Kubernetes, CI: stdout and stderr
// are pipes): every line on either stream is one JSON object with Cloud Logging's `severity`, in
// success, failure, configuration errors, interrupts and warnings raised by libraries. The readable
// table only with --log-format pretty.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { entityByName } from '../../src/entities/index.ts';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { collect, runCli, startCli, type CliResult } from '../support/cli.ts';

type LogEntry = Record<string, unknown> & { severity: string; message: string };

const SEVERITIES = ['DEBUG', 'INFO', 'WARNING', 'ERROR'];

/** Every line of both streams, parsed; fails naming the first line that is not a JSON log entry. */
function jsonLines(result: CliResult): LogEntry[] {
  const entries: LogEntry[] = [];
  for (const [stream, text] of [['stdout', result.stdout], ['stderr', result.stderr]] as const) {
    for (const line of text.split('\n').filter((l) => l !== '')) {
      let entry: LogEntry;
      try {
        entry = JSON.parse(line) as LogEntry;
      } catch {
        throw new Error(`${stream} line is not JSON: ${line}`);
      }
      expect(SEVERITIES, `${stream} line without a Cloud Logging severity: ${line}`).to.include(entry.severity);
      expect(entry.message, `${stream} line without a message: ${line}`).to.be.a('string');
      entries.push(entry);
    }
  }
  return entries;
}

function entry(entries: LogEntry[], message: string): LogEntry {
  const found = entries.find((e) => e.message === message);
  expect(found, `a '${message}' line`).to.not.equal(undefined);
  return found!;
}

const ORDER_TABLES = entityByName('orders').tables.map((t) => t.name);

describe('the CLI off a terminal', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'etl-output-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const sandboxRun = ['--sandbox', '--sandbox-orders', '0', '--sandbox-products', '2', '--sandbox-customers', '0', '--sandbox-operation-delay', '20ms', '--entities', 'orders,shop'];

  it('a run: JSON lines only; the summary lists every table of the selected entities (0 rows too) and where output and manifest went', async () => {
    const out = join(dir, 'out');
    const result = await runCli([...sandboxRun, '--dest', out, '--state', join(dir, 'state.db')]);
    expect(result.code, result.stderr).to.equal(0);
    const entries = jsonLines(result);
    const job = entry(entries, 'job summary');
    expect(job.exitCode).to.equal(0);
    expect(job.rowsByTable).to.deep.equal({ ...Object.fromEntries(ORDER_TABLES.map((t) => [t, 0])), shop: 1 });
    expect(Object.keys(job.bytesByTable as object).sort()).to.deep.equal([...ORDER_TABLES, 'shop'].sort());
    const run = entry(entries, 'run summary');
    expect(run.dest).to.equal(out);
    expect(run.manifest).to.be.a('string');
    expect(existsSync(run.manifest as string), `the manifest at ${String(run.manifest)}`).to.equal(true);
    expect(run.manifest).to.match(new RegExp(`^${out}/_manifests/shop=sandbox\\.myshopify\\.com/run=.*\\.json$`));
  });

  it('--log-format pretty: the table for people, with 0-row tables, byte units and where output and manifest went', async () => {
    const out = join(dir, 'out');
    const result = await runCli([...sandboxRun, '--dest', out, '--state', join(dir, 'state.db'), '--log-format', 'pretty']);
    expect(result.code, result.stderr).to.equal(0);
    for (const table of ORDER_TABLES) expect(result.stdout, table).to.match(new RegExp(`^  ${table} +0 +0 B$`, 'm'));
    expect(result.stdout).to.match(/^ {2}shop +1 +\d+(\.\d)? (B|KiB)$/m);
    expect(result.stdout).to.contain(`output    ${out}`);
    expect(result.stdout).to.match(new RegExp(`manifest  ${out}/_manifests/shop=sandbox\\.myshopify\\.com/run=[^/]+\\.json`));
  });

  it('bad configuration: one JSON line with severity ERROR, exit 2', async () => {
    const result = await runCli(['--sandbox', '--since', 'yesterday', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db')]);
    expect(result.code).to.equal(2);
    const entries = jsonLines(result);
    expect(entries.map((e) => e.severity)).to.deep.equal(['ERROR']);
    expect(entries[0]!.message).to.match(/--since 'yesterday' is not an ISO-8601/);
  });

  it('--help and the README say the same about what --gzip-level 6 costs', async () => {
    const help = await runCli(['--help']);
    expect(help.code, help.stderr).to.equal(0);
    const flat = (text: string): string => text.replace(/\s+/g, ' ');
    const claim = /6 makes files ([^)]+)\)/.exec(flat(help.stdout))?.[1];
    expect(claim, 'the --gzip-level line of --help').to.be.a('string');
    expect(flat(readFileSync(new URL('../../README.md', import.meta.url), 'utf8'))).to.contain(`Level 6 makes files ${claim!}`);
  });

  describe('gs:// with no Application Default Credentials', () => {
    // Stands in for both the metadata server (GCE_METADATA_HOST) and an HTTPS proxy, so whatever the
    // client sends stays on this machine and is seen: the metadata lookup answers 403 (which the
    // auth library reports as a MetadataLookupWarning); a CONNECT would be a request to GCS itself.
    let trap: Server;
    const seen: string[] = [];
    before(async () => {
      trap = createServer((req, res) => {
        seen.push(`${req.method} ${req.url}`);
        res.writeHead(403).end('forbidden');
      });
      trap.on('connect', (req, socket) => {
        seen.push(`CONNECT ${req.url}`);
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      });
      await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
    });
    after(() => new Promise<void>((resolve) => trap.close(() => resolve())));

    const cases: Array<[string, (dir: string) => string[]]> = [
      ['a run with a gs:// destination', (d) => [...sandboxRun, '--dest', 'gs://etl-test-bucket/out', '--state', join(d, 'state.db')]],
      ['a run with gs:// state', (d) => [...sandboxRun, '--dest', join(d, 'out'), '--state', 'gs://etl-test-bucket/state/shop.db']],
      ['status of gs:// state', () => ['status', '--state', 'gs://etl-test-bucket/state/shop.db']],
    ];
    for (const [what, args] of cases) {
      it(`${what}: says so and what to do, logs the library's warning as JSON, and never calls GCS`, async () => {
        const host = `127.0.0.1:${(trap.address() as AddressInfo).port}`;
        seen.length = 0;
        const result = await runCli(args(dir), {
          GCE_METADATA_HOST: host,
          GOOGLE_APPLICATION_CREDENTIALS: '',
          CLOUDSDK_CONFIG: join(dir, 'gcloud'),
          HTTPS_PROXY: `http://${host}`,
          https_proxy: `http://${host}`,
          NO_PROXY: '127.0.0.1',
          no_proxy: '127.0.0.1',
        });
        expect(result.code, result.stderr).to.equal(2);
        const entries = jsonLines(result);
        const warning = entries.find((e) => e.severity === 'WARNING' && /MetadataLookupWarning/.test(e.message));
        expect(warning, result.stderr).to.not.equal(undefined);
        const failure = entries.find((e) => e.severity === 'ERROR' && e.message !== 'job summary');
        expect(failure?.code, result.stderr).to.equal('CONFIG_INVALID');
        expect(failure?.message).to.match(/no Application Default Credentials .*gcloud auth application-default login.*GOOGLE_APPLICATION_CREDENTIALS/);
        expect(seen.filter((r) => r.startsWith('CONNECT')), 'nothing sent towards GCS').to.deep.equal([]);
      });
    }
  });

  describe('interrupted', () => {
    let sandbox: Sandbox;
    before(async () => { sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 60, customers: 5, products: 4 } }); });
    after(() => sandbox.close());

    for (const [signal, exit] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      it(`by ${signal} mid-download: exits ${exit}, the job summary says ${exit}, no empty staging folder is left`, async () => {
        const staging = join(dir, 'staging');
        const child = startCli(['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'orders', '--poll-interval', '20ms', '--safety-lag', '0s',
          '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--staging', staging, '--pause-at', 'orders:downloading'], { SHOPIFY_ACCESS_TOKEN: sandbox.token });
        const finished = collect(child);
        await new Promise<void>((resolve) => {
          createInterface({ input: child.stderr! }).on('line', (line) => { if (line.includes('"checkpoint":"downloading"')) resolve(); });
        });
        child.kill(signal);
        const result = await finished;
        expect(result.code, result.stderr).to.equal(exit);
        const summary = result.stderr.split('\n').find((l) => l.includes('"message":"job summary"'));
        expect((JSON.parse(summary ?? '{}') as LogEntry).exitCode, 'the job summary\'s exitCode').to.equal(exit);
        expect(existsSync(staging) ? readdirSync(staging) : [], 'the staging folder holds no run folder').to.deep.equal([]);
        jsonLines(result);
      });
    }
  });
});
