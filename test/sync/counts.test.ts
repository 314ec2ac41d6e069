// The count read beside each incremental window (src/sync/counts.ts): the count field every
// incremental entity asks for exists in Shopify's schema, the count read from a real sandbox is the
// window's records, a count that cannot be read or is not exact compares nothing, and the tolerance
// is the smaller of the two counts.
import { expect } from 'chai';
import { parse, validate } from 'graphql';
import { sandboxSchema, startSandbox, type Sandbox } from 'shopify-sandbox';
import { entities } from '../../src/entities/index.ts';
import { windowFilter } from '../../src/entities/queries.ts';
import type { Entity } from '../../src/entities/types.ts';
import { staticToken } from '../../src/shopify/auth.ts';
import { ShopifyClient } from '../../src/shopify/client.ts';
import { checkCounts, countDocument, readCount } from '../../src/sync/counts.ts';
import { adminSchema } from '../support/admin-schema.ts';
import { captureLogs } from '../support/truth.ts';

/** The incremental entities whose windows are count-checked (Shopify offers their root's count). */
const incremental = entities.filter((e) => e.incremental?.counted);
const exact = (count: number) => ({ count, precision: 'EXACT' as const });

describe('counted completeness: the window count', () => {
  it('asks every counted incremental entity\'s count by its root field, a field Shopify\'s schema and the sandbox\'s both have', () => {
    expect(incremental.map((e) => e.name)).to.include.members(['orders', 'products', 'customers', 'draft_orders']);
    for (const entity of incremental) {
      const doc = parse(countDocument(entity.incremental!.rootField));
      expect(validate(adminSchema('2026-10'), doc).map((e) => e.message), entity.name).to.deep.equal([]);
      expect(validate(sandboxSchema('2026-10'), doc).map((e) => e.message), entity.name).to.deep.equal([]);
    }
  });

  it('compares the root rows with the smaller count, and compares nothing when a count is not exact or unread', () => {
    expect(checkCounts(exact(10), exact(8), 8)).to.deep.equal({ atStart: exact(10), atEnd: exact(8), rootRows: 8, covered: true });
    expect(checkCounts(exact(8), exact(10), 8).covered).to.equal(true);
    expect(checkCounts(exact(10), exact(8), 7).covered).to.equal(false);
    expect(checkCounts(exact(3), exact(3), 5).covered).to.equal(true);
    expect(checkCounts({ count: 10_000, precision: 'AT_LEAST' }, exact(8), 0).covered).to.equal(null);
    expect(checkCounts(exact(8), { error: 'THROTTLED' }, 0)).to.deep.equal({ atStart: exact(8), atEnd: { error: 'THROTTLED' }, rootRows: 0, covered: null });
  });

  describe('read from a sandbox over HTTP', () => {
    let sandbox: Sandbox;
    let client: ShopifyClient;
    before(async () => {
      sandbox = await startSandbox({ size: { orders: 30, products: 10, customers: 12 } });
      client = new ShopifyClient({ adminUrl: sandbox.url, shop: sandbox.shopDomain, apiVersion: '2026-10', token: staticToken(sandbox.token) });
    });
    after(async () => { await sandbox.close(); });

    it('is the number of records the window\'s filter matches', async () => {
      const until = new Date(Date.now() - 90 * 86400_000);
      const since = new Date(until.getTime() - 120 * 86400_000);
      const logs = captureLogs();
      for (const [name, root] of [['orders', 'orders'], ['products', 'products'], ['customers', 'customers'], ['draft_orders', 'draftOrders']] as const) {
        const entity = incremental.find((e) => e.name === name)!;
        const windowed = await readCount({ client, logger: logs.logger }, entity, windowFilter(since, until));
        expect(windowed, name).to.deep.equal(exact(sandbox.store.ids(root, { since, until }).length));
        expect(await readCount({ client, logger: logs.logger }, entity, null), name).to.deep.equal(exact(sandbox.store.ids(root).length));
      }
      expect(logs.entries()).to.have.length(0);
    });

    it('a count request that fails is recorded by its code, with a warning, and does not throw', async () => {
      // A root with no Count field in the store's schema: the request fails as Shopify answers an unknown field.
      const uncountable: Entity = { ...incremental[0]!, name: 'locations', incremental: { rootField: 'locations', searchField: 'updated_at', cursorField: 'updatedAt', counted: true, countedWhole: true, sortsById: true } };
      const logs = captureLogs();
      expect(await readCount({ client, logger: logs.logger }, uncountable, null)).to.deep.equal({ error: 'GRAPHQL_ERROR' });
      expect(logs.entries().map((e) => [e.severity, e.code])).to.deep.equal([['WARNING', 'GRAPHQL_ERROR']]);
    });
  });
});
