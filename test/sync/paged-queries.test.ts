// The paged reader (src/sync/paged-part.ts) sends queries built at run time: its query with a cursor
// on the connection it pages, and, for a nested page that is full, `node(id:)` reading on from the
// node the page lies under. Every one it can send, for every paged query in queries/, validates
// against Shopify's real Admin schema here, as the query files themselves do in the registry test.
import { expect } from 'chai';
import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  parse,
  validate,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
} from 'graphql';
import { entities } from '../../src/entities/index.ts';
import { loadQuery, windowFilter, withSearchFilter } from '../../src/entities/queries.ts';
import { nextPageQuery, pageQuery, pagedDocument, type Route } from '../../src/sync/paged-part.ts';
import { adminSchema } from '../support/admin-schema.ts';

const edgesNode = (field: FieldNode): FieldNode | undefined => {
  const edges = field.selectionSet?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'edges');
  return edges?.selectionSet?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === 'node');
};

/** The named type of field `name` of an object or interface type. */
function typeOf(type: GraphQLNamedType, name: string): GraphQLNamedType {
  const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
  if (!field) throw new Error(`${type.name} has no field ${name}`);
  return getNamedType(field.type);
}

/** The type of the nodes of a connection type. */
const nodesOf = (connection: GraphQLNamedType): GraphQLCompositeType => typeOf(typeOf(connection, 'edges'), 'node') as GraphQLCompositeType;

const selects = (set: SelectionSetNode, name: string): boolean => set.selections.some((s) => s.kind === Kind.FIELD && s.name.value === name && !s.alias);

/** A connection nested under the paged one, and how the reader reaches it: from which types of Node (a root node, or an inline list's item), by which connections. */
interface Continuation {
  field: string;
  roots: string[];
  steps: string[];
  /** The selection of the Node it is read on from, which must carry its id and __typename. */
  from: SelectionSetNode;
}

const typesOf = (schema: GraphQLSchema, type: GraphQLNamedType): string[] => (isAbstractType(type) ? schema.getPossibleTypes(type).map((t) => t.name) : [type.name]);

/** Whether a selection reads a connection anywhere below it. */
const holdsConnection = (set: SelectionSetNode): boolean =>
  set.selections.some((s) => (s.kind === Kind.FIELD && s.selectionSet !== undefined && (edgesNode(s) !== undefined || holdsConnection(s.selectionSet))) || (s.kind === Kind.INLINE_FRAGMENT && holdsConnection(s.selectionSet)));

/** Every connection under `set` (of type `type`), with the Node it is read on from, as the reader finds them in the answers. */
function continuations(schema: GraphQLSchema, set: SelectionSetNode, type: GraphQLCompositeType, from: { roots: string[]; steps: string[]; set: SelectionSetNode }): Continuation[] {
  const found: Continuation[] = [];
  for (const s of set.selections) {
    if (s.kind === Kind.INLINE_FRAGMENT) {
      const on = s.typeCondition ? schema.getType(s.typeCondition.name.value) : type;
      if (on && isCompositeType(on)) found.push(...continuations(schema, s.selectionSet, on, from));
      continue;
    }
    if (s.kind !== Kind.FIELD || !s.selectionSet || s.name.value === 'pageInfo') continue;
    const fieldType = typeOf(type, s.name.value);
    const node = edgesNode(s);
    if (node?.selectionSet) {
      found.push({ field: s.name.value, roots: from.roots, steps: from.steps, from: from.set });
      found.push(...continuations(schema, node.selectionSet, nodesOf(fieldType), { ...from, steps: [...from.steps, s.name.value] }));
    } else if (holdsConnection(s.selectionSet) && isCompositeType(fieldType)) {
      // An inline list holding connections: each item is read on from itself.
      found.push(...continuations(schema, s.selectionSet, fieldType, { roots: typesOf(schema, fieldType), steps: [], set: s.selectionSet }));
    }
  }
  return found;
}

/** The field at `path` from the operation's root. */
function fieldAt(query: string, path: readonly string[]): FieldNode {
  let set: SelectionSetNode | undefined = parse(query).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION)?.selectionSet;
  let field: FieldNode | undefined;
  for (const name of path) {
    field = set?.selections.find((s): s is FieldNode => s.kind === Kind.FIELD && s.name.value === name);
    set = field?.selectionSet;
  }
  if (!field) throw new Error(`no field at ${path.join('.')}`);
  return field;
}

