// Everything the sandbox serves must exist in Shopify's real Admin schema with the same type: the
// sandbox may leave things out, never invent or change them.
import { expect } from 'chai';
import {
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isUnionType,
  type GraphQLNamedType,
  type GraphQLSchema,
} from 'graphql';
import { adminSchema } from './support/admin-schema.ts';
import { sandboxSchema } from '../src/schema/index.ts';

/** Every difference between the sandbox's schema and Shopify's, as readable lines. */
function notInShopify(ours: GraphQLSchema, theirs: GraphQLSchema): string[] {
  const problems: string[] = [];
  for (const type of Object.values(ours.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    const real: GraphQLNamedType | undefined = theirs.getType(type.name);
    if (!real) { problems.push(`type ${type.name} does not exist`); continue; }
    if (real.constructor !== type.constructor) { problems.push(`type ${type.name} is a ${type.constructor.name}, Shopify's is a ${real.constructor.name}`); continue; }
    if ((isObjectType(type) || isInterfaceType(type)) && (isObjectType(real) || isInterfaceType(real))) {
      const realFields = real.getFields();
      for (const field of Object.values(type.getFields())) {
        const rf = realFields[field.name];
        if (!rf) { problems.push(`${type.name}.${field.name} does not exist`); continue; }
        if (String(rf.type) !== String(field.type)) problems.push(`${type.name}.${field.name} is ${field.type}, Shopify's is ${rf.type}`);
        for (const arg of field.args) {
          const ra = rf.args.find((a) => a.name === arg.name);
          if (!ra) problems.push(`${type.name}.${field.name}(${arg.name}) does not exist`);
          else if (String(ra.type) !== String(arg.type)) problems.push(`${type.name}.${field.name}(${arg.name}) is ${arg.type}, Shopify's is ${ra.type}`);
        }
      }
      const realInterfaces = new Set(real.getInterfaces().map((i) => i.name));
      for (const iface of type.getInterfaces()) if (!realInterfaces.has(iface.name)) problems.push(`${type.name} does not implement ${iface.name}`);
    }
    if (isEnumType(type) && isEnumType(real)) {
      const values = new Set(real.getValues().map((v) => v.name));
      for (const v of type.getValues()) if (!values.has(v.name)) problems.push(`${type.name}.${v.name} does not exist`);
    }
    if (isUnionType(type) && isUnionType(real)) {
      const members = new Set(real.getTypes().map((t) => t.name));
      for (const t of type.getTypes()) if (!members.has(t.name)) problems.push(`${t.name} is not a member of ${type.name}`);
    }
    if (isInputObjectType(type) && isInputObjectType(real)) {
      const realFields = real.getFields();
      for (const f of Object.values(type.getFields())) {
        const rf = realFields[f.name];
        if (!rf) problems.push(`${type.name}.${f.name} does not exist`);
        else if (String(rf.type) !== String(f.type)) problems.push(`${type.name}.${f.name} is ${f.type}, Shopify's is ${rf.type}`);
      }
    }
  }
  if (ours.getQueryType()?.name !== theirs.getQueryType()?.name) problems.push('query root is named differently');
  if (ours.getMutationType()?.name !== theirs.getMutationType()?.name) problems.push('mutation root is named differently');
  return problems;
}

describe('sandbox schema', () => {
  it("is a subset of Shopify's 2026-10 Admin schema (types, fields, arguments, enum values)", () => {
    expect(notInShopify(sandboxSchema('2026-10'), adminSchema('2026-10'))).to.deep.equal([]);
  });

  it('has the bulk-operation roots the ETL uses, with the 2026-10 argument defaults', () => {
    const schema = sandboxSchema('2026-10');
    const run = schema.getMutationType()?.getFields().bulkOperationRunQuery;
    expect(run?.args.map((a) => [a.name, String(a.type), a.defaultValue])).to.deep.equal([['query', 'String!', undefined], ['groupObjects', 'Boolean!', false]]);
    expect(Object.keys(schema.getQueryType()?.getFields() ?? {})).to.include.members(['bulkOperation', 'bulkOperations', 'currentBulkOperation', 'node', 'nodes', 'shop', 'orders', 'products']);
  });

  it('follows the versions: groupObjects from 2025-07 (default true until 2025-10), bulkOperation(s) from 2026-01', () => {
    const groupObjects = (v: string) => sandboxSchema(v).getMutationType()?.getFields().bulkOperationRunQuery?.args.find((a) => a.name === 'groupObjects')?.defaultValue;
    const roots = (v: string) => Object.keys(sandboxSchema(v).getQueryType()?.getFields() ?? {});
    expect(groupObjects('2025-04')).to.equal(undefined);
    expect(groupObjects('2025-07')).to.equal(true);
    expect(groupObjects('2025-10')).to.equal(true);
    expect(groupObjects('2026-01')).to.equal(false);
    expect(roots('2025-10')).to.not.include.members(['bulkOperation']);
    expect(roots('2025-10')).to.not.include.members(['bulkOperations']);
    expect(roots('2026-01')).to.include.members(['bulkOperation', 'bulkOperations']);
    expect(sandboxSchema('2026-01')).to.equal(sandboxSchema('2026-01'));
  });
});
