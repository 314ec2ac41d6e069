// The shop's other roots (B2B companies, markets, staff members), extracted from the sandbox over HTTP: each table holds the
// sandbox's ground truth, every child points at its parent, and the references into other entities'
// tables (a company contact's customer) point at rows the same run wrote.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSandbox, type Sandbox } from 'shopify-sandbox';
import { runAgainst } from '../support/etl.ts';
import { readTable } from '../support/output.ts';

type Row = Record<string, unknown>;

describe('the shop\'s other roots against the sandbox', function () {
  this.timeout(60_000);
  let dir: string;
  let sandbox: Sandbox;
  const tables: Record<string, Row[]> = {};
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'etl-shop-roots-'));
    sandbox = await startSandbox({ operationDelayMs: 20, size: { orders: 20, products: 6, customers: 40, companies: 10 } });
    const result = await runAgainst(sandbox, dir, ['--entities', 'customers,companies,markets,staff_members', '--safety-lag', '0s']);
    expect(result.exitCode, JSON.stringify(result.shops[0]?.entities.map((e) => e.error))).to.equal(0);
    const truth = sandbox.store.truth();
    for (const table of ['customers', 'companies', 'company_locations', 'company_contacts', 'markets', 'market_regions', 'staff_members']) {
      tables[table] = (await readTable(join(dir, 'out'), table)) as Row[];
      expect(tables[table]!.length, table).to.equal(truth[table]);
      expect(tables[table]!.length, `${table} has rows`).to.be.greaterThan(0);
    }
  });
  after(async () => {
    await sandbox.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('companies: every location and contact points at a company, every contact at a customer, the main contact among its company\'s', () => {
    const companies = new Map(tables.companies!.map((c) => [c.id, c]));
    const customers = new Set(tables.customers!.map((c) => c.id));
    for (const location of tables.company_locations!) expect(companies.has(location.company_id), `location ${String(location.id)}`).to.equal(true);
    for (const contact of tables.company_contacts!) {
      expect(companies.has(contact.company_id), `contact ${String(contact.id)}`).to.equal(true);
      expect(customers.has(contact.customer_id), `contact ${String(contact.id)}'s customer`).to.equal(true);
    }
    for (const company of tables.companies!.filter((c) => c.main_contact_id !== null)) {
      const main = tables.company_contacts!.filter((c) => c.company_id === company.id && c.is_main_contact === true);
      expect(main.map((c) => c.id), `company ${String(company.id)}`).to.deep.equal([company.main_contact_id]);
    }
    expect(new Set(tables.company_locations!.map((l) => l.company_id)).size, 'every company has a location').to.equal(companies.size);
  });

  it('companies: locations and contacts change without their company\'s updatedAt moving, so some are newer than their company (why the entity is a snapshot)', () => {
    const updated = new Map(tables.companies!.map((c) => [c.id, String(c.updated_at)]));
    for (const table of ['company_locations', 'company_contacts']) {
      const newer = tables[table]!.filter((r) => String(r.updated_at) > updated.get(r.company_id)!);
      expect(newer.length, table).to.be.greaterThan(0);
    }
  });

  it('markets: every region points at a market, region markets have regions and the others none; a region is a country or a country\'s subdivision', () => {
    const markets = new Map(tables.markets!.map((m) => [m.id, m]));
    const regionsOf = new Map<unknown, Row[]>();
    for (const region of tables.market_regions!) {
      expect(markets.has(region.market_id), `region ${String(region.admin_graphql_api_id)}`).to.equal(true);
      regionsOf.set(region.market_id, [...(regionsOf.get(region.market_id) ?? []), region]);
      if (String(region.admin_graphql_api_id).includes('/MarketRegionCountry/')) {
        expect([typeof region.country_code, typeof region.currency, region.subdivision_code]).to.deep.equal(['string', 'string', null]);
      } else {
        expect(String(region.admin_graphql_api_id)).to.include('/MarketRegionSubdivision/');
        expect([region.country_code, typeof region.subdivision_code, typeof region.subdivision_country_code]).to.deep.equal([null, 'string', 'string']);
      }
    }
    for (const market of markets.values()) {
      expect(market.condition_types, String(market.name)).to.deep.equal([market.type]);
      expect((regionsOf.get(market.id) ?? []).length > 0, String(market.name)).to.equal(market.type === 'REGION');
    }
    expect(new Set(tables.market_regions!.map((r) => String(r.admin_graphql_api_id).split('/')[3]))).to.deep.equal(new Set(['MarketRegionCountry', 'MarketRegionSubdivision']));
  });

  it('staff members: one shop owner, unique emails, and accounts of several types and states', () => {
    const staff = tables.staff_members!;
    expect(staff.filter((m) => m.is_shop_owner === true)).to.have.length(1);
    expect(new Set(staff.map((m) => m.email)).size).to.equal(staff.length);
    expect(new Set(staff.map((m) => m.account_type)).size).to.be.greaterThan(1);
    expect(new Set(staff.map((m) => m.active))).to.deep.equal(new Set([true, false]));
  });
});
