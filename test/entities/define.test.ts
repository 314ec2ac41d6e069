// defineEntity: what it derives from an entity's name, sync kind, tables and routes.
import { expect } from 'chai';
import { defineEntity } from '../../src/entities/define.ts';
import { isEtlError } from '../../src/errors/index.ts';
import { id, table } from '../../src/rows/spec.ts';
import type { Row, RowSink } from '../../src/rows/types.ts';

function collect(): { rows: Array<[string, Row]>; emit: RowSink } {
  const rows: Array<[string, Row]> = [];
  return { rows, emit: { row: (t, r) => void rows.push([t, r]) } };
}

describe('defineEntity', () => {
  it('derives the query file, the root field and the sync from the name and sync kind', () => {
    const t = table({ name: 'draft_orders', description: 'd', columns: [id()] });
    const incremental = defineEntity({ name: 'draft_orders', scopes: [], sync: 'incremental', tables: [t], routes: { DraftOrder: t } });
    expect([incremental.kind, incremental.queryFile, incremental.incremental]).to.deep.equal(['bulk', 'draft_orders.graphql', { rootField: 'draftOrders', searchField: 'updated_at', cursorField: 'updatedAt', counted: true, countedWhole: true, sortsById: true }]);
    expect(defineEntity({ name: 'draft_orders', scopes: [], sync: 'snapshot', tables: [t], routes: { DraftOrder: t } }).incremental).to.equal(null);
    const object = defineEntity({ name: 'draft_orders', scopes: [], sync: 'object', tables: [t] });
    expect([object.kind, object.typenames, object.transcode]).to.deep.equal(['plain', [], undefined]);
    const { rows, emit } = collect();
    object.process({ draftOrders: { id: 'gid://shopify/DraftOrder/5' } }, emit);
    expect(rows.map(([name, r]) => [name, r.id])).to.deep.equal([['draft_orders', '5']]);
  });

  it('refuses a route to a table it does not list', () => {
    const listed = table({ name: 'a', description: 'd', columns: [id()] });
    const unlisted = table({ name: 'b', description: 'd', columns: [id()] });
    expect(() => defineEntity({ name: 'x', scopes: [], sync: 'snapshot', tables: [listed], routes: { A: listed, B: unlisted } })).to.throw(/B goes to b, which is not among its tables/);
  });

  it('lets a snapshot\'s queries share a table (listed once) and need scopes or a feature of their own, and an incremental entity\'s neither', () => {
    const shared = table({ name: 'notes', description: 'd', columns: [id()] });
    const part = (query: string, typename: string) => ({ query, tables: [shared], routes: { [typename]: null, Note: shared } });
    const snapshot = defineEntity({
      name: 'notes', scopes: ['read_a'], sync: 'snapshot', tables: [shared], routes: { A: null, Note: shared },
      parts: [{ ...part('notes_b', 'B'), ownScopes: ['read_b'] }, { ...part('notes_c', 'C'), onlyWith: 'shopifyPlus' }],
    });
    expect(snapshot.tables.map((x) => x.name)).to.deep.equal(['notes']);
    expect(snapshot.parts.map((p) => [p.name, p.ownScopes, p.onlyWith])).to.deep.equal([['notes', undefined, undefined], ['notes_b', ['read_b'], undefined], ['notes_c', undefined, 'shopifyPlus']]);
    const incremental = { name: 'notes', scopes: [], sync: 'incremental' as const, tables: [shared], routes: { A: null, Note: shared } };
    expect(() => defineEntity({ ...incremental, parts: [part('notes_b', 'B')] })).to.throw(/table notes is written by two of its queries/);
    const other = table({ name: 'others', description: 'd', columns: [id()] });
    expect(() => defineEntity({ ...incremental, parts: [{ query: 'notes_b', tables: [other], routes: { B: other }, ownScopes: ['read_b'] }] })).to.throw(/only a snapshot's queries can need scopes or a shop feature of their own/);
  });

  const t = table({ name: 'things', description: 'd', columns: [id()] });
  const route = defineEntity({ name: 'things', scopes: [], sync: 'snapshot', tables: [t], routes: { Thing: t, Ignored: null } });

  it('lists the typenames it handles and routes by them', () => {
    const { rows, emit } = collect();
    expect(route.typenames).to.deep.equal(['Thing', 'Ignored']);
    route.process({ __typename: 'Ignored', id: 'gid://shopify/Ignored/1' }, emit);
    route.process({ __typename: 'Thing', id: 'gid://shopify/Thing/2' }, emit);
    expect(rows.map(([name, r]) => [name, r.id])).to.deep.equal([['things', '2']]);
  });

  it('fails on an unknown __typename, naming it and the handled ones', () => {
    const { emit } = collect();
    for (const typename of ['Gadget', 'constructor']) {
      expect(() => route.process({ __typename: typename, id: 'gid://shopify/Gadget/1' }, emit))
        .to.throw(new RegExp(`unknown __typename "${typename}"; this entity handles Thing, Ignored`))
        .that.satisfies((e: unknown) => isEtlError(e, 'MALFORMED_JSONL'));
    }
    expect(() => route.process({ id: 'gid://shopify/Gadget/1' }, emit)).to.throw(/without __typename/);
  });
});

