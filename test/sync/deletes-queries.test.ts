// The deletions stage's queries against Shopify's Admin schema (2026-10) and its bulk query rules: the
// id-only snapshot of every incremental entity of the registry that has one, and the destroy events' window query.
import { expect } from 'chai';
import { parse, validate, type GraphQLSchema } from 'graphql';
import { bulkQueryErrors } from 'shopify-sandbox';
import { entities } from '../../src/entities/index.ts';
import { eventsFilter, eventsQuery } from '../../src/sync/deletes/events.ts';
import { deletesOf } from '../../src/sync/deletes/stage.ts';
import { idsQuery } from '../../src/sync/deletes/ids-query.ts';
import { adminSchema } from '../support/admin-schema.ts';

describe('deletions stage queries', () => {
  let schema: GraphQLSchema;
  before(() => {
    schema = adminSchema('2026-10');
  });

  // Every incremental entity whose deletes the stage looks for (a paged one, order_sales, has none of its own: Entity.deletes).
  for (const entity of entities.filter((e) => e.incremental && e.deletes)) {
    it(`${entity.name}: the id snapshot is a valid bulk query selecting only __typename and id, of the root and of ${entity.deletes!.connections.join(', ') || 'no child connection'}`, () => {
      const query = idsQuery(entity);
      expect(validate(schema, parse(query)).map((e) => e.message)).to.deep.equal([]);
      expect(bulkQueryErrors(schema, query)).to.deep.equal([]);
      const fields = [...query.matchAll(/^\s*([A-Za-z_]+)\b/gm)].map((m) => m[1]);
      const allowed = new Set(['query', entity.incremental!.rootField, 'edges', 'node', '__typename', 'id', ...entity.deletes!.connections]);
      expect(fields.filter((f) => !allowed.has(f!))).to.deep.equal([]);
    });
  }

  it('a root Shopify does not count gets no id snapshot: it could not be shown whole', () => {
    const uncounted = entities.filter((e) => e.incremental && e.deletes && !e.incremental.counted).map((e) => e.name);
    expect(uncounted).to.include.members(['fulfillment_orders', 'tender_transactions']);
    expect(deletesOf(entities).map((e) => e.name).filter((n) => uncounted.includes(n))).to.deep.equal([]);
    expect(deletesOf(entities).map((e) => e.name)).to.include.members(['orders', 'products', 'customers', 'draft_orders']);
  });

  it('the destroy events query, with a window\'s filter, is a valid bulk query', () => {
    const [since, until] = ['2026-01-01T00:00:00.000Z', '2026-02-01T00:00:00.000Z'];
    expect(eventsFilter(since, until)).to.equal("action:destroy AND created_at:>='2026-01-01T00:00:00Z' AND created_at:<'2026-02-01T00:00:00Z'");
    const query = eventsQuery(since, until);
    expect(query).to.contain(`events(query: ${JSON.stringify(eventsFilter(since, until))}) {`);
    expect(validate(schema, parse(query)).map((e) => e.message)).to.deep.equal([]);
    expect(bulkQueryErrors(schema, query)).to.deep.equal([]);
  });
});
