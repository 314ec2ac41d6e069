// What a run plans and what it leaves in the state: a backfill never moves a watermark past the time
// the data was read and touches only the entities it was asked for, every range is split by --window
// from the shop's creation, --window is bounded, rows carry the time their window's data was read,
// and no signed result URL is kept in the state.
import { expect } from 'chai';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseConfig } from '../../src/cli/config.ts';
import { isEtlError } from '../../src/errors/index.ts';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { entities } from '../../src/entities/index.ts';
import { StateDb } from '../../src/state/db.ts';
import { collect, runCli, startCli, waitForLog } from '../support/cli.ts';
import { runAgainst } from '../support/etl.ts';
import { captureLogs } from '../support/truth.ts';
import { manifests, readParts, readPublished } from '../support/output.ts';

const DAY = 86_400_000;

function shopCreatedAt(sandbox: Sandbox): Date {
  return new Date((sandbox.store.rootValue().shop as { createdAt: string }).createdAt);
}
// From the registry, so an entity added later is held to the same rules.
const INCREMENTAL = entities.filter((e) => e.incremental !== null).map((e) => e.name).sort();
const SNAPSHOTS = entities.filter((e) => e.incremental === null).map((e) => e.name);

function watermarks(dir: string, shop: string): Record<string, string | null> {
  const state = StateDb.open(join(dir, 'state.db'));
  try {
    const rows = state.db.prepare('SELECT entity, watermark FROM watermarks WHERE shop = ?').all(shop) as Array<{ entity: string; watermark: string }>;
    return Object.fromEntries(rows.map((r) => [r.entity, r.watermark]));
  } finally {
    state.close();
  }
}

