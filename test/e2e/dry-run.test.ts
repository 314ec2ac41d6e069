// --dry-run against the sandbox over HTTP shows what a real run with the same flags does, touching
// nothing: the scope preflight (an entity that does not run for a missing scope gets no plan, nor an id snapshot),
// and the deletions stage (the destroy events' windows; per entity whether its id snapshot is due, not
// due since the last one, or skipped without read_all_orders). The real run that follows agrees.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { entities } from '../../src/entities/index.ts';
import { relativeFiles } from '../support/output.ts';
import { runCli, type CliResult } from '../support/cli.ts';

type LogEntry = Record<string, unknown>;
const entries = (result: CliResult): LogEntry[] => result.stderr.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as LogEntry);
/** Every scope the registry's entities need, but draft orders' and read_all_orders (60 days of orders only). */
const SCOPES = [...new Set(entities.flatMap((e) => e.scopes))].filter((s) => s !== 'read_draft_orders' && s !== 'read_all_orders');

describe('--dry-run shows the scope preflight and the deletions stage of the run it stands for', function () {
  this.timeout(120_000);
  let dir: string;
  let sandbox: Sandbox;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-dry-run-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 12, products: 4, customers: 6 }, scopes: SCOPES });
  });
  afterEach(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (selected: string, args: string[]): Promise<CliResult> => runCli(['--shop', sandbox.shopDomain, '--admin-url', sandbox.url, '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'),
    '--poll-interval', '50ms', '--safety-lag', '0s', '--entities', selected, ...args], { SHOPIFY_ACCESS_TOKEN: sandbox.token });
  const ALL = 'orders,products,customers,draft_orders';

  it('shows an entity named without its scope failing (SCOPE_MISSING), with no plan nor id snapshot; a snapshot not due, one due with its query, one cut by the order history; the real run does the same', async () => {
    // customers' id snapshot taken now: not due again within a day. --entities names draft_orders below, so its missing scope fails it.
    const first = await run('customers', ['--deletes-every', '0', '--log-format', 'json']);
    expect(first.code, first.stderr).to.equal(0);
    const operations = sandbox.operations().length;
    const files = relativeFiles(join(dir, 'out'));

    const dry = await run(ALL, ['--dry-run', '--deletes-every', '1d', '--log-format', 'json']);
    expect(dry.code, dry.stderr).to.equal(0);
    const logged = entries(dry);
    const preflight = logged.find((e) => e.message === 'preflight: draft_orders: failed, --entities named it: grant read_draft_orders to the app and reinstall it');
    expect(preflight, 'the preflight names the missing scope').to.include({ severity: 'WARNING', code: 'SCOPE_MISSING' });
    const plans = new Map(logged.filter((e) => String(e.message).startsWith('plan: ')).map((e) => [String(e.message).slice('plan: '.length), e]));
    expect([...plans.keys()]).to.deep.equal(['orders', 'products', 'customers', 'deletion_events', 'orders_ids', 'products_ids', 'customers_ids']);
    const events = plans.get('deletion_events')!.windows as Array<{ query: string }>;
    expect(events.length).to.be.greaterThan(0);
    expect(events[0]!.query).to.contain('action:destroy AND created_at:');
    expect(plans.get('orders_ids')).to.include({ snapshot: 'history cut' }).and.not.have.property('query');
    expect(plans.get('products_ids')).to.include({ snapshot: 'due', last: null });
    expect(String(plans.get('products_ids')!.query)).to.match(/^query ProductsIds/);
    expect(plans.get('customers_ids')).to.include({ snapshot: 'not due' }).and.not.have.property('query');
    expect(plans.get('customers_ids')!.last).to.be.a('string');
    expect(sandbox.operations(), 'no operation submitted').to.have.length(operations);
    expect(relativeFiles(join(dir, 'out')), 'nothing written').to.deep.equal(files);

    // The same flags without --dry-run.
    const real = await run(ALL, ['--deletes-every', '1d', '--log-format', 'json']);
    expect(real.code).to.equal(1);
    const summary = entries(real).find((e) => e.message === 'run summary') as { entities: Array<{ entity: string; status: string; windows: number; note?: string }> } | undefined;
    const outcome = (name: string) => summary!.entities.find((e) => e.entity === name);
    expect(outcome('draft_orders')).to.include({ status: 'failed' });
    expect(outcome('draft_orders_ids'), 'no snapshot for the entity that did not run').to.equal(undefined);
    expect(outcome('orders_ids')).to.include({ status: 'skipped' });
    expect(outcome('products_ids')).to.include({ status: 'committed', windows: 1 });
    expect(outcome('customers_ids')!.windows).to.equal(0);
  });

  it('on a terminal prints the preflight table (a "no" row for the entity without its scope) and the plans of the others and of the deletions stage', async () => {
    const dry = await run('orders,products,draft_orders', ['--dry-run', '--deletes-every', '0', '--log-format', 'pretty']);
    expect(dry.code, dry.stderr).to.equal(0);
    expect(dry.stdout).to.match(/scope preflight\n/).and.match(/\n {2}draft_orders +no +read_draft_orders +\(failed, --entities named it: grant read_draft_orders/);
    const headers = dry.stdout.split('\n').filter((l) => l.startsWith('# plan: ')).map((l) => l.replace(/\[.*\)$/, '[…)'));
    expect(headers).to.deep.equal([
      `# plan: ${sandbox.shopDomain} orders […)`,
      `# plan: ${sandbox.shopDomain} products […)`,
      `# plan: ${sandbox.shopDomain} deletion_events […)`,
      `# plan: ${sandbox.shopDomain} orders_ids (id snapshot skipped: Shopify shows only the last 60 days of orders without read_all_orders, so older orders would look deleted; grant read_all_orders to find deleted orders)`,
      `# plan: ${sandbox.shopDomain} products_ids (id snapshot due)`,
    ]);
    expect(dry.stdout).to.match(/# plan: \S+ products_ids \(id snapshot due\)\nquery ProductsIds/);
    expect(sandbox.operations()).to.have.length(0);
  });
});
