// Many shops through the real CLI against sandbox stores over HTTP: a shops file split across two
// simulated Cloud Run tasks, a client-credentials shop whose token is renewed mid-run, a shop whose
// secret is missing failing alone, and the job's exit code when some shops' states are locked.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { collect, startCli, type CliResult } from '../support/cli.ts';
import { StateDb } from '../../src/state/db.ts';
import { manifests, readTable } from '../support/output.ts';

interface LogLine {
  severity: string;
  message: string;
  'logging.googleapis.com/labels'?: Record<string, string>;
  shops?: Array<{ shop: string; status: string }>;
  failedShops?: string[];
  rowsByTable?: Record<string, number>;
  bytesByTable?: Record<string, number>;
}

function logLines(result: CliResult): LogLine[] {
  return result.stderr.trim().split('\n').map((l) => JSON.parse(l) as LogLine);
}

function jobSummary(result: CliResult): LogLine {
  const line = logLines(result).find((l) => l.message === 'job summary');
  expect(line, result.stderr).to.not.equal(undefined);
  return line!;
}

const FAST = ['--log-format', 'json', '--poll-interval', '100ms'];

/** Two sandbox shops for the describe block it is called in: started before its tests, closed after. */
function twoShops(): { alpha: Sandbox; beta: Sandbox } {
  const shops = {} as { alpha: Sandbox; beta: Sandbox };
  before(async () => {
    shops.alpha = await startSandbox({ shopDomain: 'alpha.myshopify.com', seed: 11, operationDelayMs: 50 });
    shops.beta = await startSandbox({ shopDomain: 'beta.myshopify.com', seed: 22, operationDelayMs: 50 });
  });
  after(async () => { await shops.alpha.close(); await shops.beta.close(); });
  return shops;
}