describe('the paged reader\'s run-time queries', () => {
  let schema: GraphQLSchema;
  before(() => {
    schema = adminSchema('2026-10');
  });
  const errors = (text: string): string[] => validate(schema, parse(text)).map((e) => `${e.message}\n${text}`);
  const paged = entities.flatMap((e) => e.parts.filter((p) => p.kind === 'paged').map((p) => ({ entity: e, part: p })));

  it('covers every paged query', () => {
    expect(paged.map((p) => p.part.name)).to.include.members(['order_sales', 'refund_detail', 'payouts', 'balance_transactions']);
  });

  for (const { entity, part } of paged) {
    describe(part.name, () => {
      const path = part.paging!;
      // As a window sends it: with the window's filter on the root connection.
      const query = entity.incremental ? withSearchFilter(loadQuery(part), entity.incremental.rootField, windowFilter(new Date('2026-01-01T00:00:00Z'), new Date('2026-02-01T00:00:00Z'))) : loadQuery(part);
      const document = pagedDocument(query);

      it('validates each page of its connection: the first, and one after a cursor', () => {
        for (const after of [null, 'Y3Vyc29yOjE=']) expect(errors(pageQuery(document, path, after))).to.deep.equal([]);
      });

      it('reads where each page ends on every connection, and each Node a nested page is read on from carries its id and __typename', () => {
        const root = fieldAt(query, path);
        const node = edgesNode(root)!;
        expect(node.selectionSet, 'the paged connection\'s nodes').to.not.equal(undefined);
        const rootType = nodeTypeAt(schema, path);
        const all = continuations(schema, node.selectionSet!, rootType, { roots: typesOf(schema, rootType), steps: [], set: node.selectionSet! });
        for (const field of [path.at(-1)!, ...all.map((c) => c.field)]) {
          const connection = field === path.at(-1) ? root : findField(parse(query), field)!;
          expect(connection.selectionSet?.selections.some((s) => s.kind === Kind.FIELD && s.name.value === 'pageInfo' && selects(s.selectionSet!, 'hasNextPage') && selects(s.selectionSet!, 'endCursor')), `${field} pageInfo`).to.equal(true);
        }
        for (const c of all) expect([selects(c.from, 'id'), selects(c.from, '__typename')], `${c.field} is read on from a node with id and __typename`).to.deep.equal([true, true]);
      });

      it('validates the node(id:) read of every nested connection\'s next page, from every type of Node it lies under, after every kind of cursor', () => {
        const rootType = nodeTypeAt(schema, path);
        const node = edgesNode(fieldAt(query, path))!;
        const all = continuations(schema, node.selectionSet!, rootType, { roots: typesOf(schema, rootType), steps: [], set: node.selectionSet! });
        let sent = 0;
        for (const c of all) {
          for (const typename of c.roots) {
            for (const after of [null, 'Y3Vyc29yOjE=']) {
              const route: Route = { root: { id: 'gid://shopify/Node/1', typename }, steps: c.steps.map((field) => ({ field, after })) };
              expect(errors(nextPageQuery(document, route, c.field, 'Y3Vyc29yOjI='))).to.deep.equal([]);
              sent++;
            }
          }
        }
        // order_sales reads agreements on from its order, and sales from the order through one agreement.
        if (part.name === 'order_sales') expect(all.map((c) => [c.field, c.roots, c.steps])).to.deep.equal([['agreements', ['Order'], []], ['sales', ['Order'], ['agreements']]]);
        // refund_detail reads a return's line items on from its order through the return, and a refund's connections from the refund itself (an item of the inline refunds list).
        if (part.name === 'refund_detail') {
          expect(all.map((c) => [c.field, c.roots, c.steps])).to.deep.equal([
            ['returns', ['Order'], []], ['returnLineItems', ['Order'], ['returns']],
            ['refundLineItems', ['Refund'], []], ['refundShippingLines', ['Refund'], []], ['orderAdjustments', ['Refund'], []],
          ]);
        }
        expect(sent).to.equal(all.reduce((n, c) => n + 2 * c.roots.length, 0));
      });
    });
  }
});

/** The type of the nodes of the connection at `path`. */
function nodeTypeAt(schema: GraphQLSchema, path: readonly string[]): GraphQLCompositeType {
  let type: GraphQLNamedType = schema.getQueryType()!;
  for (const name of path) type = typeOf(type, name);
  return nodesOf(type);
}

/** The first field named `name` in the document. */
function findField(document: ReturnType<typeof parse>, name: string): FieldNode | undefined {
  const walk = (set: SelectionSetNode | undefined): FieldNode | undefined => {
    for (const s of set?.selections ?? []) {
      if (s.kind === Kind.FIELD && s.name.value === name) return s;
      const inner = walk(s.kind === Kind.FIELD || s.kind === Kind.INLINE_FRAGMENT ? s.selectionSet : undefined);
      if (inner) return inner;
    }
    return undefined;
  };
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION) return walk(d.selectionSet);
  return undefined;
}
