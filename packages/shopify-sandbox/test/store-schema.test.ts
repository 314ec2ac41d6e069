// The store's half of the schema: it builds with a stand-in for the bulk half, every query the ETL
// sends validates against it, and every field it declares is answered with a value of its type.
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import {
  buildASTSchema,
  getNamedType,
  isAbstractType,
  isEnumType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  parse,
  validate,
  type GraphQLNamedType,
  type GraphQLObjectType,
  type GraphQLOutputType,
} from 'graphql';
import { STORE_ROOTS } from '../src/store/generators.ts';
import { queryFile, queryNames } from './support/queries.ts';
import { makeStore, runBulk } from './support/store.ts';

// What bulk.graphql (protocol's half) provides; only what store.graphql builds on.
const BULK_STAND_IN = 'schema { query: QueryRoot } interface Node { id: ID! } scalar DateTime scalar UnsignedInt64 scalar URL type QueryRoot { node(id: ID!): Node }\n';
const schema = buildASTSchema(parse(BULK_STAND_IN + readFileSync(new URL('../src/schema/store.graphql', import.meta.url), 'utf8')));

const MAX_OBJECT_DEPTH = 3;
const MAX_CONNECTION_DEPTH = 2;

function isConnection(type: GraphQLNamedType): type is GraphQLObjectType {
  return isObjectType(type) && type.name.endsWith('Connection') && 'edges' in type.getFields();
}

/** A selection of every field of `type` (abstract types: every member), bounded in depth. */
function selectAll(type: GraphQLNamedType, depth: number, connections: number): string {
  if (isAbstractType(type)) {
    return `__typename ${schema.getPossibleTypes(type).map((member) => `... on ${member.name} { ${selectAll(member, depth, connections)} }`).join(' ')}`;
  }
  if (!isObjectType(type)) return '';
  const parts = ['__typename'];
  for (const field of Object.values(type.getFields())) {
    const named = getNamedType(field.type);
    const args = field.name === 'quantities' ? '(names: ["available", "on_hand", "committed", "incoming", "reserved", "damaged", "quality_control", "safety_stock"])' : '';
    if (field.args.some((a) => isNonNullType(a.type) && a.defaultValue === undefined) && !args) continue;
    if (isScalarType(named) || isEnumType(named)) parts.push(`${field.name}${args}`);
    else if (isConnection(named)) {
      if (connections >= MAX_CONNECTION_DEPTH || depth >= MAX_OBJECT_DEPTH) continue;
      const node = getNamedType(named.getFields()['edges']!.type) as GraphQLObjectType;
      // A node with nested connections must select its id (bulk rule), which selectAll does.
      parts.push(`${field.name} { edges { node { ${selectAll(getNamedType(node.getFields()['node']!.type), depth + 1, connections + 1)} } } }`);
    } else if (depth < MAX_OBJECT_DEPTH) parts.push(`${field.name}${args} { ${selectAll(named, depth + 1, connections)} }`);
  }
  return parts.join(' ');
}

/** Problems with a JSON value against a GraphQL output type. */
function typeErrors(value: unknown, type: GraphQLOutputType, path: string): string[] {
  if (isNonNullType(type)) return value === null ? [`${path} is null`] : typeErrors(value, type.ofType, path);
  if (value === null) return [];
  if (isListType(type)) return Array.isArray(value) ? value.flatMap((v, i) => typeErrors(v, type.ofType, `${path}[${i}]`)) : [`${path} is not a list`];
  const named = getNamedType(type);
  if (isEnumType(named)) return named.getValue(String(value)) ? [] : [`${path} = ${String(value)} is not a ${named.name}`];
  if (isScalarType(named)) {
    const expected: Record<string, string> = { String: 'string', ID: 'string', Int: 'number', Float: 'number', Boolean: 'boolean', DateTime: 'string', Decimal: 'string', Money: 'string', URL: 'string', UnsignedInt64: 'string' };
    const want = expected[named.name];
    if (named.name === 'Int' && !Number.isInteger(value)) return [`${path} is not an Int`];
    if (named.name === 'DateTime' && !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/.test(String(value))) return [`${path} is not a DateTime`];
    return want === undefined || typeof value === want ? [] : [`${path} is a ${typeof value}, not ${named.name}`];
  }
  const record = value as Record<string, unknown>;
  const concrete = schema.getType(String(record['__typename']));
  if (!isObjectType(concrete) || (isAbstractType(named) ? !schema.isSubType(named, concrete) : concrete !== named)) return [`${path} has __typename ${String(record['__typename'])}, not a ${named.name}`];
  const fields = concrete.getFields();
  return Object.entries(record).flatMap(([key, v]) => {
    if (key === '__typename' || key === '__parentId') return [];
    const field = fields[key];
    return field ? typeErrors(v, field.type, `${path}.${key}`) : [`${path}.${key} is not a field of ${concrete.name}`];
  });
}

describe('sandbox store: schema', () => {
  it('serves every root field of store.graphql from a generator, and has no generator without one', () => {
    const extension = parse(readFileSync(new URL('../src/schema/store.graphql', import.meta.url), 'utf8')).definitions.find((d) => d.kind === Kind.OBJECT_TYPE_EXTENSION && d.name.value === 'QueryRoot');
    const declared = extension && 'fields' in extension ? (extension.fields ?? []).map((f) => f.name.value) : [];
    expect([...STORE_ROOTS].sort()).to.deep.equal(declared.sort());
  });

  it('validates every query the ETL sends', () => {
    const names = queryNames();
    expect(names.length).to.be.greaterThan(6);
    for (const name of names) expect(validate(schema, parse(queryFile(name))).map((e) => e.message), name).to.deep.equal([]);
  });

  const roots: Array<[string, string]> = [['orders', ''], ['products', ''], ['customers', ''], ['inventoryItems', ''], ['locations', '(includeInactive: true)'], ['collections', ''], ['draftOrders', ''], ['abandonedCheckouts', ''], ['discountNodes', ''], ['codeDiscountNodes', '']];
  for (const [root, args] of roots) {
    it(`answers every field reachable from ${root} with a value of its declared type`, async () => {
      const field = schema.getQueryType()!.getFields()[root]!;
      const node = getNamedType((getNamedType(field.type) as GraphQLObjectType).getFields()['edges']!.type) as GraphQLObjectType;
      const query = `{ ${root}${args} { edges { node { ${selectAll(getNamedType(node.getFields()['node']!.type), 0, 0)} } } } }`;
      expect(validate(schema, parse(query)).map((e) => e.message)).to.deep.equal([]);
      const { lines } = await runBulk(makeStore({ orders: 30, products: 12, customers: 10, collections: 5 }), query);
      expect(lines.length).to.be.greaterThan(0);
      const nodeType = getNamedType(node.getFields()['node']!.type);
      const problems = lines.flatMap((line, i) => {
        const type = line.__parentId === undefined ? nodeType : schema.getType(String(line.__typename));
        return type && (isObjectType(type) || isAbstractType(type)) ? typeErrors(line, type, `line ${i + 1}`) : [`line ${i + 1} has an unknown type`];
      });
      expect(problems.slice(0, 10)).to.deep.equal([]);
    });
  }
});
