// The deletions stage's queries against Shopify's Admin schema (2026-10) and its bulk query rules: the
// id-only snapshot of every incremental entity of the registry that has one, the whole root's count it
// is checked against, and the destroy events' window query with the subject types it can name.
import { expect } from 'chai';
import { isEnumType, parse, validate, type GraphQLEnumType, type GraphQLSchema } from 'graphql';
import { bulkQueryErrors, sandboxSchema } from 'shopify-sandbox';
import { entities } from '../../src/entities/index.ts';
import { countDocument } from '../../src/sync/counts.ts';
import { EVENT_SUBJECT_TYPES, eventsFilter, eventsQuery } from '../../src/sync/deletes/events.ts';
import { deletesOf, snapshotPlans } from '../../src/sync/deletes/stage.ts';
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

  it('a root Shopify neither counts nor names in destroy events is not looked for; one it names alone (articles) is, by its events, without a snapshot', () => {
    const uncounted = entities.filter((e) => e.incremental && e.deletes && !e.incremental.countedWhole).map((e) => e.name);
    expect(uncounted).to.include.members(['fulfillment_orders', 'tender_transactions', 'articles']);
    const tracked = deletesOf(entities).map((e) => e.name);
    expect(tracked).to.include.members(['orders', 'products', 'customers', 'draft_orders', 'pages', 'articles']);
    expect(tracked.filter((n) => ['fulfillment_orders', 'tender_transactions'].includes(n))).to.deep.equal([]);
    const plans = snapshotPlans({ lastCommitted: () => null }, 'shop', deletesOf(entities), { everyMs: 0, now: new Date(), allOrders: true });
    expect(plans.map((p) => p.of.name)).to.include('pages').and.not.include('articles');
  });

  it('the subject types the events log names are Shopify\'s EventSubjectType', () => {
    const type = schema.getType('EventSubjectType');
    expect(isEnumType(type)).to.equal(true);
    const values = (type as GraphQLEnumType).getValues().map((v) => v.name).filter((v) => v !== 'UNKNOWN');
    expect([...EVENT_SUBJECT_TYPES].sort()).to.deep.equal(values.sort());
  });

  it('the whole root\'s count each id snapshot is checked against is a field of Shopify\'s schema and the sandbox\'s (pagesCount takes no filter)', () => {
    for (const entity of deletesOf(entities).filter((e) => e.incremental!.countedWhole)) {
      const doc = parse(countDocument(entity.incremental!.rootField, true));
      expect(validate(schema, doc).map((e) => e.message), entity.name).to.deep.equal([]);
      expect(validate(sandboxSchema('2026-10'), doc).map((e) => e.message), entity.name).to.deep.equal([]);
    }
    // Its window count would not be: pagesCount has no query argument.
    expect(validate(schema, parse(countDocument('pages'))).length).to.be.greaterThan(0);
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