describe('many shops from a shops file', function () {
  this.timeout(120_000);
  let dir: string;
  beforeEach(() => { dir = mkdtempSync(join(tmpdir(), 'etl-shops-')); });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  describe('two shops split across two Cloud Run tasks', () => {
    const shops = twoShops();

    it('extracts each shop exactly once, to its own output and state, with task labels on every log line', async () => {
      const { alpha, beta } = shops;
      const betaTokenFile = join(dir, 'beta-token');
      writeFileSync(betaTokenFile, `${beta.token}\n`);
      const shopsFile = join(dir, 'shops.json');
      // Listed beta first: the split sorts by domain, so it must not depend on the file's order.
      writeFileSync(shopsFile, JSON.stringify({ shops: [
        { shop: 'beta.myshopify.com', tokenFile: betaTokenFile, adminUrl: beta.url },
        { shop: 'alpha.myshopify.com', tokenEnv: 'ALPHA_TOKEN', adminUrl: alpha.url },
      ] }));
      const out = join(dir, 'out');
      const args = ['--shops-file', shopsFile, '--entities', 'orders,customers,shop', '--dest', out, '--state', join(dir, 'state.db'), ...FAST];
      const task = (index: number) => collect(startCli(args, {
        ALPHA_TOKEN: alpha.token, CLOUD_RUN_JOB: 'shopify-bulk-etl', CLOUD_RUN_EXECUTION: 'shopify-bulk-etl-x7k2p',
        CLOUD_RUN_TASK_INDEX: String(index), CLOUD_RUN_TASK_COUNT: '2', CLOUD_RUN_TASK_ATTEMPT: '0',
      }));
      const [first, second] = await Promise.all([task(0), task(1)]);
      expect(first.code, first.stderr).to.equal(0);
      expect(second.code, second.stderr).to.equal(0);

      expect(jobSummary(first).shops?.map((s) => s.shop)).to.deep.equal(['alpha.myshopify.com']);
      expect(jobSummary(second).shops?.map((s) => s.shop)).to.deep.equal(['beta.myshopify.com']);
      for (const [result, index, shop] of [[first, '0', 'alpha.myshopify.com'], [second, '1', 'beta.myshopify.com']] as const) {
        for (const line of logLines(result)) {
          const labels = line['logging.googleapis.com/labels'];
          expect(labels, line.message).to.include({ job: 'shopify-bulk-etl', execution: 'shopify-bulk-etl-x7k2p', task: index, attempt: '0' });
          if (labels?.shop) expect(labels.shop).to.equal(shop);
        }
        const summary = jobSummary(result);
        expect(summary.rowsByTable?.orders).to.be.greaterThan(0);
        expect(summary.bytesByTable?.orders).to.be.greaterThan(0);
      }

      // Each shop: one run, one manifest, every order once; each sandbox only saw its own task's bulk work.
      const docs = manifests(out);
      expect(docs.map((m) => m.shop).sort()).to.deep.equal(['alpha.myshopify.com', 'beta.myshopify.com']);
      expect(docs.every((m) => m.status === 'succeeded')).to.equal(true);
      for (const sandbox of [alpha, beta]) {
        const orders = (await readTable(out, 'orders')).filter((r) => r._shop === sandbox.shopDomain);
        expect(orders.length, sandbox.shopDomain).to.equal(sandbox.store.truth().orders);
        expect(new Set(orders.map((r) => r.id)).size).to.equal(orders.length);
        expect(sandbox.operations().length, sandbox.shopDomain).to.equal(3); // orders (two queries) and customers
      }
      expect(readdirSync(join(out, 'orders')).sort()).to.deep.equal(['shop=alpha.myshopify.com', 'shop=beta.myshopify.com']);
      expect(existsSync(join(dir, 'state-alpha.myshopify.com.db'))).to.equal(true);
      expect(existsSync(join(dir, 'state-beta.myshopify.com.db'))).to.equal(true);
      expect(existsSync(join(dir, 'state.db'))).to.equal(false);
    });
  });

  describe('a client-credentials shop next to a shop whose secret is missing', () => {
    let cc: Sandbox;
    const clientId = 'etl-client-id-0001';
    const clientSecret = 'etl-client-secret-s3cr3t-value';
    before(async () => {
      // Tokens live 1 s and the ETL renews 10% early; operations take 1.5 s and polls come 1 s apart,
      // so the token must be renewed while operations are still running.
      cc = await startSandbox({ shopDomain: 'cc.myshopify.com', operationDelayMs: 1500, clientCredentials: { clientId, clientSecret, tokenTtlSeconds: 1 } });
    });
    after(() => cc.close());

    it('renews the token mid-run, extracts that shop, and fails only the other one (exit 1)', async () => {
      const shopsFile = join(dir, 'shops.yaml');
      writeFileSync(shopsFile, [
        'shops:',
        '  - shop: cc.myshopify.com',
        `    adminUrl: ${cc.url}`,
        '    clientIdEnv: CC_CLIENT_ID',
        '    clientSecretEnv: CC_CLIENT_SECRET',
        '  - shop: missing.myshopify.com',
        '    tokenEnv: MISSING_TOKEN',
        '',
      ].join('\n'));
      const out = join(dir, 'out');
      const result = await collect(startCli(['--shops-file', shopsFile, '--entities', 'orders,products', '--dest', out, '--state', join(dir, 'state.db'), '--log-format', 'json', '--poll-interval', '1s'], { CC_CLIENT_ID: clientId, CC_CLIENT_SECRET: clientSecret }));
      expect(result.code, result.stderr).to.equal(1);

      const exchanges = cc.requests().filter((r) => r.path === '/admin/oauth/access_token');
      expect(exchanges.length).to.be.greaterThan(1);
      expect(exchanges.every((r) => r.status === 200)).to.equal(true);
      expect(cc.requests().filter((r) => r.status === 401)).to.deep.equal([]);
      expect((await readTable(out, 'orders')).length).to.equal(cc.store.truth().orders);
      expect((await readTable(out, 'products')).length).to.equal(cc.store.truth().products);

      const summary = jobSummary(result);
      expect(summary.severity).to.equal('ERROR');
      expect(summary.failedShops).to.deep.equal(['missing.myshopify.com']);
      expect(summary.shops?.map((s) => [s.shop, s.status])).to.deep.equal([['cc.myshopify.com', 'succeeded'], ['missing.myshopify.com', 'failed']]);
      expect(result.stderr).to.match(/"message":"missing\.myshopify\.com: [^"]*MISSING_TOKEN/);
      expect(result.stdout + result.stderr).not.to.contain(clientSecret);
      expect(existsSync(join(dir, 'state-cc.myshopify.com.db'))).to.equal(true);
    });
  });

  describe('shops whose state another run holds', () => {
    const shops = twoShops();

    /** Runs alpha, whose state another run holds, and the shops-file lines `others`. */
    async function runWithAlphaLocked(others: string[]): Promise<CliResult> {
      const { alpha, beta } = shops;
      const shopsFile = join(dir, 'shops.yaml');
      writeFileSync(shopsFile, ['shops:', '  - shop: alpha.myshopify.com', `    adminUrl: ${alpha.url}`, '    tokenEnv: ALPHA_TOKEN', ...others, ''].join('\n'));
      const held = StateDb.open(join(dir, 'state-alpha.myshopify.com.db'));
      held.lock.acquire('another-run', 600_000);
      try {
        return await collect(startCli(['--shops-file', shopsFile, '--entities', 'orders', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--lock-wait', '0s', ...FAST], { ALPHA_TOKEN: alpha.token, BETA_TOKEN: beta.token }));
      } finally {
        held.close();
      }
    }

    it('exits 1, not 3, when one shop is locked and another failed for another reason: that one needs a person', async () => {
      const result = await runWithAlphaLocked(['  - shop: beta.myshopify.com', `    adminUrl: ${shops.beta.url}`, '    tokenEnv: BETA_MISSING_TOKEN']);
      expect(jobSummary(result).shops?.map((s) => [s.shop, s.status])).to.deep.equal([['alpha.myshopify.com', 'failed'], ['beta.myshopify.com', 'failed']]);
      expect(result.code, result.stderr).to.equal(1);
    });

    it('exits 1 when one shop is locked and the other succeeded', async () => {
      const result = await runWithAlphaLocked(['  - shop: beta.myshopify.com', `    adminUrl: ${shops.beta.url}`, '    tokenEnv: BETA_TOKEN']);
      expect(jobSummary(result).shops?.map((s) => [s.shop, s.status])).to.deep.equal([['alpha.myshopify.com', 'failed'], ['beta.myshopify.com', 'succeeded']]);
      expect(result.code, result.stderr).to.equal(1);
    });

    it('exits 3 when every shop is locked: nothing was done, try again later', async () => {
      const result = await runWithAlphaLocked([]);
      expect(result.code, result.stderr).to.equal(3);
    });
  });
});
