import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { Kind, parse, type FieldNode, type OperationDefinitionNode } from 'graphql';
import { entityByName, entities } from '../../src/entities/index.ts';
import { loadQuery, windowFilter, withSearchFilter } from '../../src/entities/queries.ts';
import { isEtlError } from '../../src/errors/index.ts';

function queryArgs(query: string): Record<string, string | undefined> {
  const op = parse(query).definitions[0] as OperationDefinitionNode;
  const out: Record<string, string | undefined> = {};
  const walk = (field: FieldNode): void => {
    const arg = field.arguments?.find((a) => a.name.value === 'query');
    out[field.name.value] = arg?.value.kind === Kind.STRING ? arg.value.value : undefined;
    for (const s of field.selectionSet?.selections ?? []) if (s.kind === Kind.FIELD) walk(s);
  };
  for (const s of op.selectionSet.selections) if (s.kind === Kind.FIELD) walk(s);
  return out;
}

describe('queries', () => {
  it('loads every entity\'s query file from queries/', () => {
    for (const e of entities) expect(loadQuery(e)).to.equal(readFileSync(new URL(`../../queries/${e.queryFile}`, import.meta.url), 'utf8'));
  });

  it('sets the search filter on the root connection only', () => {
    const filter = windowFilter(new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'));
    const args = queryArgs(withSearchFilter(loadQuery(entityByName('orders')), 'orders', filter));
    expect(args.orders).to.equal(filter);
    expect(args.lineItems).to.equal(undefined);
  });

  it('adds an id range to the time range, numbers unquoted as Shopify\'s id filter takes them', () => {
    const since = new Date('2026-01-01T00:00:00Z');
    const until = new Date('2026-01-01T00:30:00Z');
    expect(windowFilter(since, until, { after: '5612000000100', through: '5612000000200' }))
      .to.equal("updated_at:>='2026-01-01T00:00:00Z' AND updated_at:<'2026-01-01T00:30:00Z' AND id:>5612000000100 AND id:<=5612000000200");
    expect(windowFilter(null, until, { after: null, through: '9007199254740993' })).to.equal("updated_at:<'2026-01-01T00:30:00Z' AND id:<=9007199254740993");
    expect(windowFilter(since, until, { after: '5612000000100', through: null })).to.equal("updated_at:>='2026-01-01T00:00:00Z' AND updated_at:<'2026-01-01T00:30:00Z' AND id:>5612000000100");
    expect(() => windowFilter(since, until, { after: "1' OR x", through: null })).to.throw().that.satisfies((e: unknown) => isEtlError(e, 'INTERNAL'));
  });

  it('replaces an existing filter and keeps the other arguments', () => {
    const q = 'query { products(first: 5, query: "status:active") { edges { node { id title(query: "x") } } } }';
    const out = withSearchFilter(q, 'products', "updated_at:<'2026-01-01T00:00:00Z'");
    const root = (parse(out).definitions[0] as OperationDefinitionNode).selectionSet.selections[0] as FieldNode;
    expect(root.arguments?.map((a) => [a.name.value, a.value.kind === Kind.STRING || a.value.kind === Kind.INT ? a.value.value : null])).to.deep.equal([
      ['first', '5'],
      ['query', "updated_at:<'2026-01-01T00:00:00Z'"],
    ]);
    expect(out).to.include('title(query: "x")');
  });

  it('escapes quotes in the filter through the printer', () => {
    const out = withSearchFilter('{ orders { edges { node { id } } } }', 'orders', 'tag:"a\\b"');
    expect(queryArgs(out).orders).to.equal('tag:"a\\b"');
  });

  it('fails when the root field is not in the query', () => {
    expect(() => withSearchFilter('{ orders { edges { node { id } } } }', 'products', 'x')).to.throw(/products/);
  });

  it('formats a half-open UTC window with quoted timestamps, milliseconds only when non-zero', () => {
    expect(windowFilter(new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'))).to.equal("updated_at:>='2026-01-01T00:00:00Z' AND updated_at:<'2026-02-01T00:00:00Z'");
    expect(windowFilter(new Date('2026-01-01T01:00:00+01:00'), new Date('2026-01-01T00:00:00.250Z'))).to.equal("updated_at:>='2026-01-01T00:00:00Z' AND updated_at:<'2026-01-01T00:00:00.250Z'");
    expect(windowFilter(null, new Date('2026-02-01T00:00:00Z'))).to.equal("updated_at:<'2026-02-01T00:00:00Z'");
  });

  it('refuses an empty or inverted window', () => {
    const d = new Date('2026-01-01T00:00:00Z');
    expect(() => windowFilter(d, d)).to.throw(/invalid window/);
    expect(() => windowFilter(d, new Date('nope'))).to.throw(/invalid window/);
  });

  it('names the valid entities when asked for an unknown one', () => {
    expect(entityByName('orders').name).to.equal('orders');
    expect(() => entityByName('order')).to.throw(/valid entities: orders, products, customers, inventory, locations, collections, metafields, shop/)
      .that.satisfies((e: unknown) => isEtlError(e, 'CONFIG_INVALID'));
    // product_metafields was merged into metafields: asking for it says so.
    expect(() => entityByName('product_metafields')).to.throw(/unknown entity "product_metafields": its rows are metafields rows with owner_type PRODUCT now: ask for metafields; valid entities/)
      .that.satisfies((e: unknown) => isEtlError(e, 'CONFIG_INVALID'));
  });
});
