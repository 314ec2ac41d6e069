// The scope preflight against the sandbox over HTTP: the store grants a chosen set of scopes
// (currentAppInstallation), and the run skips, fails or warns about each entity as README says.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { runCli } from '../support/cli.ts';
import { runAgainst } from '../support/etl.ts';
import { captureLogs } from '../support/truth.ts';

const ALL_BUT_DRAFTS_AND_INVENTORY = ['read_orders', 'read_all_orders', 'read_returns', 'read_products', 'read_customers', 'read_locations', 'read_merchant_managed_fulfillment_orders', 'read_gift_cards', 'read_shopify_payments_disputes', 'read_shopify_payments_payouts', 'read_markets', 'read_users', 'read_discounts', 'read_content', 'read_marketing_events'];

describe('scope preflight', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox | undefined;
  const start = async (scopes?: string[], features?: { shopifyPlus?: boolean; shopifyPayments?: boolean }): Promise<Sandbox> => {
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 12, products: 4, customers: 6 }, ...(scopes ? { scopes } : {}), ...(features ? { features } : {}) });
    return sandbox;
  };
  /** The root fields of the bulk queries the run submitted. */
  const submittedRoots = (s: Sandbox): string[] => s.operations().map((op) => /\{\s*(\w+)/.exec(op.query)?.[1] ?? '?');

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'etl-scopes-'));
  });
  afterEach(async () => {
    await sandbox?.close();
    sandbox = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  it('skips an entity whose scope is not granted when it was not asked for: a note, no operation, exit 0', async () => {
    const s = await start(ALL_BUT_DRAFTS_AND_INVENTORY);
    const logs = captureLogs();
    const result = await runAgainst(s, dir, ['--safety-lag', '0s'], { logger: logs.logger });
    expect(result.exitCode).to.equal(0);
    const shop = result.shops[0]!;
    expect(shop.status).to.equal('succeeded');
    const byName = new Map(shop.entities.map((e) => [e.entity, e]));
    expect(byName.get('draft_orders')).to.include({ status: 'skipped', note: 'skipped: grant read_draft_orders to the app and reinstall it' });
    expect(byName.get('inventory')).to.include({ status: 'skipped', note: 'skipped: grant read_inventory to the app and reinstall it' });
    expect(byName.get('orders')!.status).to.equal('committed');
    // The paged sales ledger runs by default too.
    expect(byName.get('order_sales')!.status).to.equal('committed');
    // One query of an entity needing the scope: the entity runs the others, and notes it.
    expect(byName.get('metafields')).to.include({ status: 'committed', note: 'metafields_draft_orders not read: grant read_draft_orders to the app and reinstall it' });
    expect(submittedRoots(s)).to.not.include.members(['draftOrders', 'inventoryItems']);
    expect(submittedRoots(s)).to.include.members(['orders', 'products', 'customers']);
    const preflight = logs.entries().filter((e) => String(e.message).startsWith('preflight: '));
    expect(preflight.map((e) => e.entity)).to.deep.equal(shop.entities.map((e) => e.entity));
    const skipped = preflight.filter((e) => e.syncs === false);
    expect(skipped.map((e) => [e.entity, e.missing, e.code, e.severity])).to.deep.equal([
      ['inventory', ['read_inventory'], 'SCOPE_MISSING', 'WARNING'],
      ['draft_orders', ['read_draft_orders'], 'SCOPE_MISSING', 'WARNING'],
    ]);
    const scopeRequests = s.requests().filter((r) => r.operationName === 'GrantedScopes');
    expect(scopeRequests, 'the granted scopes are read once').to.have.length(1);
  });

  it('fails an entity --entities asked for without its scope, naming it (SCOPE_MISSING, exit 1); the others commit', async () => {
    const s = await start(ALL_BUT_DRAFTS_AND_INVENTORY);
    const result = await runAgainst(s, dir, ['--entities', 'orders,draft_orders', '--safety-lag', '0s']);
    expect(result.exitCode).to.equal(1);
    const [orders, drafts] = result.shops[0]!.entities;
    expect(orders!.status).to.equal('committed');
    expect(drafts!.status).to.equal('failed');
    expect(drafts!.error!.code).to.equal('SCOPE_MISSING');
    expect(drafts!.error!.message).to.contain('grant read_draft_orders');
    expect(submittedRoots(s)).to.not.include('draftOrders');
  });

  it('needs read_discounts for discounts and their codes: skipped with a note without it, failing when named; abandoned checkouts need read_orders', async () => {
    const s = await start(ALL_BUT_DRAFTS_AND_INVENTORY.filter((scope) => scope !== 'read_discounts'));
    const quiet = await runAgainst(s, join(dir, 'default'), ['--entities', 'abandoned_checkouts', '--safety-lag', '0s']);
    expect([quiet.exitCode, quiet.shops[0]!.entities[0]!.status]).to.deep.equal([0, 'committed']);
    const asked = await runAgainst(s, join(dir, 'asked'), ['--entities', 'discounts,discount_codes', '--safety-lag', '0s']);
    expect(asked.exitCode).to.equal(1);
    for (const outcome of asked.shops[0]!.entities) {
      expect(outcome.error?.code, outcome.entity).to.equal('SCOPE_MISSING');
      expect(outcome.error!.message).to.contain('grant read_discounts');
    }
    const all = await runAgainst(s, join(dir, 'all'), ['--safety-lag', '0s']);
    expect(all.exitCode).to.equal(0);
    for (const entity of ['discounts', 'discount_codes']) {
      expect(all.shops[0]!.entities.find((e) => e.entity === entity), entity).to.include({ status: 'skipped', note: 'skipped: grant read_discounts to the app and reinstall it' });
    }
    expect(submittedRoots(s)).to.not.include.members(['discountNodes', 'codeDiscountNodes']);
    expect(submittedRoots(s)).to.include('abandonedCheckouts');
  });

  it('needs read_returns for orders (their second query reads Order.returns and ReturnAgreement.return, Return objects Shopify shows only with it): skipped with a note without it, failing when named', async () => {
    const s = await start(['read_orders', 'read_all_orders', 'read_customers']);
    const quiet = await runAgainst(s, dir, ['--safety-lag', '0s']);
    expect(quiet.exitCode).to.equal(0);
    const byName = new Map(quiet.shops[0]!.entities.map((e) => [e.entity, e]));
    expect(byName.get('orders')).to.include({ status: 'skipped', note: 'skipped: grant read_returns to the app and reinstall it' });
    // Taken by default, return and refund detail is skipped the same way; the sales ledger needs read_orders alone.
    expect(byName.get('refund_detail')).to.include({ status: 'skipped', note: 'skipped: grant read_returns to the app and reinstall it' });
    expect(byName.get('order_sales')!.status).to.equal('committed');
    expect(byName.get('customers')!.status).to.equal('committed');
    expect(submittedRoots(s)).to.not.include('orders');

    const named = await runAgainst(s, join(dir, 'named'), ['--entities', 'orders,customers', '--safety-lag', '0s']);
    expect(named.exitCode).to.equal(1);
    const [orders, customers] = named.shops[0]!.entities;
    expect([orders!.status, orders!.error?.code, orders!.error?.message.includes('read_returns')]).to.deep.equal(['failed', 'SCOPE_MISSING', true]);
    expect(customers!.status).to.equal('committed');
  });

  it('counts a granted write_ scope as its read_ scope', async () => {
    const s = await start(['write_orders', 'read_all_orders', 'write_returns']);
    const result = await runAgainst(s, dir, ['--entities', 'orders', '--safety-lag', '0s']);
    expect(result.exitCode).to.equal(0);
    expect(result.shops[0]!.entities[0]!.status).to.equal('committed');
  });

  it('warns when order windows reach back past 60 days without read_all_orders, and not for a recent backfill', async () => {
    const s = await start(['read_orders', 'read_returns']);
    const first = captureLogs();
    expect((await runAgainst(s, dir, ['--entities', 'orders', '--safety-lag', '0s'], { logger: first.logger })).exitCode).to.equal(0);
    const warned = first.entries().filter((e) => e.severity === 'WARNING' && e.entity === 'orders' && /read_all_orders/.test(String(e.message)));
    expect(warned, 'a first run reaches back to the shop\'s creation').to.have.length(1);
    const recent = captureLogs();
    const since = new Date(Date.now() - 10 * 86_400_000).toISOString();
    expect((await runAgainst(s, join(dir, 'again'), ['--entities', 'orders', '--since', since, '--safety-lag', '0s'], { logger: recent.logger })).exitCode).to.equal(0);
    expect(recent.entries().filter((e) => /read_all_orders/.test(String(e.message)))).to.deep.equal([]);
  });

  it('on a terminal-style log (pretty) prints the preflight table on stdout', async () => {
    const s = await start(ALL_BUT_DRAFTS_AND_INVENTORY);
    const result = await runCli(['--shop', s.shopDomain, '--admin-url', s.url, '--dest', join(dir, 'out'), '--state', join(dir, 'state.db'),
      '--entities', 'orders,locations', '--poll-interval', '50ms', '--safety-lag', '0s', '--log-format', 'pretty'], { SHOPIFY_ACCESS_TOKEN: s.token });
    expect(result.code).to.equal(0);
    expect(result.stdout).to.match(/scope preflight\n {2}entity {5}syncs {2}scopes\n {2}orders {5}yes {4}read_orders, read_returns\n {2}locations {2}yes {4}read_locations\n/);
  });

  it('gives a shop off Shopify Plus its gift cards and B2B companies tables empty, with a note, even when --entities names them (exit 0)', async () => {
    const s = await start(undefined, { shopifyPlus: false });
    const logs = captureLogs();
    const result = await runAgainst(s, dir, ['--entities', 'orders,gift_cards,companies', '--safety-lag', '0s'], { logger: logs.logger });
    expect(result.exitCode).to.equal(0);
    const [orders, cards, companies] = result.shops[0]!.entities;
    expect(orders!.status).to.equal('committed');
    expect(cards).to.include({ status: 'skipped', note: 'empty: the shop is not on Shopify Plus, where its data exists' });
    expect(companies).to.include({ status: 'skipped', note: 'empty: the shop is not on Shopify Plus, where its data exists' });
    expect(submittedRoots(s)).to.not.include.members(['giftCards', 'companies']);
    expect(result.shops[0]!.tables).to.include.members(['gift_cards', 'companies', 'company_locations', 'company_contacts']);
    for (const entity of ['gift_cards', 'companies']) {
      const line = logs.entries().find((e) => e.message === `preflight: ${entity}: empty: the shop is not on Shopify Plus, where its data exists`);
      expect(line?.severity, entity).to.equal('INFO');
    }
  });

  it('reads B2B companies with read_companies or read_customers, and names read_companies when neither is granted', async () => {
    for (const [scopes, committed] of [[['read_companies'], true], [['write_customers'], true], [['read_orders'], false]] as const) {
      const s = await start([...scopes]);
      const out = join(dir, scopes.join('-'));
      const quiet = await runAgainst(s, out, ['--entities', 'companies', '--safety-lag', '0s']);
      const [companies] = quiet.shops[0]!.entities;
      if (committed) {
        expect([quiet.exitCode, companies!.status], scopes.join()).to.deep.equal([0, 'committed']);
        expect(companies!.rowsByTable.companies, scopes.join()).to.equal(s.store.truth().companies);
      } else {
        expect([quiet.exitCode, companies!.status, companies!.error?.code], scopes.join()).to.deep.equal([1, 'failed', 'SCOPE_MISSING']);
        expect(companies!.error!.message).to.contain('grant read_companies');
        expect(submittedRoots(s)).to.not.include('companies');
      }
      await s.close();
      sandbox = undefined;
    }
  });

  it('reads staff members with read_users; skips them without it (named: fails naming read_users); a shop whose plan refuses them gets the table empty, with a note, exit 0', async () => {
    const granted = await start();
    const read = await runAgainst(granted, dir, ['--entities', 'staff_members', '--safety-lag', '0s']);
    expect([read.exitCode, read.shops[0]!.entities[0]!.status]).to.deep.equal([0, 'committed']);
    expect(read.shops[0]!.entities[0]!.rowsByTable.staff_members).to.equal(granted.store.truth().staff_members).and.to.be.greaterThan(0);
    await granted.close();

    const s = await start(ALL_BUT_DRAFTS_AND_INVENTORY.filter((scope) => scope !== 'read_users'));
    const quiet = await runAgainst(s, join(dir, 'default'), ['--safety-lag', '0s']);
    expect(quiet.exitCode).to.equal(0);
    expect(quiet.shops[0]!.entities.find((e) => e.entity === 'staff_members')).to.include({ status: 'skipped', note: 'skipped: grant read_users to the app and reinstall it' });
    const asked = await runAgainst(s, join(dir, 'asked'), ['--entities', 'staff_members', '--safety-lag', '0s']);
    expect([asked.exitCode, asked.shops[0]!.entities[0]!.error?.code]).to.deep.equal([1, 'SCOPE_MISSING']);
    expect(asked.shops[0]!.entities[0]!.error!.message).to.contain('grant read_users');
    expect(submittedRoots(s)).to.not.include('staffMembers');
    await s.close();

    const refused = await start(undefined, { shopifyPlus: false });
    const logs = captureLogs();
    const result = await runAgainst(refused, join(dir, 'refused'), ['--entities', 'staff_members', '--safety-lag', '0s'], { logger: logs.logger });
    expect(result.exitCode).to.equal(0);
    expect(result.shops[0]!.entities[0]).to.include({ status: 'skipped', note: 'empty: the shop\'s plan does not let apps read its staff, as Shopify Plus and Advanced do' });
    expect(submittedRoots(refused)).to.not.include('staffMembers');
    expect(refused.requests().filter((r) => r.operationName === 'StaffAccess'), 'the preflight asked Shopify once').to.have.length(1);
    expect(result.shops[0]!.tables).to.include('staff_members');
  });

  it('reads pages, blogs and articles with read_content or read_online_store_pages, marketing events with read_marketing_events, naming the scope missing', async () => {
    for (const [scopes, content, marketing] of [[['read_content', 'read_marketing_events'], true, true], [['read_online_store_pages'], true, false], [['write_online_store_pages'], true, false], [['read_orders'], false, false]] as const) {
      const s = await start([...scopes]);
      const quiet = await runAgainst(s, join(dir, scopes.join('-')), ['--entities', 'pages,blogs,articles,marketing_events', '--safety-lag', '0s']);
      const byName = new Map(quiet.shops[0]!.entities.map((e) => [e.entity, e]));
      expect(quiet.exitCode, scopes.join()).to.equal(content && marketing ? 0 : 1);
      for (const entity of ['pages', 'blogs', 'articles']) {
        const outcome = byName.get(entity)!;
        if (content) expect([outcome.status, outcome.rowsByTable[entity]], `${scopes.join()} ${entity}`).to.deep.equal(['committed', s.store.truth()[entity]]);
        else expect([outcome.status, outcome.error?.code, outcome.error?.message.includes('grant read_content')], `${scopes.join()} ${entity}`).to.deep.equal(['failed', 'SCOPE_MISSING', true]);
      }
      const events = byName.get('marketing_events')!;
      if (marketing) expect(events.status).to.equal('committed');
      else expect([events.status, events.error?.code, events.error?.message.includes('grant read_marketing_events')], scopes.join()).to.deep.equal(['failed', 'SCOPE_MISSING', true]);
      expect(submittedRoots(s).filter((r) => ['pages', 'blogs', 'articles'].includes(r)).length, scopes.join()).to.equal(content ? 3 : 0);
      await s.close();
      sandbox = undefined;
    }
  });

  it('gives a shop without Shopify Payments its payouts and balance transactions empty, with a note; its disputes table is simply empty', async () => {
    const s = await start(undefined, { shopifyPayments: false });
    const result = await runAgainst(s, dir, ['--entities', 'payouts,balance_transactions,disputes', '--safety-lag', '0s']);
    expect(result.exitCode).to.equal(0);
    const [payouts, transactions, disputes] = result.shops[0]!.entities;
    expect(payouts).to.include({ status: 'skipped', note: 'empty: the shop has no Shopify Payments account' });
    expect(transactions).to.include({ status: 'skipped', note: 'empty: the shop has no Shopify Payments account' });
    expect(disputes!.status).to.equal('committed');
    expect(disputes!.rowsByTable.disputes ?? 0).to.equal(0);
    expect(s.requests().filter((r) => r.operationName === 'Payouts' || r.operationName === 'BalanceTransactions')).to.deep.equal([]);
  });
});