describe('planning: backfills, windows and what the state keeps', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-plan-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 150, customers: 30, products: 15 } });
  });
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a backfill whose --until lies in the future ends at now minus the safety lag, and the next run still sees every change', async () => {
    const first = await runAgainst(sandbox, dir, ['--entities', 'orders', '--window', '400d']);
    expect(first.exitCode).to.equal(0);
    const before = Date.now();
    const logs = captureLogs();
    const backfill = await runAgainst(sandbox, dir, ['--entities', 'orders', '--since', new Date(before - 30 * DAY).toISOString(), '--until', new Date(before + 365 * DAY).toISOString(), '--safety-lag', '2m'], { logger: logs.logger });
    expect(backfill.exitCode).to.equal(0);
    const warnings = logs.entries().filter((e) => e.severity === 'WARNING').map((e) => String(e.message));
    expect(warnings.some((m) => /--until \S+ is later than now minus --safety-lag; the run ends at /.test(m)), warnings.join('\n')).to.equal(true);
    const watermark = watermarks(dir, sandbox.shopDomain).orders!;
    expect(Date.parse(watermark), `watermark ${watermark} after a backfill to next year`).to.be.at.most(Date.now() - 120_000);
    const run = manifests(join(dir, 'out')).find((m) => m.runId === backfill.shops[0]!.runId)!;
    expect(run.windows.every((w) => Date.parse(w.until!) <= Date.now()), 'no window ends in the future').to.equal(true);

    const changes = sandbox.store.mutate({ entities: ['orders'], touch: 5, add: 3, at: new Date(Date.now() - 60_000) });
    const next = await runAgainst(sandbox, dir, ['--entities', 'orders', '--safety-lag', '0s']);
    expect(next.exitCode).to.equal(0);
    const third = manifests(join(dir, 'out')).find((m) => m.runId === next.shops[0]!.runId)!;
    const ids = (await readPublished(join(dir, 'out'), [third], 'orders')).map((r) => String(r.admin_graphql_api_id));
    expect(ids, 'the changes made after the backfill').to.include.members([...changes.touched.orders!, ...changes.added.orders!]);
  });

  it('a backfill runs only the incremental entities and leaves the snapshots and their watermarks alone', async () => {
    const first = await runAgainst(sandbox, dir, ['--window', '400d']);
    expect(first.exitCode).to.equal(0);
    const before = watermarks(dir, sandbox.shopDomain);
    const backfill = await runAgainst(sandbox, dir, ['--since', new Date(Date.now() - 60 * DAY).toISOString(), '--until', new Date(Date.now() - 30 * DAY).toISOString()]);
    expect(backfill.exitCode).to.equal(0);
    expect(backfill.shops[0]!.entities.map((e) => e.entity).sort()).to.deep.equal(INCREMENTAL);
    const run = manifests(join(dir, 'out')).find((m) => m.runId === backfill.shops[0]!.runId)!;
    expect([...new Set(run.windows.map((w) => w.entity))].sort()).to.deep.equal(INCREMENTAL);
    const after = watermarks(dir, sandbox.shopDomain);
    for (const entity of SNAPSHOTS) expect(after[entity], entity).to.equal(before[entity]);
    expect(after.orders, 'a backfill behind the watermark leaves it').to.equal(before.orders);
  });

  it('a snapshot entity named in a backfill is taken as a plain snapshot: as of now, never as of --until', async () => {
    const until = new Date(Date.now() - 30 * DAY);
    const result = await runAgainst(sandbox, dir, ['--entities', 'orders,locations', '--since', new Date(until.getTime() - 30 * DAY).toISOString(), '--until', until.toISOString()]);
    expect(result.exitCode).to.equal(0);
    const locations = watermarks(dir, sandbox.shopDomain).locations!;
    expect(Date.parse(locations), `locations watermark ${locations}`).to.be.greaterThan(until.getTime());
  });

  it('splits the first run and a full refresh by --window from the shop\'s creation date', async () => {
    const created = shopCreatedAt(sandbox);
    for (const args of [[], ['--full-refresh']]) {
      const result = await runAgainst(sandbox, dir, ['--entities', 'orders', '--window', '120d', ...args]);
      expect(result.exitCode).to.equal(0);
      const run = manifests(join(dir, 'out')).find((m) => m.runId === result.shops[0]!.runId)!;
      const windows = run.windows.filter((w) => w.entity === 'orders').sort((a, b) => Date.parse(a.until!) - Date.parse(b.until!));
      expect(windows.length, args.join(' ') || 'first run').to.equal(Math.ceil((Date.parse(windows.at(-1)!.until!) - created.getTime()) / (120 * DAY)));
      expect(windows[0]!.since).to.equal(null);
      expect(windows[0]!.until).to.equal(new Date(created.getTime() + 120 * DAY).toISOString());
      for (let i = 1; i < windows.length; i++) expect(windows[i]!.since).to.equal(windows[i - 1]!.until);
      const ids = (await readPublished(join(dir, 'out'), [run], 'orders')).map((r) => String(r.admin_graphql_api_id)).sort();
      expect(ids).to.deep.equal(sandbox.store.ids('orders').sort());
    }
  });

  it('--dry-run prints the same split plan', async () => {
    const created = shopCreatedAt(sandbox);
    const result = await runCli(['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--dry-run', '--entities', 'orders', '--window', '60d', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--log-format', 'pretty'], { SHOPIFY_ACCESS_TOKEN: sandbox.token });
    expect(result.code, result.stderr).to.equal(0);
    const headers = result.stdout.split('\n').filter((l) => l.startsWith('# plan: '));
    expect(headers[0]).to.equal(`# plan: ${sandbox.shopDomain} orders [beginning, ${new Date(created.getTime() + 60 * DAY).toISOString()})`);
    expect(headers.length).to.be.greaterThan(5);

    // Without credentials it cannot ask, and says that the run will split the open range.
    const blind = await runCli(['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--dry-run', '--entities', 'orders', '--window', '60d', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--log-format', 'pretty']);
    expect(blind.code, blind.stderr).to.equal(0);
    expect(blind.stdout.split('\n').filter((l) => l.startsWith('# plan: '))).to.have.length(1);
    expect(blind.stderr).to.match(/creation date is unknown: a range open at its start is shown as one window; the run splits it by --window/);
  });

  it('refuses a --window below the floor, and a plan of too many windows, with exit 2 before submitting anything', async () => {
    const base = ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'orders', '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'), '--log-format', 'json'];
    const zero = await runCli([...base, '--window', '0s'], { SHOPIFY_ACCESS_TOKEN: sandbox.token });
    expect(zero.code, zero.stderr).to.equal(2);
    expect(zero.stderr).to.match(/--window '0s' is too short; give at least 1h/);
    for (const window of ['1s', '59m']) {
      const refused = await parseConfig([...base, '--window', window], { SHOPIFY_ACCESS_TOKEN: sandbox.token }, false).then(() => null, (err: unknown) => err);
      expect(isEtlError(refused, 'CONFIG_INVALID') && refused.message, window).to.match(/is too short; give at least 1h/);
    }
    const tooMany = await runCli([...base, '--window', '1h', '--since', '2020-01-01'], { SHOPIFY_ACCESS_TOKEN: sandbox.token });
    expect(tooMany.code, tooMany.stderr).to.equal(2);
    expect(tooMany.stderr).to.match(/more than 1000; use a larger --window \(at least \d+h\) or a narrower --since\/--until/);
    expect(sandbox.operations(), 'nothing submitted').to.have.length(0);
  });

  it('stamps each row with the time its window\'s data was read, so copies from one resumed run are ordered', async () => {
    const out = join(dir, 'out');
    const args = ['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--entities', 'orders', '--since', new Date(Date.now() - 200 * DAY).toISOString(), '--until', new Date(Date.now() - 100 * DAY).toISOString(), '--window', '400d', '--dest', out, '--state', join(dir, 'state.db'), '--log-format', 'json', '--poll-interval', '50ms'];
    const env = { SHOPIFY_ACCESS_TOKEN: sandbox.token };
    const killed = startCli([...args, '--pause-at', 'orders:after-submit'], env);
    await waitForLog(killed, (e) => e.checkpoint === 'after-submit');
    killed.kill('SIGKILL');
    await collect(killed);
    // Shopify's completedAt has whole seconds: the rerun's own operation completes in a later one.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const rerun = await runCli(args, env);
    expect(rerun.code, rerun.stderr).to.equal(0);
    // The rerun finishes the killed run's window (its operation, adopted) and then extracts its own.
    const [run, ...others] = manifests(out).filter((m) => m.windows.length > 0);
    expect(others).to.have.length(0);
    const windows = run!.windows.filter((w) => w.entity === 'orders');
    expect(windows).to.have.length(2);
    const stamps = await Promise.all(windows.map(async (w) => {
      const rows = await readParts(w.files.filter((f) => f.table === 'orders').map((f) => join(out, f.objectName)));
      expect(rows.length).to.be.greaterThan(0);
      return [...new Set(rows.map((r) => String(r._extracted_at)))];
    }));
    for (const s of stamps) expect(s, 'one stamp per window').to.have.length(1);
    const [adopted, own] = stamps.map((s) => s[0]!);
    expect(Date.parse(adopted!), 'the adopted operation\'s copy is the older one').to.be.lessThan(Date.parse(own!));
    expect(Date.parse(own!)).to.be.at.least(Math.floor(Date.parse(run!.startedAt) / 1000) * 1000);
  });

  it('keeps no signed result URL in the state file', async () => {
    const result = await runAgainst(sandbox, dir, ['--entities', 'orders,customers', '--window', '400d']);
    expect(result.exitCode).to.equal(0);
    expect(sandbox.operations().length).to.be.greaterThan(0);
    const bytes = readFileSync(join(dir, 'state.db'));
    expect(bytes.includes('Signature='), 'a signed URL in the state file').to.equal(false);
    expect(bytes.includes(sandbox.url), 'a result URL in the state file').to.equal(false);
  });
});
